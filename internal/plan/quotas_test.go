package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// TestRolesQuotaCountsCreatesAndPrunes checks the count against RolesQuota:
// roles held (whoever's) plus creates minus the deletes of --prune.
func TestRolesQuotaCountsCreatesAndPrunes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		quota int
		prune bool
		want  []Problem
	}{
		// Held: app and old (this owner's, undeclared); created: new.
		{name: "three roles, quota 3", quota: 3},
		{name: "three roles, quota 2", quota: 2, want: []Problem{{Address: "account/prod",
			Message: `the plan creates 1 role (and deletes 0) in account 111122223333, which holds 2: 3, 1 over its RolesQuota of 2; delete roles the account no longer needs, or have the quota raised (Service Quotas, IAM "Roles per account")`}}},
		{name: "prune makes room", quota: 2, prune: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := fixture()
			a := have.Accounts[acct]
			a.Quotas.Roles = tt.quota
			old := a.Roles["app"]
			old.Name, old.ARN = "old", resource.RoleARN("aws", acct, "/", "old")
			a.Roles["old"] = old
			extra := want.Roles[0]
			extra.Name, extra.ARN = "new", resource.RoleARN("aws", acct, "/", "new")
			want.Roles = append(want.Roles, extra)
			p := Compute(want, have, Options{Prune: tt.prune})
			if diff := cmp.Diff(tt.want, p.Errors, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
