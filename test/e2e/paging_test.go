package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// generated returns a bindings file with n roles in one account, each bound
// to one ServiceAccount, sharing two policies; odd roles carry an inline
// policy. With changed, a few things differ: policy p0's document, role
// r01's description, a second binding of r02, and the last role is gone.
func generated(n int, changed bool) string {
	var b strings.Builder
	b.WriteString(`apiVersion: irsa-sync/v1
kind: Bindings
owner: team-gen
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
`)
	for i, action := range []string{"s3:GetObject", "sqs:ReceiveMessage"} {
		if changed && i == 0 {
			action = "s3:PutObject"
		}
		fmt.Fprintf(&b, "  - {name: p%d, account: prod, document: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: %s, Resource: \"*\"}]}}\n", i, action)
	}
	b.WriteString("roles:\n")
	for i := range n {
		if changed && i == n-1 && n > 1 {
			break
		}
		desc := fmt.Sprintf("role %d", i)
		if changed && i == 1 {
			desc = "changed"
		}
		fmt.Fprintf(&b, "  - name: r%02d\n    account: prod\n    description: %q\n    tags: {index: %q}\n    policies: [p%d]\n", i, desc, fmt.Sprint(i), i%2)
		if i%2 == 1 {
			b.WriteString("    inlinePolicies: {logs: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: logs:PutLogEvents, Resource: \"*\"}]}}\n")
		}
		fmt.Fprintf(&b, "    serviceAccounts:\n      - {cluster: c1, namespace: apps, name: sa-%02d}\n", i)
		if changed && i == 2 {
			b.WriteString("      - {cluster: c1, namespace: jobs, name: \"*\"}\n")
		}
	}
	return b.String()
}

// TestPageSizeOneGivesTheSamePlan computes the plan of a changed file on the
// same state with IAM's default page size and with pages of one item: the
// reader must follow every Marker, and the output must be deterministic.
func TestPageSizeOneGivesTheSamePlan(t *testing.T) {
	h := newHarness(t, sandbox.Options{}).use(generated(6, false))
	h.apply(plan.Options{})
	changed := generated(6, true)

	plans := map[string]*plan.Plan{}
	calls := map[string]map[string]int{}
	for _, tc := range []struct {
		name string
		opts sandbox.Options
	}{
		{"default", sandbox.Options{}},
		{"page size 1", sandbox.Options{Emulator: emulator.Options{PageSize: 1}}},
	} {
		h.opts = tc.opts
		h.use(changed)
		h.resetCalls()
		plans[tc.name] = h.plan(plan.Options{})
		calls[tc.name] = h.sb.Emulator.Calls()
	}

	def, one := plans["default"], plans["page size 1"]
	wantChanges := []string{
		"update account/prod/policy/p0 [document]",
		"update account/prod/role/r01 [description]",
		"update account/prod/role/r02 [trust]",
	}
	if diff := cmp.Diff(wantChanges, changeLines(def.Changes)); diff != "" {
		t.Errorf("changes at the default page size (-want +got):\n%s", diff)
	}
	wantPruneable := []string{
		"delete cluster/c1/serviceaccount/apps/sa-05",
		"delete account/prod/role/r05",
	}
	if diff := cmp.Diff(wantPruneable, changeLines(def.Pruneable)); diff != "" {
		t.Errorf("pruneable at the default page size (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(def, one, cmpDocs); diff != "" {
		t.Errorf("plan at page size 1 differs from the default (-default +size 1):\n%s", diff)
	}
	a, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(one)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("JSON plans differ:\ndefault:     %s\npage size 1: %s", a, b)
	}

	// The small pages must really have been paged, or the test proves
	// nothing: 6 roles and 2 policies (plus nothing else) in the account.
	for _, action := range []string{"iam:ListRoles", "iam:GetAccountAuthorizationDetails"} {
		if calls["default"][action] != 1 || calls["page size 1"][action] < 6 {
			t.Errorf("%s: %d calls at the default page size, %d at page size 1; want 1 and at least 6",
				action, calls["default"][action], calls["page size 1"][action])
		}
	}
}
