package plan

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// chainWarnings says when a role chain stays within one account: binding the
// source's service accounts to the target directly gives the same access in
// one step, without the one-hour session limit IAM puts on chained roles
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
// The file's validation has no warnings, so the plan says it.
func (c *computer) chainWarnings() {
	for _, want := range c.want.Roles {
		for _, src := range want.AssumedFrom {
			if src.AccountID != want.AccountID {
				continue
			}
			c.warn(accountAddress(want.Account, resource.KindRole, want.Name), fmt.Sprintf(
				"assumed by chaining from role %q of the same account: binding %q's service accounts to this role directly (serviceAccounts) gives the same access without a second AssumeRole, and without the one-hour limit on chained sessions; chaining is for a role in another account",
				src.Name, src.Name))
		}
	}
}

// chainDepths gives each created or updated role the number of chaining
// hops from the roles of the plan its trust names, so that sorting puts a
// source role before the targets whose trust names it: IAM refuses a trust
// naming a role that does not exist yet (MalformedPolicyDocument "Invalid
// principal in policy"). Roles that name no role of the plan are 0.
func chainDepths(cs []Change) map[string]int {
	names := map[string][]string{} // role ARN → role ARNs its desired trust names
	addr := map[string]string{}    // role ARN → address
	for _, ch := range cs {
		if ch.Kind != resource.KindRole || ch.Action == Delete || ch.Role == nil || ch.Role.After == nil {
			continue
		}
		names[ch.Role.After.ARN] = trust.RolePrincipals(ch.Role.After.Trust)
		addr[ch.Role.After.ARN] = ch.Address
	}
	depth := map[string]int{}
	visiting := map[string]bool{}
	var of func(arn string) int
	of = func(arn string) int {
		if d, ok := depth[arn]; ok {
			return d
		}
		if visiting[arn] {
			return 0 // a cycle, which validation refuses; any order will do
		}
		visiting[arn] = true
		d := 0
		for _, p := range names[arn] {
			if _, inPlan := names[p]; inPlan && p != arn {
				d = max(d, of(p)+1)
			}
		}
		depth[arn] = d
		return d
	}
	out := map[string]int{}
	for arn, a := range addr {
		out[a] = of(arn)
	}
	return out
}
