package desired

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

const (
	prodID = "111122223333"
	dataID = "444455556666"
	owner  = "team-a"
	c1ARN  = "arn:aws:eks:us-east-1:" + prodID + ":cluster/c1"
	c2ARN  = "arn:aws:eks:eu-west-1:" + prodID + ":cluster/c2"
	c1Host = "oidc.eks.us-east-1.amazonaws.com/id/C1"
	appARN = "arn:aws:iam::" + prodID + ":role/app"
	c1Prov = "arn:aws:iam::" + prodID + ":oidc-provider/" + c1Host
)

var issuers = map[string]string{"c1": "https://" + c1Host, "c2": "https://oidc.eks.eu-west-1.amazonaws.com/id/C2"}

// piFile is a file of two accounts, prod with clusters c1 (us-east-1) and
// c2 (eu-west-1), and data with none, declaring roles.
func piFile(roles ...config.Role) *config.File {
	return &config.File{APIVersion: config.APIVersion, Kind: config.Kind, Owner: owner,
		Accounts: []config.Account{{Name: "prod", ID: prodID}, {Name: "data", ID: dataID}},
		Clusters: []config.Cluster{{Name: "c1", Account: "prod", Region: "us-east-1"}, {Name: "c2", Account: "prod", Region: "eu-west-1"}},
		Roles:    roles}
}

func bind(cluster, ns, name, via string) config.ServiceAccount {
	return config.ServiceAccount{Cluster: cluster, Namespace: ns, Name: name, Via: via}
}

func build(t *testing.T, f *config.File) *State {
	t.Helper()
	st, err := Build(f, issuers, nil)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return st
}

func roleOf(t *testing.T, st *State, arn string) Role {
	t.Helper()
	for _, r := range st.Roles {
		if r.ARN == arn {
			return r
		}
	}
	t.Fatalf("no role %s in %v", arn, roleARNs(st))
	return Role{}
}

func roleARNs(st *State) []string {
	var out []string
	for _, r := range st.Roles {
		out = append(out, r.ARN)
	}
	return out
}

// docMap is a document in the form Pretty shows, for cmp to diff; a zero
// document is nil.
func docMap(d policy.Document) map[string]any { return d.Map() }

// podStatement is the Pod Identity trust statement the README's "Moving to
// Pod Identity" describes: pods.eks.amazonaws.com with sts:AssumeRole and
// sts:TagSession, narrowed by aws:SourceAccount, aws:SourceArn and the
// kubernetes-namespace / kubernetes-service-account session tags.
func podStatement(account, ns string, names, clusters []string) string {
	q := func(l []string) string { b, _ := json.Marshal(l); return string(b) }
	return `{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],
		"Condition":{"StringEquals":{"aws:SourceAccount":["` + account + `"],"aws:RequestTag/kubernetes-namespace":["` + ns + `"],
		"aws:RequestTag/kubernetes-service-account":` + q(names) + `},"ArnEquals":{"aws:SourceArn":` + q(clusters) + `}}}`
}

func irsaStatement(provider, host string, subs ...string) string {
	b, _ := json.Marshal(subs)
	return `{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + host + `:aud":["sts.amazonaws.com"],"` + host + `:sub":` + string(b) + `}}}`
}

