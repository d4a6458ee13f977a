package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// chainSource is a role a chain statement may name: one the file will
// declare, bound to service accounts (validation refuses a source without,
// since a pod's own role starts every chain).
type chainSource struct {
	ref  config.ChainSource
	cand *candidate // nil for a role the input declares
}

// resolveChains turns each candidate's chain statements into assumedFrom
// entries naming roles the file declares, and the rest into problems.
// Whether a role is kept depends on its chains, and whether a chain
// resolves on its source being kept, so this repeats until nothing
// changes: each round can only leave out more roles, so it ends.
func (b *builder) resolveChains() {
	declared := b.declaredSources()
	byARN := map[string]*candidate{}
	for _, c := range b.cands {
		byARN[strings.ToLower(c.live.ARN)] = c
		c.kept = c.keep(b.opts.IncludeUnrepresentable)
	}
	for round := 0; round <= len(b.cands)+1; round++ {
		changed := false
		for _, c := range b.cands {
			c.role.AssumedFrom, c.chainProblems = nil, nil
			chains := append([]chainRef(nil), c.tr.Chains...)
			sort.Slice(chains, func(i, j int) bool { return chains[i].Role < chains[j].Role })
			c.namesCandidate = false
			for _, arn := range c.tr.RoleRefs {
				if src := byARN[strings.ToLower(arn)]; src != nil && !src.chainOnly && src != c {
					c.namesCandidate = true
				}
			}
			for _, ch := range chains {
				src, why := b.chainSource(c, ch, byARN, declared)
				if why != "" {
					c.chainProblems = append(c.chainProblems, fmt.Sprintf("a trust statement names the principal %s; %s", policyText(map[string]any{"AWS": ch.Role}), why))
					continue
				}
				ref := src.ref
				ref.TagSession = ch.TagSession
				c.role.AssumedFrom = append(c.role.AssumedFrom, ref)
			}
			if k := c.keep(b.opts.IncludeUnrepresentable); k != c.kept {
				c.kept, changed = k, true
			}
		}
		if !changed {
			return
		}
	}
}

// chainSource finds the role a chain statement of c names, or why the file
// cannot say it.
func (b *builder) chainSource(c *candidate, ch chainRef, byARN map[string]*candidate, declared map[string]config.ChainSource) (chainSource, string) {
	key := strings.ToLower(ch.Role)
	if ref, ok := declared[key]; ok {
		return chainSource{ref: ref}, ""
	}
	src := byARN[key]
	switch {
	case src == c:
		return chainSource{}, "a role chaining from itself is not something the file says (assumedFrom names another role)"
	case src == nil || src.chainOnly:
		return chainSource{}, "irsa-sync writes such a statement only for a role import also writes with service accounts (assumedFrom), and this one is not (another account, not bound to a listed cluster, or left out)"
	case !src.kept:
		return chainSource{}, fmt.Sprintf("role %s is left out of the file (see its report), so the chain cannot be written as assumedFrom", src.role.Name)
	case len(src.role.ServiceAccounts) == 0:
		return chainSource{}, fmt.Sprintf("role %s binds no service account, and a chain starts from a pod's own role", src.role.Name)
	}
	return chainSource{ref: config.ChainSource{Role: src.role.Name, Account: src.a.Name}, cand: src}, ""
}

// declaredSources are the input's roles bound to service accounts, by
// lower-cased ARN: chains from them are written as they are.
func (b *builder) declaredSources() map[string]config.ChainSource {
	out := map[string]config.ChainSource{}
	for _, r := range b.in.Roles {
		if len(r.ServiceAccounts) == 0 {
			continue
		}
		id := b.accountID(r.Account)
		part := partition.AWS
		if acct := b.live.Accounts[id]; acct != nil && acct.Partition != "" {
			part = acct.Partition
		}
		out[strings.ToLower(resource.RoleARN(part, id, orRoot(r.Path), r.Name))] = config.ChainSource{Role: r.Name, Account: r.Account}
	}
	return out
}
