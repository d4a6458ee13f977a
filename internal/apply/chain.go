package apply

import (
	"slices"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// namesRoleOf reports whether c is a role create or update whose desired
// trust names a role that one of the changes in phase creates or updates.
// Such a role must wait for the other (role chaining): IAM refuses a trust
// naming a role that does not exist yet, MalformedPolicyDocument "Invalid
// principal in policy". The plan sorts sources before their targets, so
// starting a new phase at c is enough.
func namesRoleOf(cs []plan.Change, phase []int, c plan.Change) bool {
	if c.Kind != resource.KindRole || c.Action == plan.Delete || c.Role == nil || c.Role.After == nil {
		return false
	}
	named := trust.RolePrincipals(c.Role.After.Trust)
	for _, i := range phase {
		if r := cs[i].Role; r != nil && r.After != nil && slices.Contains(named, r.After.ARN) {
			return true
		}
	}
	return false
}
