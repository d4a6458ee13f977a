package plan

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// accountQuotas refuses a plan that would take an account past the number
// of roles or OIDC providers it may hold: IAM would refuse the create past
// the quota (LimitExceeded) in the middle of an apply, after the writes
// before it. Counted: the objects the account holds now (all of them,
// whoever's), plus the plan's creates, minus its deletes (with --prune).
// Quotas: RolesQuota from GetAccountSummary; OIDC providers per account,
// which GetAccountSummary does not report, from settings or IAM's default
// of 100 ("IAM and AWS STS quotas").
func (c *computer) accountQuotas() {
	type count struct{ create, delete int }
	counts := map[string]map[resource.Kind]*count{} // by account name
	for _, ch := range c.plan.Changes {
		if ch.Account == "" || (ch.Kind != resource.KindRole && ch.Kind != resource.KindProvider) {
			continue
		}
		if counts[ch.Account] == nil {
			counts[ch.Account] = map[resource.Kind]*count{resource.KindRole: {}, resource.KindProvider: {}}
		}
		n := counts[ch.Account][ch.Kind]
		switch ch.Action {
		case Create:
			n.create++
		case Delete:
			n.delete++
		}
	}
	for _, a := range c.want.Accounts {
		byKind := counts[a.Name]
		if byKind == nil {
			continue
		}
		acct := c.account(a.ID)
		for _, q := range []struct {
			kind        resource.Kind
			one, many   string
			quota       string
			have, limit int
			howToRaise  string
		}{
			{resource.KindRole, "role", "roles", "RolesQuota", len(acct.Roles), acct.Quotas.Roles,
				"delete roles the account no longer needs, or have the quota raised (Service Quotas, IAM \"Roles per account\")"},
			{resource.KindProvider, "OIDC provider", "OIDC providers", "OIDC providers per account quota", len(acct.Providers), acct.Quotas.OIDCProviders,
				"delete providers of clusters that are gone, or have the quota raised (Service Quotas) and set settings.oidcProvidersQuota"},
		} {
			n := byKind[q.kind]
			after := q.have + n.create - n.delete
			if n.create == 0 || q.limit <= 0 || after <= q.limit {
				continue
			}
			c.fail("account/"+a.Name, fmt.Sprintf("the plan creates %d %s (and deletes %d) in account %s, which holds %d: %d, %d over its %s of %d; %s",
				n.create, plural(n.create, q.one, q.many), n.delete, a.ID, q.have, after, after-q.limit, q.quota, q.limit, q.howToRaise))
		}
	}
}
