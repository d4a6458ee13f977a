package plan

import (
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Reach is who a change of a customer-managed policy reaches: every role,
// of the file or live, that attaches it, and per role the subjects its
// trust admits. A shared policy edited for one team changes every team's
// pods; the reviewer should see them all.
type Reach struct {
	Address string
	Policy  string // the policy's ARN
	Roles   []ReachRole
}

// ReachRole is one role attaching a changed policy. Account is the file's
// name of its account (the id for an account the file does not name).
type ReachRole struct {
	Account  string
	Role     string
	ARN      string
	Subjects []access.Subject
}

// reach returns the reach of every policy update of the plan. A role of the
// file counts as the file declares it (its attachments and trust after
// apply); a live role the file does not declare counts as it is.
func (c *computer) reach(changes []Change, names Names) []Reach {
	var out []Reach
	for _, ch := range changes {
		if ch.Policy == nil || ch.Action != Update || ch.Policy.After == nil {
			continue
		}
		arn := ch.Policy.After.ARN
		roles := map[string]ReachRole{}
		declared := map[string]bool{}
		for _, r := range c.want.Roles {
			declared[strings.ToLower(r.ARN)] = true
			if containsFold(r.ManagedPolicies, arn) {
				roles[r.ARN] = c.reachRole(r.Account, r.Role, names)
			}
		}
		for _, id := range resource.SortedKeys(c.have.Accounts) {
			for _, r := range c.have.Accounts[id].Roles {
				if !declared[strings.ToLower(r.ARN)] && containsFold(r.ManagedPolicies, arn) {
					roles[r.ARN] = c.reachRole(c.want.AccountName(id), r, names)
				}
			}
		}
		rc := Reach{Address: ch.Address, Policy: arn}
		for _, k := range resource.SortedKeys(roles) {
			rc.Roles = append(rc.Roles, roles[k])
		}
		out = append(out, rc)
	}
	return out
}

func (c *computer) reachRole(account string, r resource.Role, names Names) ReachRole {
	subs, _ := access.Of(r.Trust, names.Resolver(r.ARN))
	return ReachRole{Account: account, Role: r.Name, ARN: r.ARN, Subjects: subs}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
