package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
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

// TestSharedIssuerIsAnError checks that two clusters whose live issuers are
// one (read from EKS, so validation could not see it) block the plan,
// named both; issuers differing only in case or a trailing slash are one.
func TestSharedIssuerIsAnError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, second string
		want         []Problem
	}{
		{name: "distinct issuers", second: "https://oidc.eks.eu-west-1.amazonaws.com/id/OTHER"},
		{name: "one issuer", second: "https://" + issuer, want: []Problem{{Address: "cluster/c2",
			Message: `clusters "c1" and "c2" have one OIDC issuer, https://` + issuer + `: their service accounts cannot be told apart (same issuer, same subject), so a role bound in one would trust the other's; if they are one cluster, declare it once, else check the clusters' names and regions`}}},
		{name: "one issuer, other case and a trailing slash", second: "https://" + strings.ToUpper(issuer) + "/", want: []Problem{{Address: "cluster/c2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, have := fixture()
			have.Clusters["c1"].Issuer = "https://" + issuer
			have.Clusters["c2"] = &state.Cluster{Name: "c2", Issuer: tc.second}
			p := Compute(want, have, Options{})
			opts := []cmp.Option{cmpopts.EquateEmpty()}
			if len(tc.want) > 0 && tc.want[0].Message == "" {
				opts = append(opts, cmpopts.IgnoreFields(Problem{}, "Message"))
			}
			if diff := cmp.Diff(tc.want, p.Errors, opts...); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
