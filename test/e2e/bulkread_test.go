package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// kubeCalls counts every call made to each cluster since the last reset, as
// "verb resource".
func (h *harness) kubeCalls() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, c := range h.file.Clusters {
		out[c.Name] = map[string]int{}
		for _, a := range h.sb.Cluster(c.Name).Actions() {
			out[c.Name][a.GetVerb()+" "+a.GetResource().Resource]++
		}
	}
	return out
}

// noOpPlanCalls applies the file, then counts the calls of one plan that
// finds nothing to do.
func noOpPlanCalls(t *testing.T, h *harness) (aws map[string]int, kube map[string]map[string]int) {
	t.Helper()
	h.apply(plan.Options{})
	h.resetCalls()
	if p := h.plan(plan.Options{}); !p.Empty() {
		t.Fatalf("plan after apply: %v", changeLines(p.Changes))
	}
	return h.sb.Emulator.Calls(), h.kubeCalls()
}

// oneList is what a plan may ask of a cluster: one list of namespaces, one
// of ServiceAccounts and one of the ConfigMaps labelled as irsa-sync's,
// never a GET per binding.
var oneList = map[string]int{"list namespaces": 1, "list serviceaccounts": 1, "list configmaps": 1}

// TestReadIsBulk checks the read a plan makes: a fixed number of paged
// calls per account and per cluster, whatever the number of roles.
func TestReadIsBulk(t *testing.T) {
	t.Run("example", func(t *testing.T) {
		h := newHarness(t, sandbox.Options{}).useFile(example)
		aws, kube := noOpPlanCalls(t, h)
		// Two accounts; per-object reads only for the three OIDC providers
		// (no policy tags: the declared policy matches the file and is
		// attached to this owner's role, so nothing depends on its owner);
		// DescribeCluster only for the cluster without an oidcIssuer
		// override; one list of the AWS-managed policies both accounts'
		// roles attach, since both are in one partition; Pod Identity reads
		// only in prod-use1, the one cluster with podIdentity and both
		// bindings: the agent add-on, Fargate profiles, one page of
		// associations and a describe of each of its two.
		want := map[string]int{
			"iam:ListPolicies":                   1,
			"eks:DescribeAddon":                  1,
			"eks:ListFargateProfiles":            1,
			"eks:ListPodIdentityAssociations":    1,
			"eks:DescribePodIdentityAssociation": 2,
			"sts:GetCallerIdentity":              2,
			"iam:GetAccountAuthorizationDetails": 2,
			"iam:ListRoles":                      2,
			"iam:GetAccountSummary":              2,
			"iam:ListOpenIDConnectProviders":     2,
			"iam:GetOpenIDConnectProvider":       3,
			"eks:DescribeCluster":                1,
		}
		if diff := cmp.Diff(want, aws); diff != "" {
			t.Errorf("AWS calls of a no-op plan (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]map[string]int{"prod-use1": oneList, "prod-euw1": oneList}, kube); diff != "" {
			t.Errorf("Kubernetes calls of a no-op plan (-want +got):\n%s", diff)
		}
	})

	t.Run("1 role and 50 roles", func(t *testing.T) {
		one, oneKube := noOpPlanCalls(t, newHarness(t, sandbox.Options{}).use(generated(1, false)))
		fifty, fiftyKube := noOpPlanCalls(t, newHarness(t, sandbox.Options{}).use(generated(50, false)))
		want := map[string]int{
			"sts:GetCallerIdentity":              1,
			"iam:GetAccountAuthorizationDetails": 1,
			"iam:ListRoles":                      1,
			"iam:GetAccountSummary":              1,
			"iam:ListOpenIDConnectProviders":     1,
			"iam:GetOpenIDConnectProvider":       1,
			"eks:DescribeCluster":                1,
		}
		// With one role, one of the file's two policies is attached to no
		// role: it was never vetted by an attach, so its owner is read.
		// With 50 roles both are attached and settled: no tag reads.
		want1 := map[string]int{"iam:ListPolicyTags": 1}
		for k, v := range want {
			want1[k] = v
		}
		if diff := cmp.Diff(want1, one); diff != "" {
			t.Errorf("AWS calls with 1 role (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, fifty); diff != "" {
			t.Errorf("AWS calls with 50 roles (-want +got):\n%s", diff)
		}
		delete(one, "iam:ListPolicyTags")
		if diff := cmp.Diff(one, fifty); diff != "" {
			t.Errorf("AWS calls grow with the number of roles (-1 role +50 roles):\n%s", diff)
		}
		for name, kube := range map[string]map[string]map[string]int{"1 role": oneKube, "50 roles": fiftyKube} {
			if diff := cmp.Diff(map[string]map[string]int{"c1": oneList}, kube); diff != "" {
				t.Errorf("Kubernetes calls with %s (-want +got):\n%s", name, diff)
			}
		}
	})
}
