package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// maxNoOpAWSCalls is the bound on the AWS calls of a no-op plan of
// 1,000 roles in 2 accounts and 4 clusters: a few paged calls per account
// and one per cluster, against about 5,000 for a per-resource refresh.
const maxNoOpAWSCalls = 30

// kubeListPage is internal/live's page size for Kubernetes lists: a list
// may take one call per this many objects.
const kubeListPage = 500

// budgetViolations checks the calls of a no-op plan against the issue's
// bounds: at most maxNoOpAWSCalls AWS calls; per cluster, ServiceAccounts
// read by list only, one call per page of kubeListPage; and no GET of any
// single object. objects counts each cluster's ServiceAccounts.
func budgetViolations(c counts, objects map[string]int) []string {
	var out []string
	total := 0
	for _, n := range c.aws {
		total += n
	}
	if total > maxNoOpAWSCalls {
		var by []string
		for _, action := range resource.SortedKeys(c.aws) {
			by = append(by, fmt.Sprintf("%s %d", action, c.aws[action]))
		}
		out = append(out, fmt.Sprintf("%d AWS calls, over the budget of %d; an action called per object (more than once per account or cluster) is the likely cause: %s", total, maxNoOpAWSCalls, strings.Join(by, ", ")))
	}
	for _, cluster := range resource.SortedKeys(c.kube) {
		pages := max(1, (objects[cluster]+kubeListPage-1)/kubeListPage)
		for _, call := range resource.SortedKeys(c.kube[cluster]) {
			n := c.kube[cluster][call]
			verb, res, _ := strings.Cut(call, " ")
			switch {
			case verb == "get":
				out = append(out, fmt.Sprintf("cluster %s: %d x %q: a no-op plan reads by list, never object by object", cluster, n, call))
			case res == "serviceaccounts" && verb != "list":
				out = append(out, fmt.Sprintf("cluster %s: %d x %q in a plan", cluster, n, call))
			case call == "list serviceaccounts" && n > pages:
				out = append(out, fmt.Sprintf("cluster %s: %d ServiceAccount lists for %d objects, over %d (one per page of %d)", cluster, n, objects[cluster], pages, kubeListPage))
			}
		}
		if c.kube[cluster]["list serviceaccounts"] == 0 {
			out = append(out, fmt.Sprintf("cluster %s: no ServiceAccount list: the count of calls is not what it seems", cluster))
		}
	}
	return out
}

// serviceAccountsPerCluster counts the exact bindings of each cluster of
// the file: the ServiceAccounts the cluster holds once applied.
func serviceAccountsPerCluster(p gen.Params) map[string]int {
	out := map[string]int{}
	for _, r := range gen.File(p).Roles {
		for _, sa := range r.ServiceAccounts {
			if !strings.ContainsAny(sa.Name, "*?") {
				out[sa.Cluster]++
			}
		}
	}
	return out
}

// TestNoOpPlanCallBudget is the regression test of issue 6: a no-op plan
// of the 1,000-role estate (2 accounts, 4 clusters) stays within 30 AWS
// calls and one ServiceAccount list per cluster. With IAM pages of one item
// the same check must fail, which shows it counts what it claims to.
func TestNoOpPlanCallBudget(t *testing.T) {
	p := estateParams(1000)
	dir := t.TempDir()
	buildApplied(t, dir, p)
	objects := serviceAccountsPerCluster(p)

	noOpCounts := func(t *testing.T, opts emulator.Options) counts {
		e := openEstate(t, dir, gen.File(p), opts)
		pl, _, err := e.plan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !pl.Empty() {
			t.Fatalf("plan of the applied estate has %d changes, first %s %s", len(pl.Changes), pl.Changes[0].Action, pl.Changes[0].Address)
		}
		c := e.takeCounts()
		e.close()
		return c
	}

	t.Run("within budget", func(t *testing.T) {
		c := noOpCounts(t, emulator.Options{})
		for _, v := range budgetViolations(c, objects) {
			t.Error(v)
		}
		t.Logf("AWS calls: %v", c.aws)
		t.Logf("Kubernetes calls: %v", c.kube)
	})

	t.Run("pages of one item break it", func(t *testing.T) {
		c := noOpCounts(t, emulator.Options{PageSize: 1})
		if v := budgetViolations(c, objects); len(v) == 0 {
			t.Errorf("no violation with IAM pages of one item; calls: %v", c.aws)
		}
	})

	// Last: it changes the state in dir.
	t.Run("1% changed writes exactly the changed fields", func(t *testing.T) {
		changed := onePercent(1000)
		e := openEstate(t, dir, gen.File(changed), emulator.Options{})
		if _, _, err := e.planAndApply(context.Background()); err != nil {
			t.Fatal(err)
		}
		if diff := diffWrites(expectedChangeWrites(changed), writesOf(e.takeCounts())); diff != "" {
			t.Errorf("writes (-want +got):\n%s", diff)
		}
	})
}

