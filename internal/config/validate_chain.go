package config

import (
	"slices"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// checkChains checks role chaining (assumedFrom): each source is one role of
// this file, other than the target, listed once, and bound to service
// accounts (a pod's IRSA role starts every chain); chains form no cycle; and
// no role declares an inline policy of the name irsa-sync writes for chains.
func (v *validator) checkChains() {
	for i, r := range v.f.Roles {
		if _, ok := r.InlinePolicies[resource.ChainPolicyName]; ok {
			v.add(at("roles", i, "inlinePolicies", resource.ChainPolicyName), "inline policy name %q is irsa-sync's own: it holds the sts:AssumeRole permission of chained roles (assumedFrom): rename this policy", resource.ChainPolicyName)
		}
		seen := map[int]int{}
		for j, src := range r.AssumedFrom {
			p := at("roles", i, "assumedFrom", j)
			k, ok := v.chainSource(p, src)
			if !ok {
				continue
			}
			switch prev, dup := seen[k]; {
			case k == i:
				v.add(p.with("role"), "role %q cannot chain from itself: name another role of this file, or remove the entry", r.Name)
			case dup:
				v.add(p.with("role"), "role %q is already listed as assumedFrom[%d]: list each source role once", src.Role, prev)
			case len(v.f.Roles[k].ServiceAccounts) == 0:
				v.add(p.with("role"), "role %q (roles[%d]) has no service accounts, so no pod can start the chain: bind service accounts to it, since a chain starts from a pod's own role", src.Role, k)
			}
			seen[k] = j
		}
	}
	v.checkChainCycles()
	v.checkProfileConfigMaps()
}

// chainSource resolves a source to its index in f.Roles, reporting why it
// cannot.
func (v *validator) chainSource(p path, src ChainSource) (int, bool) {
	if src.Role == "" {
		v.add(p.with("role"), "role is required: the name of a role under roles whose service accounts may assume this role")
		return 0, false
	}
	if src.Account != "" {
		if _, ok := v.accounts[src.Account]; !ok {
			v.checkAccountRef(p.with("account"), src.Account, "source role")
			return 0, false
		}
	}
	var found []int
	for k, r := range v.f.Roles {
		if r.Name == src.Role && (src.Account == "" || r.Account == src.Account) {
			found = append(found, k)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true
	case len(found) > 1:
		var accts []string
		for _, k := range found {
			accts = append(accts, v.f.Roles[k].Account)
		}
		v.add(p.with("role"), "roles named %q are declared in accounts %s: say which with account", src.Role, quoteList(accts))
	case src.Account != "":
		v.add(p.with("role"), "no role named %q in account %q under roles: a chain starts from a role this file declares; declare it, or fix the name", src.Role, src.Account)
	default:
		v.add(p.with("role"), "no role named %q under roles: a chain starts from a role this file declares; declare it, or fix the name", src.Role)
	}
	return 0, false
}

// checkChainCycles refuses chains that lead back to where they start: each
// role of such a cycle could reach every other by chaining, which is never
// what a reviewer reads from one assumedFrom entry. A cycle is reported once,
// at the assumedFrom of its first role in the file.
func (v *validator) checkChainCycles() {
	sources := make([][]int, len(v.f.Roles))
	for i, r := range v.f.Roles {
		for _, src := range r.AssumedFrom {
			if k, ok := v.lookupChainSource(src); ok && k != i {
				sources[i] = append(sources[i], k)
			}
		}
	}
	const (
		unvisited = iota
		onStack
		done
	)
	mark := make([]int, len(v.f.Roles))
	var stack []int
	reported := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		mark[i] = onStack
		stack = append(stack, i)
		for _, k := range sources[i] {
			switch mark[k] {
			case unvisited:
				visit(k)
			case onStack:
				cycle := slices.Clone(stack[slices.Index(stack, k):])
				first := slices.Min(cycle)
				if reported[first] {
					continue
				}
				reported[first] = true
				var names []string
				for _, c := range cycle {
					names = append(names, v.f.Roles[c].Name)
				}
				names = append(names, v.f.Roles[k].Name)
				v.add(at("roles", first, "assumedFrom"), "role chain cycle %s (x ← y: role x is assumed from role y): remove one of these assumedFrom entries", strings.Join(names, " ← "))
			}
		}
		stack = stack[:len(stack)-1]
		mark[i] = done
	}
	for i := range v.f.Roles {
		if mark[i] == unvisited {
			visit(i)
		}
	}
}

// lookupChainSource is chainSource without reports, for checks that run
// after it.
func (v *validator) lookupChainSource(src ChainSource) (int, bool) {
	k, n := 0, 0
	for j, r := range v.f.Roles {
		if r.Name == src.Role && (src.Account == "" || r.Account == src.Account) {
			k, n = j, n+1
		}
	}
	return k, n == 1
}
