package plan

import (
	"sort"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// RoleAccess is who gains and who loses the ability to assume one role with
// the plan's changes: the reviewer's question in a pull request is "who can
// now assume what that could not before", not which JSON changed.
type RoleAccess struct {
	Address string
	// Account is the file's name of the role's account, Role its name.
	Account string
	Role    string
	Action  Action
	access.Change
}

// Names turn the ids of trusts into the names the file uses: cluster names
// by issuer host, account names by id, role names by ARN. Renderers read
// them so that a reviewer sees "prod-use1/web/api", not an issuer id.
type Names struct {
	Clusters map[string]string `json:"clusters"`
	Accounts map[string]string `json:"accounts"`
	Roles    map[string]string `json:"roles"`
}

// Resolver is the names as access reads them, for a role of that ARN's
// partition.
func (n Names) Resolver(roleARN string) access.Resolver {
	return access.Resolver{Clusters: n.Clusters, Accounts: n.Accounts, Roles: n.Roles, Partition: partition.OfARN(roleARN)}
}

// names collects the names of the file and of the live clusters. A cluster
// the file names by an issuer override and the live state by another keeps
// both issuers; the live one wins for the same issuer.
func (c *computer) names() Names {
	n := Names{Clusters: map[string]string{}, Accounts: map[string]string{}, Roles: map[string]string{}}
	for _, p := range c.want.Providers {
		if len(p.Clusters) > 0 {
			n.Clusters[resource.IssuerHost(p.URL)] = p.Clusters[0]
		}
	}
	for name, issuer := range c.have.Issuers() {
		if issuer != "" {
			n.Clusters[resource.IssuerHost(issuer)] = name
		}
	}
	for _, a := range c.want.Accounts {
		n.Accounts[a.ID] = a.Name
	}
	for _, r := range c.want.Roles {
		n.Roles[r.ARN] = r.Name
	}
	return n
}

// AccessChanges returns, for every role change of the plan that changes who
// can assume the role, the subjects gained and lost, sorted by address.
func AccessChanges(changes []Change, names Names) []RoleAccess {
	var out []RoleAccess
	for _, ch := range changes {
		if ch.Role == nil {
			continue
		}
		var arn string
		var before, after resource.Role
		if ch.Role.Before != nil {
			before, arn = *ch.Role.Before, ch.Role.Before.ARN
		}
		if ch.Role.After != nil {
			after, arn = *ch.Role.After, ch.Role.After.ARN
		}
		d := access.Diff(before.Trust, after.Trust, names.Resolver(arn))
		if d.IsZero() {
			continue
		}
		name := after.Name
		if name == "" {
			name = before.Name
		}
		out = append(out, RoleAccess{Address: ch.Address, Account: ch.Account, Role: name, Action: ch.Action, Change: d})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// Widens reports whether any role's access widens.
func (p *Plan) Widens() bool {
	for _, a := range p.Access {
		if len(a.Widened) > 0 {
			return true
		}
	}
	return false
}

// Deletes reports whether the plan deletes an object.
func (p *Plan) Deletes() bool { return p.Summary().Delete > 0 }