func doc(stmts ...string) policy.Document {
	return policy.MustParse(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
}

// TestAssociationsPerVia pins what one binding yields for each via: the
// association (podIdentity, both), the ServiceAccount's annotations (the
// role-arn only when IRSA is kept, the Pod Identity mark when an
// association exists), and the OIDC subject and provider (irsa, both).
func TestAssociationsPerVia(t *testing.T) {
	t.Parallel()
	assoc := Association{Role: appARN, Association: resource.Association{AccountID: prodID, Cluster: "c1", Namespace: "default",
		ServiceAccount: "app", RoleARN: appARN, Tags: map[string]string{resource.OwnerTag: owner}}}
	irsaAnn := map[string]string{resource.AnnotationRoleARN: appARN, resource.OwnerAnnotation: owner}
	tests := []struct {
		name         string
		via          string
		defaultVia   string
		adopt        bool
		associations []Association
		annotations  map[string]string
		subjects     int
		providers    int
	}{
		{name: "no via: irsa", annotations: irsaAnn, subjects: 1, providers: 1},
		{name: "irsa", via: config.ViaIRSA, annotations: irsaAnn, subjects: 1, providers: 1},
		{name: "podIdentity: an association, the mark, no role-arn, no subject, no provider", via: config.ViaPodIdentity,
			associations: []Association{assoc},
			annotations:  map[string]string{resource.OwnerAnnotation: owner, resource.PodIdentityAnnotation: "true"}},
		{name: "both: an association and everything of irsa", via: config.ViaBoth, associations: []Association{assoc},
			annotations: map[string]string{resource.AnnotationRoleARN: appARN, resource.OwnerAnnotation: owner, resource.PodIdentityAnnotation: "true"},
			subjects:    1, providers: 1},
		{name: "settings.defaultVia applies to a binding without via", defaultVia: config.ViaPodIdentity,
			associations: []Association{assoc},
			annotations:  map[string]string{resource.OwnerAnnotation: owner, resource.PodIdentityAnnotation: "true"}},
		{name: "the binding's via wins over settings.defaultVia", via: config.ViaIRSA, defaultVia: config.ViaPodIdentity,
			annotations: irsaAnn, subjects: 1, providers: 1},
		{name: "adopt goes on the association", via: config.ViaPodIdentity, adopt: true,
			associations: func() []Association { a := assoc; a.Adopt = true; return []Association{a} }(),
			annotations:  map[string]string{resource.OwnerAnnotation: owner, resource.PodIdentityAnnotation: "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bind("c1", "default", "app", tt.via)
			b.Adopt = tt.adopt
			f := piFile(config.Role{Name: "app", Account: "prod", ServiceAccounts: []config.ServiceAccount{b}})
			f.Settings.DefaultVia = tt.defaultVia
			st := build(t, f)
			if diff := cmp.Diff(tt.associations, st.Associations); diff != "" {
				t.Errorf("associations (-want +got):\n%s", diff)
			}
			if len(st.ServiceAccounts) != 1 {
				t.Fatalf("service accounts = %+v, want one", st.ServiceAccounts)
			}
			if diff := cmp.Diff(tt.annotations, st.ServiceAccounts[0].Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if got := len(roleOf(t, st, appARN).Subjects); got != tt.subjects {
				t.Errorf("OIDC subjects = %d, want %d", got, tt.subjects)
			}
			if len(st.Providers) != tt.providers {
				t.Errorf("providers = %d, want %d", len(st.Providers), tt.providers)
			}
		})
	}
}

// TestPodIdentityTrust pins the trust a role bound via Pod Identity gets:
// one pods.eks.amazonaws.com statement per namespace and set of names,
// listing the clusters whose bindings in that namespace are exactly those
// names, so that no statement admits a service account the file does not
// bind; and via both, the OIDC statement too.
func TestPodIdentityTrust(t *testing.T) {
	t.Parallel()
	pi := config.ViaPodIdentity
	tests := []struct {
		name     string
		bindings []config.ServiceAccount
		want     policy.Document
	}{
		{"one service account: one narrowed statement, no OIDC statement",
			[]config.ServiceAccount{bind("c1", "default", "app", pi)},
			doc(podStatement(prodID, "default", []string{"app"}, []string{c1ARN}))},
		{"the same service account in two clusters: one statement naming both clusters",
			[]config.ServiceAccount{bind("c2", "default", "app", pi), bind("c1", "default", "app", pi)},
			doc(podStatement(prodID, "default", []string{"app"}, []string{c2ARN, c1ARN}))},
		{"two names of one namespace and cluster: one statement",
			[]config.ServiceAccount{bind("c1", "default", "b", pi), bind("c1", "default", "a", pi)},
			doc(podStatement(prodID, "default", []string{"a", "b"}, []string{c1ARN}))},
		{"two namespaces: a statement each",
			[]config.ServiceAccount{bind("c1", "web", "app", pi), bind("c1", "jobs", "app", pi)},
			doc(podStatement(prodID, "jobs", []string{"app"}, []string{c1ARN}), podStatement(prodID, "web", []string{"app"}, []string{c1ARN}))},
		{"clusters with other names in one namespace: not folded (c2 default/b is not bound)",
			[]config.ServiceAccount{bind("c1", "default", "a", pi), bind("c1", "default", "b", pi), bind("c2", "default", "a", pi)},
			doc(podStatement(prodID, "default", []string{"a"}, []string{c2ARN}), podStatement(prodID, "default", []string{"a", "b"}, []string{c1ARN}))},
		{"via both keeps the OIDC subject and adds the Pod Identity statement",
			[]config.ServiceAccount{bind("c1", "default", "app", config.ViaBoth)},
			doc(irsaStatement(c1Prov, c1Host, "system:serviceaccount:default:app"), podStatement(prodID, "default", []string{"app"}, []string{c1ARN}))},
		{"irsa and podIdentity bindings of one role: each path only for its binding",
			[]config.ServiceAccount{bind("c1", "default", "old", config.ViaIRSA), bind("c1", "default", "new", pi)},
			doc(irsaStatement(c1Prov, c1Host, "system:serviceaccount:default:old"), podStatement(prodID, "default", []string{"new"}, []string{c1ARN}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := build(t, piFile(config.Role{Name: "app", Account: "prod", ServiceAccounts: tt.bindings}))
			got := roleOf(t, st, appARN).Trust
			if diff := cmp.Diff(docMap(tt.want), docMap(got)); diff != "" {
				t.Errorf("trust (-want +got):\n%s", diff)
			}
			if !got.Equal(tt.want) {
				t.Errorf("trust not equal to the wanted one:\n%s", got.Pretty())
			}
		})
	}
}
