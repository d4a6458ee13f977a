package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// missingRefs is a file whose roles name a permissions boundary and an
// AWS-managed policy that do not exist; n roles of the same shape follow.
func missingRefs(n int) string {
	var b strings.Builder
	b.WriteString(`
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
roles:
`)
	for i := range n {
		fmt.Fprintf(&b, `  - name: app-%d
    account: prod
    permissionsBoundary: arn:aws:iam::111122223333:policy/no-such-boundary
    policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess, arn:aws:iam::aws:policy/NoSuchManagedPolicy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: app-%d}
`, i, i)
	}
	return b.String()
}

// TestMissingReferencesRefusePlan: a role whose permissions boundary and
// one of whose managed policies do not exist makes a blocked plan naming
// both (and the field of the file), before anything is written; the read
// that finds out is one list per partition, the same for 1 role and 20.
func TestMissingReferencesRefusePlan(t *testing.T) {
	t.Parallel()
	calls := map[int]map[string]int{}
	for _, n := range []int{1, 20} {
		h := newHarness(t, sandbox.Options{}).use(missingRefs(n))
		h.resetCalls()
		p := h.plan(plan.Options{})
		calls[n] = h.sb.Emulator.Calls()
		if !p.Blocked() {
			t.Fatalf("%d roles: plan not blocked: %v", n, changeLines(p.Changes))
		}
		// The lines of each role's boundary and policies, counted in the
		// text the file was written from.
		var boundaryLines, policyLines []int
		for k, l := range strings.Split(missingRefs(n), "\n") {
			switch {
			case strings.HasPrefix(l, "    permissionsBoundary:"):
				boundaryLines = append(boundaryLines, k+1)
			case strings.HasPrefix(l, "    policies:"):
				policyLines = append(policyLines, k+1)
			}
		}
		file := h.file.Source.Name()
		var want []string
		for i := range n {
			want = append(want,
				fmt.Sprintf("account/prod/role/app-%d: %s:%d: roles[%d].permissionsBoundary: no policy arn:aws:iam::111122223333:policy/no-such-boundary exists in account 111122223333: correct the ARN, or create the policy first", i, file, boundaryLines[i], i),
				fmt.Sprintf("account/prod/role/app-%d: %s:%d: roles[%d].policies[1]: no AWS-managed policy arn:aws:iam::aws:policy/NoSuchManagedPolicy exists: correct the ARN, or create the policy first", i, file, policyLines[i], i))
		}
		got := problems(p.Errors)
		// Problems sort by address (app-10 before app-2): compare as sets.
		less := func(a, b string) bool { return a < b }
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(less)); diff != "" {
			t.Errorf("%d roles: errors (-want +got):\n%s", n, diff)
		}
		if w := h.writes(); len(w) > 0 {
			t.Errorf("%d roles: plan wrote %v", n, w)
		}
	}
	if calls[1]["iam:ListPolicies"] != 1 {
		t.Errorf("iam:ListPolicies called %d times, want once", calls[1]["iam:ListPolicies"])
	}
	if diff := cmp.Diff(calls[1], calls[20]); diff != "" {
		t.Errorf("AWS calls grow with the number of roles (-1 role +20 roles):\n%s", diff)
	}
}
