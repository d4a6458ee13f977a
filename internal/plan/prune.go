package plan

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// prune finds what this owner holds that the file no longer declares. Only
// objects carrying this owner's tag or annotation are ever candidates, so
// two files with different owners can share accounts and clusters.
func (c *computer) prune() {
	wantRoles := map[string]bool{}
	wantPolicies := map[string]bool{}
	wantProviders := map[string]bool{}
	for _, r := range c.want.Roles {
		wantRoles[r.AccountID+"/"+strings.ToLower(r.Name)] = true
	}
	for _, p := range c.want.Policies {
		wantPolicies[p.AccountID+"/"+strings.ToLower(p.Name)] = true
	}
	for _, p := range c.want.Providers {
		wantProviders[p.ARN] = true
	}
	for _, a := range c.want.Accounts {
		acct := c.account(a.ID)
		// Roles that remain after the plan, with what they will attach and
		// trust: the desired version for the file's roles, else live.
		remaining := map[string]resource.Role{}
		for key, r := range acct.Roles {
			if wantRoles[a.ID+"/"+key] || !state.OwnedBy(r.Tags, c.want.Owner) {
				remaining[key] = r
				continue
			}
			before := r
			c.pruneable(Change{Action: Delete, Kind: resource.KindRole, Address: accountAddress(a.Name, resource.KindRole, r.Name), Account: a.Name, Role: &Diff[resource.Role]{Before: &before},
				Notes: roleDeleteNotes(r)})
		}
		for _, r := range c.want.Roles {
			if r.AccountID == a.ID {
				remaining[strings.ToLower(r.Name)] = r.Role
			}
		}
		for _, key := range resource.SortedKeys(acct.Policies) {
			p := acct.Policies[key]
			if wantPolicies[a.ID+"/"+key] || !p.TagsKnown || !state.OwnedBy(p.Tags, c.want.Owner) {
				continue
			}
			addr := accountAddress(a.Name, resource.KindPolicy, p.Name)
			if users := attachedTo(remaining, p.ARN); len(users) > 0 {
				c.warn(addr, fmt.Sprintf("no longer declared, but still attached to %s: not deleted", strings.Join(users, ", ")))
				continue
			}
			before := p.Policy
			c.pruneable(Change{Action: Delete, Kind: resource.KindPolicy, Address: addr, Account: a.Name, Policy: &Diff[resource.Policy]{Before: &before}})
		}
		for _, arn := range resource.SortedKeys(acct.Providers) {
			p := acct.Providers[arn]
			if wantProviders[arn] || !state.OwnedBy(p.Tags, c.want.Owner) {
				continue
			}
			addr := accountAddress(a.Name, resource.KindProvider, p.URL)
			if users := trustedBy(remaining, arn); len(users) > 0 {
				c.warn(addr, fmt.Sprintf("no longer needed by this file, but trusted by %s: not deleted", strings.Join(users, ", ")))
				continue
			}
			before := p
			c.pruneable(Change{Action: Delete, Kind: resource.KindProvider, Address: addr, Account: a.Name, Provider: &Diff[resource.Provider]{Before: &before}})
		}
	}
	c.pruneServiceAccounts()
	c.pruneConfigMaps()
}

func (c *computer) pruneServiceAccounts() {
	want := map[string]bool{}
	for _, sa := range c.want.ServiceAccounts {
		want[sa.Cluster+"/"+sa.Key()] = true
	}
	for _, name := range resource.SortedKeys(c.have.Clusters) {
		cl := c.have.Clusters[name]
		for _, key := range resource.SortedKeys(cl.ServiceAccounts) {
			sa := cl.ServiceAccounts[key]
			if want[name+"/"+key] || sa.Annotations[resource.OwnerAnnotation] != c.want.Owner {
				continue
			}
			addr := clusterAddress(name, sa.Namespace, sa.Name)
			before := sa.ServiceAccount
			before.Annotations = managedSubset(sa, true, nil)
			if sa.Annotations[resource.CreatedAnnotation] == "true" && onlyManager(sa.Managers) {
				c.pruneable(Change{Action: Delete, Kind: resource.KindServiceAccount, Address: addr, Cluster: name, ServiceAccount: &Diff[resource.ServiceAccount]{Before: &before}})
				continue
			}
			// Someone else owns part of it (or created it): remove only
			// what irsa-sync set.
			after := sa.ServiceAccount
			after.Annotations = map[string]string{}
			c.pruneable(Change{Action: Update, Kind: resource.KindServiceAccount, Address: addr, Cluster: name,
				ServiceAccount: &Diff[resource.ServiceAccount]{Before: &before, After: &after}, Fields: annotationFields(before.Annotations, after.Annotations),
				Notes: []Note{{Kind: NoteSharedServiceAccount}, {Kind: NoteRestart}}})
		}
	}
}

func roleDeleteNotes(r resource.Role) []Note {
	var notes []Note
	if n := len(r.ManagedPolicies); n > 0 {
		notes = append(notes, Note{Kind: NoteDetachesPolicies, Count: n})
	}
	if n := len(r.InlinePolicies); n > 0 {
		notes = append(notes, Note{Kind: NoteDeletesInline, Count: n})
	}
	return notes
}

func attachedTo(roles map[string]resource.Role, arn string) []string {
	var out []string
	for _, key := range resource.SortedKeys(roles) {
		for _, p := range roles[key].ManagedPolicies {
			if p == arn {
				out = append(out, roles[key].Name)
			}
		}
	}
	return out
}

func trustedBy(roles map[string]resource.Role, providerARN string) []string {
	var out []string
	for _, key := range resource.SortedKeys(roles) {
		for _, g := range trust.Read(roles[key].Trust) {
			if strings.Contains(g.Principal, providerARN) {
				out = append(out, roles[key].Name)
				break
			}
		}
	}
	return out
}

func onlyManager(managers []string) bool {
	for _, m := range managers {
		if m != resource.FieldManager {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
