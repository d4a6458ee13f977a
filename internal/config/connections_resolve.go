package config

import (
	"fmt"
	"slices"
)

// ValidateConnections checks a connections file against the (valid)
// bindings file f it is for: its header, that every account and cluster it
// names is declared in f, and each way to reach them by the rules the
// bindings file's own fields follow. Every problem names its line in the
// connections file.
func ValidateConnections(conns *Connections, f *File) Diagnostics {
	c := &collector{src: conns.Source}
	if conns.APIVersion != APIVersion {
		c.add(at("apiVersion"), "apiVersion is %q; this irsa-sync reads %q: set apiVersion: %s", conns.APIVersion, APIVersion, APIVersion)
	}
	if conns.Kind != ConnectionsKind {
		c.add(at("kind"), "kind is %q; a connections file has kind: %s", conns.Kind, ConnectionsKind)
	}
	ids := map[string]string{}
	for _, a := range f.Accounts {
		ids[a.Name] = a.ID
	}
	for _, name := range sortedKeys(conns.Accounts) {
		p := at("accounts", name)
		id, ok := ids[name]
		if !ok {
			c.add(p, "no account named %q in %s: a connections file says how to reach the accounts the bindings file declares; use one of %s", name, f.Source.Name(), quoteList(sortedKeys(ids)))
			continue
		}
		a := conns.Accounts[name]
		if a.Plan == nil && a.Apply == nil && a.AccountAccess == (AccountAccess{}) {
			c.add(p, "the entry says nothing: give plan and apply (each with assumeRoleArn, externalId or profile), or remove it")
		}
		checkAccess(c, p, id, a.AccountAccess)
		for _, m := range []Mode{ModePlan, ModeApply} {
			if b := a.mode(m); b != nil {
				checkAccess(c, p.with(string(m)), id, *b)
			}
		}
	}
	clusters := map[string]bool{}
	for _, cl := range f.Clusters {
		clusters[cl.Name] = true
	}
	for _, name := range sortedKeys(conns.Clusters) {
		p := at("clusters", name)
		if !clusters[name] {
			c.add(p, "no cluster named %q in %s: use one of %s", name, f.Source.Name(), quoteList(sortedKeys(clusters)))
			continue
		}
		cl := conns.Clusters[name]
		checkClusterAccess(c, p, name, cl.ClusterAccess)
		for m, b := range map[Mode]*ClusterAccess{ModePlan: cl.Plan, ModeApply: cl.Apply} {
			if b != nil {
				checkClusterAccess(c, p.with(string(m)), name, *b)
			}
		}
	}
	if len(c.diags) == 0 {
		return nil
	}
	c.diags.Sort()
	return c.diags
}

// Origin says how a run reaches one account or cluster and which file and
// line say so, for validate's report and for messages.
type Origin struct {
	// Kind is "account" or "cluster"; Name is its name in the file.
	Kind, Name string
	// How is the way, in words (AccountAccess.String).
	How string
	// From is "FILE:LINE (path)" of the entry that says it, or "" when
	// nothing does (the default chain, the context named like the
	// cluster).
	From string
}

// String renders the origin as one line of validate's report.
func (o Origin) String() string {
	from := o.From
	if from == "" {
		from = "default"
	}
	return fmt.Sprintf("%s %s: %s (%s)", o.Kind, o.Name, o.How, from)
}

// Resolve returns f with each account's and cluster's way to reach it set
// for mode m, and where each came from. For every account (and cluster)
// the first that says anything wins, as a whole: the connections file's
// block for m, then its entry's own fields, then the bindings file's
// fields. Ways are never mixed field by field, so a profile of the bindings
// file is not combined with a role of the connections file. conns may be
// nil (no connections file); f itself is not modified.
func Resolve(f *File, conns *Connections, m Mode) (*File, []Origin) {
	out := *f
	out.Accounts = slices.Clone(f.Accounts)
	out.Clusters = slices.Clone(f.Clusters)
	var origins []Origin
	for i := range out.Accounts {
		a := &out.Accounts[i]
		access := AccountAccess{AssumeRoleArn: a.AssumeRoleArn, ExternalID: a.ExternalID, Profile: a.Profile}
		from := ""
		if access != (AccountAccess{}) {
			from = placeOf(f.Source, at("accounts", i))
		}
		if conns != nil {
			if ac, ok := conns.Accounts[a.Name]; ok {
				if got, block, ok := ac.For(m); ok {
					access = got
					from = placeOf(conns.Source, at("accounts", a.Name).with(blockPath(block)...))
				}
			}
		}
		a.AssumeRoleArn, a.ExternalID, a.Profile = access.AssumeRoleArn, access.ExternalID, access.Profile
		origins = append(origins, Origin{Kind: "account", Name: a.Name, How: access.String(), From: from})
	}
	for i := range out.Clusters {
		c := &out.Clusters[i]
		access := ClusterAccess{KubeContext: c.KubeContext, Auth: c.Auth, InCluster: c.InCluster}
		from := ""
		if access != (ClusterAccess{}) {
			from = placeOf(f.Source, at("clusters", i))
		}
		if conns != nil {
			if cc, ok := conns.Clusters[c.Name]; ok {
				if got, block, ok := cc.For(m); ok {
					access = got
					from = placeOf(conns.Source, at("clusters", c.Name).with(blockPath(block)...))
				}
			}
		}
		c.KubeContext, c.Auth, c.InCluster = access.KubeContext, access.Auth, access.InCluster
		origins = append(origins, Origin{Kind: "cluster", Name: c.Name, How: access.String(), From: from})
	}
	return &out, origins
}

func blockPath(block string) []any {
	if block == "" {
		return nil
	}
	return []any{block}
}

// placeOf renders where p is: "file:line (path)", or the path alone for an
// in-memory file.
func placeOf(src *Source, p path) string {
	if src == nil {
		return p.String()
	}
	name, local, line := src.place(p)
	if line == 0 {
		return fmt.Sprintf("%s (%s)", name, local)
	}
	return fmt.Sprintf("%s:%d (%s)", name, line, local)
}
