package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

func TestMissingReferencesAreErrors(t *testing.T) {
	t.Parallel()
	const (
		readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		noSuch   = "arn:aws:iam::aws:policy/NoSuchPolicy"
	)
	livePolicy := resource.PolicyARN("aws", acct, "/", "live")
	declared := resource.PolicyARN("aws", acct, "/team/", "declared")
	tests := []struct {
		name     string
		boundary string
		policies []string
		managed  map[string]bool // nil: the AWS-managed list was not read
		want     []Problem
	}{
		{name: "all exist: AWS-managed, live and declared customer policies", boundary: livePolicy,
			policies: []string{readOnly, declared, livePolicy}, managed: map[string]bool{readOnly: true}},
		{name: "missing boundary and missing AWS-managed policy, both named", boundary: resource.PolicyARN("aws", acct, "/", "gone"),
			policies: []string{noSuch, readOnly}, managed: map[string]bool{readOnly: true},
			want: []Problem{
				{"account/prod/role/app", "roles[2].permissionsBoundary: no policy arn:aws:iam::111122223333:policy/gone exists in account 111122223333: correct the ARN, or create the policy first"},
				{"account/prod/role/app", "roles[2].policies: no AWS-managed policy arn:aws:iam::aws:policy/NoSuchPolicy exists: correct the ARN, or create the policy first"},
			}},
		{name: "a live policy of the same name under another path is another ARN",
			policies: []string{resource.PolicyARN("aws", acct, "/other/", "live")},
			want: []Problem{
				{"account/prod/role/app", "roles[2].policies: no policy arn:aws:iam::111122223333:policy/other/live exists in account 111122223333: correct the ARN, or create the policy first"},
			}},
		{name: "a policy of another account",
			policies: []string{resource.PolicyARN("aws", "444455556666", "/", "live")},
			want: []Problem{
				{"account/prod/role/app", "roles[2].policies: policy arn:aws:iam::444455556666:policy/live belongs to account 444455556666, not to the role's account 111122223333, and IAM attaches only the account's own and AWS-managed policies: correct the ARN, or create the policy first"},
			}},
		{name: "the AWS-managed list not read: not checked", policies: []string{noSuch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := fixture()
			want.Roles[0].Index = 2
			want.Roles[0].PermissionsBoundary = tt.boundary
			want.Roles[0].ManagedPolicies = tt.policies
			want.Policies = []desired.Policy{{Account: "prod", Policy: resource.Policy{AccountID: acct, Name: "declared", Path: "/team/", ARN: declared,
				Tags: map[string]string{resource.OwnerTag: owner}}}}
			have.Accounts[acct].Policies["live"] = state.Policy{Policy: resource.Policy{AccountID: acct, Name: "live", Path: "/", ARN: livePolicy}}
			have.AWSManagedPolicies = tt.managed
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(tt.want, p.Errors, cmpEmptyProblems); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if p.Blocked() != (len(tt.want) > 0) {
				t.Errorf("blocked = %t with errors %v", p.Blocked(), p.Errors)
			}
		})
	}
}

var cmpEmptyProblems = cmp.FilterValues(func(a, b []Problem) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())
