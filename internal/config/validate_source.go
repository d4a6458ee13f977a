package config

import "strings"

// checkSourceRoles checks the sourceRoles of cross-account Pod Identity
// bindings against IAM's naming rule: role names are unique within an
// account whatever their case and path (CreateRole: "Role names are not
// distinguished by case"). A source role lives in each cluster account the
// role is bound in via Pod Identity, on its target's path, so it may not be
// a role the file declares there, and two targets sharing one sourceRole
// must give it one path and one spelling. desired.Build refuses the same
// files; here each is reported with its line, before any read.
func (v *validator) checkSourceRoles() {
	type source struct {
		name, path string
		role       int
	}
	declared := map[accountKey]int{}
	for i, r := range v.f.Roles {
		if _, dup := declared[keyOf(r.Account, r.Name)]; !dup {
			declared[keyOf(r.Account, r.Name)] = i
		}
	}
	sources := map[accountKey]source{}
	for i, r := range v.f.Roles {
		if r.SourceRole == "" {
			continue
		}
		p := at("roles", i, "sourceRole")
		for _, account := range v.sourceAccounts(r) {
			key := keyOf(account, r.SourceRole)
			if j, ok := declared[key]; ok {
				v.add(p, "sourceRole %q would be a role irsa-sync manages in account %q, where roles[%d] (%s) is declared: IAM role names are unique within an account whatever their case and path; name another sourceRole", r.SourceRole, account, j, v.f.Roles[j].Name)
				continue
			}
			here := source{name: r.SourceRole, path: rolePath(r.Path), role: i}
			prev, seen := sources[key]
			switch {
			case !seen:
				sources[key] = here
			case prev.path != here.path || prev.name != here.name:
				v.add(p, "sourceRole %q in account %q is also the sourceRole of roles[%d] (%s) as %q on path %s, and a source role takes its target's path: IAM keeps one role of a name per account, so give the two roles one path and one spelling, or different sourceRoles", r.SourceRole, account, prev.role, v.f.Roles[prev.role].Name, prev.name, prev.path)
			}
		}
	}
}

// sourceAccounts are the cluster accounts, other than the role's own, in
// which the role is bound via Pod Identity: where its source role lives.
func (v *validator) sourceAccounts(r Role) []string {
	var out []string
	seen := map[string]bool{}
	for _, sa := range r.ServiceAccounts {
		c, ok := v.cluster(sa.Cluster)
		if !ok || c.Account == r.Account || !UsesPodIdentity(v.f.ViaOf(sa)) || seen[strings.ToLower(c.Account)] {
			continue
		}
		seen[strings.ToLower(c.Account)] = true
		out = append(out, c.Account)
	}
	return out
}
