package e2e

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// narrowFile has three roles in one account sharing a policy, each bound to
// two ServiceAccounts in two clusters.
const narrowFile = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
  - {name: c2, account: prod, region: eu-west-1}
policies:
  - name: shared
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
roles:
  - name: alpha
    account: prod
    policies: [shared]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: alpha}
      - {cluster: c2, namespace: apps, name: alpha}
  - name: beta
    account: prod
    policies: [shared]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: beta}
      - {cluster: c2, namespace: apps, name: beta}
  - name: gamma
    account: prod
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: gamma}
      - {cluster: c2, namespace: apps, name: gamma}
`

// TestFailedRoleSkipsOnlyItsServiceAccounts makes the first iam:CreateRole
// of an apply from empty fail, as IAM answers a role whose permissions
// boundary does not exist (NoSuchEntity, which the SDK does not retry).
// Only that role's ServiceAccounts are skipped, each naming the role it
// waited on; the other roles and all their ServiceAccounts, in both
// clusters, are applied.
func TestFailedRoleSkipsOnlyItsServiceAccounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(narrowFile)
	var once sync.Once
	h.sb.Emulator.SetFault(func(service, action string) error {
		var err error
		if service == "iam" && action == "CreateRole" {
			once.Do(func() {
				err = &emulator.APIError{Status: 404, Code: "NoSuchEntity", Message: "injected: Scope ARN: arn:aws:iam::111122223333:policy/missing does not exist or is not attachable."}
			})
		}
		return err
	})
	p := h.plan(plan.Options{})
	report, err := h.run(p)
	h.sb.Emulator.SetFault(nil)
	if err == nil {
		t.Fatal("apply with a failing CreateRole succeeded")
	}
	var failed string
	for _, r := range report.Results {
		if r.Status == plan.Failed {
			if failed != "" {
				t.Fatalf("two changes failed: %s and %s", failed, r.Address)
			}
			failed = r.Address
		}
	}
	name, ok := strings.CutPrefix(failed, "account/prod/role/")
	if !ok {
		t.Fatalf("the failed change is %q, want a role", failed)
	}

	type outcome struct{ Address, Status, WaitedOn string }
	var want, got []outcome
	for _, r := range report.Results {
		got = append(got, outcome{r.Address, string(r.Status), r.WaitedOn})
		w := outcome{Address: r.Address, Status: "applied"}
		switch {
		case r.Address == failed:
			w.Status = "failed"
		case strings.HasSuffix(r.Address, "/serviceaccount/apps/"+name):
			w.Status, w.WaitedOn = "skipped", failed
		}
		want = append(want, w)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "1 of 12 changes failed, 2 not started; 9 applied") {
		t.Errorf("apply error %q does not count what happened", err)
	}
	// What was applied is really there, and what was skipped is not.
	for _, cluster := range []string{"c1", "c2"} {
		for _, role := range []string{"alpha", "beta", "gamma"} {
			sa := h.serviceAccount(cluster, "apps", role)
			if exists := sa != nil; exists != (role != name) {
				t.Errorf("service account apps/%s in %s exists: %t, want %t", role, cluster, exists, role != name)
			}
		}
	}
	// A rerun finishes exactly the failed role and its ServiceAccounts.
	rerun := changeLines(h.plan(plan.Options{}).Changes)
	wantRerun := []string{"create " + failed, "create cluster/c1/serviceaccount/apps/" + name, "create cluster/c2/serviceaccount/apps/" + name}
	if diff := cmp.Diff(wantRerun, rerun); diff != "" {
		t.Errorf("rerun plan (-want +got):\n%s", diff)
	}
}