// TestBudgetViolations feeds the check the calls of a reader that GETs each
// ServiceAccount, or lists more often than it has pages.
func TestBudgetViolations(t *testing.T) {
	within := counts{aws: map[string]int{"iam:ListRoles": 2}, kube: map[string]map[string]int{
		"c1": {"list namespaces": 1, "list serviceaccounts": 2},
	}}
	if v := budgetViolations(within, map[string]int{"c1": 501}); len(v) != 0 {
		t.Errorf("two lists for 501 objects: %v", v)
	}
	for name, c := range map[string]counts{
		"aws":            {aws: map[string]int{"iam:GetRole": 31}, kube: map[string]map[string]int{"c1": {"list serviceaccounts": 1}}},
		"get per SA":     {kube: map[string]map[string]int{"c1": {"list serviceaccounts": 1, "get serviceaccounts": 500}}},
		"lists":          {kube: map[string]map[string]int{"c1": {"list serviceaccounts": 3}}},
		"patch":          {kube: map[string]map[string]int{"c1": {"list serviceaccounts": 1, "patch serviceaccounts": 1}}},
		"no list at all": {kube: map[string]map[string]int{"c1": {"list namespaces": 1}}},
	} {
		if v := budgetViolations(c, map[string]int{"c1": 500}); len(v) != 1 {
			t.Errorf("%s: %d violations, want 1: %v", name, len(v), v)
		}
	}
}

// expectedChangeWrites are the writes a changed estate must cost: one per
// changed field, nothing else (see gen.ChangeKind).
func expectedChangeWrites(p gen.Params) map[string]int {
	out := map[string]int{}
	for _, c := range gen.Changes(p) {
		switch c.Kind {
		case gen.ChangeDescription:
			out["iam:UpdateRole"]++
		case gen.ChangeTag:
			out["iam:TagRole"]++
		case gen.ChangeServiceAccount:
			out["iam:UpdateAssumeRolePolicy"]++
			out["k8s:patch serviceaccounts"]++
		case gen.ChangeInlinePolicy:
			out["iam:PutRolePolicy"]++
		}
	}
	return out
}

// isKubeWrite reports whether a counted Kubernetes call ("verb resource")
// changes anything: reads and dry runs do not.
func isKubeWrite(call string) bool {
	verb, _, _ := strings.Cut(call, " ")
	return verb != "get" && verb != "list" && verb != "watch" && !strings.HasPrefix(verb, "dryrun-")
}

// writesOf is the AWS writes by action plus Kubernetes writes as
// "k8s:VERB resource", all clusters together.
func writesOf(c counts) map[string]int {
	out := map[string]int{}
	for k, v := range c.awsWrites {
		out[k] += v
	}
	for _, m := range c.kube {
		for call, n := range m {
			if isKubeWrite(call) {
				out["k8s:"+call] += n
			}
		}
	}
	return out
}

func diffWrites(want, got map[string]int) string { return cmp.Diff(want, got) }
