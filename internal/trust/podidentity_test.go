package trust

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPodIdentityStatements(t *testing.T) {
	t.Parallel()
	const (
		prod = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
		euw  = "arn:aws:eks:eu-west-1:111122223333:cluster/euw"
	)
	pod := func(c, ns, n string) PodSubject {
		return PodSubject{AccountID: "111122223333", ClusterARN: c, Namespace: ns, Name: n}
	}
	tests := []struct {
		name       string
		pods       []PodSubject
		statements int
		subs       []string
	}{
		{"one service account in two clusters folds into one statement",
			[]PodSubject{pod(prod, "default", "app"), pod(euw, "default", "app")}, 1,
			[]string{"system:serviceaccount:default:app @ pod-identity " + euw, "system:serviceaccount:default:app @ pod-identity " + prod}},
		// Folding these would admit euw's default/app and prod's jobs/worker.
		{"different service accounts per cluster stay apart",
			[]PodSubject{pod(prod, "default", "app"), pod(euw, "jobs", "worker")}, 2,
			[]string{"system:serviceaccount:default:app @ pod-identity " + prod, "system:serviceaccount:jobs:worker @ pod-identity " + euw}},
		{"two names in one namespace of one cluster share a statement",
			[]PodSubject{pod(prod, "default", "b"), pod(prod, "default", "a")}, 1,
			[]string{"system:serviceaccount:default:a @ pod-identity " + prod, "system:serviceaccount:default:b @ pod-identity " + prod}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := ForRole(nil, tt.pods...)
			if got := len(doc.Statements()); got != tt.statements {
				t.Errorf("%d statements, want %d:\n%s", got, tt.statements, doc.JSON())
			}
			if diff := cmp.Diff(tt.subs, Subs(doc)); diff != "" {
				t.Errorf("Subs (-want +got):\n%s", diff)
			}
			for _, st := range doc.Map()["Statement"].([]any) {
				if st.(map[string]any)["Condition"] == nil {
					t.Errorf("statement without conditions: %v", st)
				}
			}
		})
	}
}

func TestBuildOrdersPaths(t *testing.T) {
	t.Parallel()
	doc := Build(Grants{
		IRSA:   []Subject{{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/oidc.example/id/X", Issuer: "oidc.example/id/X", Namespace: "default", Name: "app"}},
		Pods:   []PodSubject{{AccountID: "111122223333", ClusterARN: "arn:aws:eks:us-east-1:111122223333:cluster/prod", Namespace: "default", Name: "app"}},
		Chains: []Chain{{Role: "arn:aws:iam::111122223333:role/b", TagSession: true}, {Role: "arn:aws:iam::111122223333:role/a", TagSession: true}},
	})
	// JSON is the text sent to IAM, in the order built.
	raw := doc.JSON()
	var principals []string
	for _, k := range []string{"Federated", "Service", "AWS"} {
		if i := strings.Index(raw, `"`+k+`"`); i >= 0 {
			principals = append(principals, k)
			raw = raw[i:]
		}
	}
	if diff := cmp.Diff([]string{"Federated", "Service", "AWS"}, principals); diff != "" {
		t.Errorf("statement order (-want +got):\n%s", diff)
	}
}
