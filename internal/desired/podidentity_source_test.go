package desired

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

const (
	readerARN = "arn:aws:iam::" + dataID + ":role/irsa/reader"
	writerARN = "arn:aws:iam::" + dataID + ":role/irsa/writer"
	srcARN    = "arn:aws:iam::" + prodID + ":role/irsa/src"
)

// chainStatement is a target's trust statement naming a source role that
// passes session tags.
func chainStatement(source string) string {
	return `{"Effect":"Allow","Principal":{"AWS":"` + source + `"},"Action":["sts:AssumeRole","sts:TagSession"]}`
}

// chainPermission is a source role's irsa-sync-chain policy: AssumeRole and
// TagSession on exactly the targets.
func chainPermission(targets ...string) policy.Document {
	var stmts []string
	for _, t := range targets {
		b, _ := json.Marshal([]string{t})
		stmts = append(stmts, `{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":`+string(b)+`}`)
	}
	return doc(stmts...)
}

func dataRole(name, source string, bindings ...config.ServiceAccount) config.Role {
	return config.Role{Name: name, Account: "data", Path: "/irsa/", SourceRole: source, ServiceAccounts: bindings}
}

// TestSourceRole pins the cross-account shape (EKS user guide,
// pod-id-assign-target-role): the association's roleArn is a source role
// irsa-sync manages in the cluster's account on the target's path, trusting
// pods.eks.amazonaws.com for exactly the declared service accounts and
// allowed to chain to its targets; targetRoleArn is the file's role, whose
// trust names the source role and no Pod Identity statement.
func TestSourceRole(t *testing.T) {
	t.Parallel()
	pi := config.ViaPodIdentity
	source := func(boundary string, targets []string, trustDoc policy.Document, pods ...trust.PodSubject) Role {
		return Role{Account: "prod", Pods: pods, Role: resource.Role{AccountID: prodID, Name: "src", Path: "/irsa/", ARN: srcARN,
			Description:        "EKS Pod Identity source role, chaining to roles of other accounts (irsa-sync)",
			MaxSessionDuration: DefaultMaxSessionDuration, PermissionsBoundary: boundary, Tags: map[string]string{resource.OwnerTag: owner},
			InlinePolicies: map[string]policy.Document{resource.ChainPolicyName: chainPermission(targets...)}, Trust: trustDoc}}
	}
	assoc := func(cluster, ns, name, target string) Association {
		return Association{Role: target, Association: resource.Association{AccountID: prodID, Cluster: cluster, Namespace: ns,
			ServiceAccount: name, RoleARN: srcARN, TargetRoleARN: target, Tags: map[string]string{resource.OwnerTag: owner}}}
	}
	pod := func(arn, name string) trust.PodSubject {
		return trust.PodSubject{AccountID: prodID, ClusterARN: arn, Namespace: "default", Name: name}
	}
	tests := []struct {
		name         string
		roles        []config.Role
		boundary     string
		source       Role
		targets      map[string]policy.Document // target ARN -> trust
		associations []Association
	}{
		{name: "one target",
			roles:        []config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi))},
			source:       source("", []string{readerARN}, doc(podStatement(prodID, "default", []string{"app"}, []string{c1ARN})), pod(c1ARN, "app")),
			targets:      map[string]policy.Document{readerARN: doc(chainStatement(srcARN))},
			associations: []Association{assoc("c1", "default", "app", readerARN)}},
		{name: "two targets share one source role, which may chain to each",
			roles: []config.Role{dataRole("writer", "src", bind("c2", "default", "writer", pi)),
				dataRole("reader", "src", bind("c1", "default", "app", pi))},
			source: source("", []string{readerARN, writerARN}, doc(podStatement(prodID, "default", []string{"app"}, []string{c1ARN}),
				podStatement(prodID, "default", []string{"writer"}, []string{c2ARN})), pod(c2ARN, "writer"), pod(c1ARN, "app")),
			targets:      map[string]policy.Document{readerARN: doc(chainStatement(srcARN)), writerARN: doc(chainStatement(srcARN))},
			associations: []Association{assoc("c1", "default", "app", readerARN), assoc("c2", "default", "writer", writerARN)}},
		{name: "via both: the target keeps its OIDC subject, the source role gets the Pod Identity statement",
			roles:  []config.Role{dataRole("reader", "src", bind("c1", "default", "app", config.ViaBoth))},
			source: source("", []string{readerARN}, doc(podStatement(prodID, "default", []string{"app"}, []string{c1ARN})), pod(c1ARN, "app")),
			targets: map[string]policy.Document{readerARN: doc(
				irsaStatement("arn:aws:iam::"+dataID+":oidc-provider/"+c1Host, c1Host, "system:serviceaccount:default:app"), chainStatement(srcARN))},
			associations: []Association{assoc("c1", "default", "app", readerARN)}},
		{name: "settings.requiredPermissionsBoundary: the source role carries the cluster account's boundary",
			roles:    []config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi))},
			boundary: "scoped/irsa-sync-boundary",
			source: source("arn:aws:iam::"+prodID+":policy/scoped/irsa-sync-boundary", []string{readerARN},
				doc(podStatement(prodID, "default", []string{"app"}, []string{c1ARN})), pod(c1ARN, "app")),
			targets:      map[string]policy.Document{readerARN: doc(chainStatement(srcARN))},
			associations: []Association{assoc("c1", "default", "app", readerARN)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := piFile(tt.roles...)
			f.Settings.RequiredPermissionsBoundary = tt.boundary
			st := build(t, f)
			got := roleOf(t, st, srcARN)
			got.Where = nil
			if diff := cmp.Diff(tt.source, got); diff != "" {
				t.Errorf("source role (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(docMap(tt.source.Trust), docMap(got.Trust)); diff != "" {
				t.Errorf("source role's trust (-want +got):\n%s", diff)
			}
			for arn, want := range tt.targets {
				target := roleOf(t, st, arn)
				if diff := cmp.Diff(docMap(want), docMap(target.Trust)); diff != "" {
					t.Errorf("trust of %s (-want +got):\n%s", arn, diff)
				}
				if diff := cmp.Diff([]string{srcARN}, target.ChainFrom); diff != "" {
					t.Errorf("chainFrom of %s (-want +got):\n%s", arn, diff)
				}
				if len(target.Pods) != 0 {
					t.Errorf("target %s has Pod Identity subjects %+v: EKS assumes only the source role", arn, target.Pods)
				}
			}
			if diff := cmp.Diff(tt.associations, st.Associations); diff != "" {
				t.Errorf("associations (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSourceRoleRefused pins the files Build refuses: a source role must be
// irsa-sync's own, and IAM names roles by name alone within an account
// (CreateRole: "names must be unique within the account. Names are not
// distinguished by case"), so a source role may not share its name with a
// declared role or with a source role on another path.
func TestSourceRoleRefused(t *testing.T) {
	t.Parallel()
	pi := config.ViaPodIdentity
	tests := []struct {
		name  string
		roles []config.Role
		want  string
	}{
		{"cross-account without sourceRole",
			[]config.Role{dataRole("reader", "", bind("c1", "default", "app", pi))},
			`roles[0].serviceAccounts[0]: role "reader" is in another account than cluster "c1": set sourceRole`},
		{"sourceRole also declared under roles",
			[]config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi)),
				{Name: "src", Account: "prod", Path: "/irsa/", ServiceAccounts: []config.ServiceAccount{bind("c1", "default", "other", "")}}},
			`sourceRole "src" in account "prod" is also declared under roles`},
		{"sourceRole declared under roles on another path",
			[]config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi)),
				{Name: "src", Account: "prod", ServiceAccounts: []config.ServiceAccount{bind("c1", "default", "other", "")}}},
			`sourceRole "src" in account "prod" is also declared under roles`},
		{"sourceRole declared under roles in another case",
			[]config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi)),
				{Name: "SRC", Account: "prod", Path: "/irsa/", ServiceAccounts: []config.ServiceAccount{bind("c1", "default", "other", "")}}},
			`sourceRole "src" in account "prod" is also declared under roles`},
		{"one sourceRole name on two paths",
			[]config.Role{dataRole("reader", "src", bind("c1", "default", "app", pi)),
				{Name: "writer", Account: "data", Path: "/other/", SourceRole: "src", ServiceAccounts: []config.ServiceAccount{bind("c1", "default", "writer", pi)}}},
			`sourceRole "src" in account "prod"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Build(piFile(tt.roles...), issuers, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestPodIdentityDeterministic checks that the order of roles and bindings
// in the file changes nothing of what is built: plans must be identical
// for equal inputs, and trusts are sent as built.
func TestPodIdentityDeterministic(t *testing.T) {
	t.Parallel()
	pi := config.ViaPodIdentity
	roles := func() []config.Role {
		return []config.Role{
			{Name: "app", Account: "prod", ServiceAccounts: []config.ServiceAccount{
				bind("c1", "web", "a", pi), bind("c2", "web", "a", config.ViaBoth), bind("c1", "jobs", "b", pi), bind("c1", "web", "c", pi)}},
			dataRole("reader", "src", bind("c2", "default", "r", pi), bind("c1", "default", "r", config.ViaBoth)),
			dataRole("writer", "src", bind("c1", "default", "w", pi)),
		}
	}
	forward := piFile(roles()...)
	reversed := piFile(roles()...)
	for i, j := 0, len(reversed.Roles)-1; i < j; i, j = i+1, j-1 {
		reversed.Roles[i], reversed.Roles[j] = reversed.Roles[j], reversed.Roles[i]
	}
	for i := range reversed.Roles {
		sas := reversed.Roles[i].ServiceAccounts
		for a, b := 0, len(sas)-1; a < b; a, b = a+1, b-1 {
			sas[a], sas[b] = sas[b], sas[a]
		}
	}
	a, b := build(t, forward), build(t, reversed)
	// A role's subject lists keep the file's order: they are inputs of
	// the trust, which is built sorted, and nothing else reads their order.
	for _, st := range []*State{a, b} {
		for i := range st.Roles {
			r := &st.Roles[i]
			sort.Slice(r.Pods, func(i, j int) bool { return fmt.Sprint(r.Pods[i]) < fmt.Sprint(r.Pods[j]) })
			sort.Slice(r.Subjects, func(i, j int) bool { return fmt.Sprint(r.Subjects[i]) < fmt.Sprint(r.Subjects[j]) })
		}
	}
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(ja), string(jb)); diff != "" {
		t.Errorf("the file's order changed the desired state (-forward +reversed):\n%s", diff)
	}
	if len(a.Associations) != 7 {
		t.Errorf("associations = %d, want 7 (one per Pod Identity binding)", len(a.Associations))
	}
}
