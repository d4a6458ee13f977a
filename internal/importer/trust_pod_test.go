package importer

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

func TestPodStatement(t *testing.T) {
	t.Parallel()
	c1 := desired.ClusterARN("us-east-1", idA, "c1")
	c2 := desired.ClusterARN("us-east-1", idA, "c2")
	cb := desired.ClusterARN("us-east-1", idB, "cb")
	idx := clusterIndex{byARN: map[string]string{c1: "c1", c2: "c2", cb: "cb"}, account: map[string]string{"c1": idA, "c2": idA, "cb": idB}}
	generated := trust.ForRole(nil,
		trust.PodSubject{AccountID: idA, ClusterARN: c1, Namespace: "web", Name: "api"},
		trust.PodSubject{AccountID: idA, ClusterARN: c2, Namespace: "web", Name: "api"},
		trust.PodSubject{AccountID: idA, ClusterARN: c1, Namespace: "jobs", Name: "a"},
		trust.PodSubject{AccountID: idA, ClusterARN: c1, Namespace: "jobs", Name: "b"})
	stmt := func(actions, cond string) string {
		return `{"Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":` + actions + `,"Condition":` + cond + `}]}`
	}
	both := `["sts:AssumeRole","sts:TagSession"]`
	narrowed := func(account, arn string) string {
		return `{"StringEquals":{"aws:SourceAccount":"` + account + `","aws:RequestTag/kubernetes-namespace":"web","aws:RequestTag/kubernetes-service-account":"api"},"ArnEquals":{"aws:SourceArn":"` + arn + `"}}`
	}
	tests := []struct {
		name    string
		doc     string
		want    []podSubject
		problem string
	}{
		{"what irsa-sync generates", generated.Raw(), []podSubject{{"c1", "jobs", "a"}, {"c1", "jobs", "b"}, {"c1", "web", "api"}, {"c2", "web", "api"}}, ""},
		{"the guide's, narrowed, in any case", stmt(`["STS:AssumeRole","sts:tagsession"]`, narrowed(idA, c1)), []podSubject{{"c1", "web", "api"}}, ""},
		{"no sts:TagSession", stmt(`"sts:AssumeRole"`, narrowed(idA, c1)), nil, "needs exactly sts:AssumeRole and sts:TagSession"},
		{"no condition", stmt(both, `{}`), nil, "every Pod Identity association of the account"},
		{"another condition key", stmt(both, `{"StringEquals":{"aws:SourceAccount":"`+idA+`","aws:RequestTag/eks-cluster-name":"c1"}}`), nil, "condition on aws:RequestTag/eks-cluster-name"},
		{"ArnLike on the cluster", stmt(both, strings.Replace(narrowed(idA, c1), "ArnEquals", "ArnLike", 1)), nil, "ArnLike condition on aws:SourceArn"},
		{"no service account", stmt(both, `{"StringEquals":{"aws:SourceAccount":"`+idA+`","aws:RequestTag/kubernetes-namespace":"web"},"ArnEquals":{"aws:SourceArn":"`+c1+`"}}`), nil, "does not check aws:RequestTag/kubernetes-service-account"},
		{"an unlisted cluster", stmt(both, narrowed(idA, desired.ClusterARN("us-east-1", idA, "other"))), nil, "not a cluster of the file"},
		{"another account's cluster", stmt(both, narrowed(idB, cb)), nil, "through a source role"},
		{"another source account", stmt(both, narrowed(idB, c1)), nil, "checks aws:SourceAccount " + idB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseTrust(policy.MustParse(tt.doc), idA, idx)
			sortPods(got.Pods)
			if diff := cmp.Diff(tt.want, got.Pods); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
			switch {
			case tt.problem == "" && len(got.Problems) > 0:
				t.Errorf("problems %q, want none", got.Problems)
			case tt.problem != "" && (len(got.Problems) != 1 || !strings.Contains(got.Problems[0], tt.problem)):
				t.Errorf("problems %q, want one saying %q", got.Problems, tt.problem)
			}
		})
	}
}

func sortPods(p []podSubject) {
	sort.Slice(p, func(i, j int) bool {
		return p[i].Cluster+"/"+p[i].Namespace+"/"+p[i].Name < p[j].Cluster+"/"+p[j].Namespace+"/"+p[j].Name
	})
}
