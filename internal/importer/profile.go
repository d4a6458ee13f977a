package importer

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// chain is one assumedFrom entry of the file: out.Roles[role].AssumedFrom[entry],
// with both roles as plan builds them and the source's file entry, whose
// bindings say where its pods run.
type chain struct {
	target, source desired.Role
	sourceRole     config.Role
	role, entry    int
}

func (c chain) String() string {
	return fmt.Sprintf("the chain from role %s/%s to %s/%s", c.source.Account, c.source.Name, c.target.Account, c.target.Name)
}

// chainFit is how well a live profile ConfigMap fits a chain whose target
// its config names.
type chainFit struct {
	chain
	// runs: the source role has service accounts in the ConfigMap's
	// namespace (validation requires it); both: the config names the
	// source role too; exact: the config is what irsa-sync writes.
	runs, both, exact bool
}

// profiles adds to the chains import writes the profile ConfigMaps live
// holds for them (assumedFrom[].profileConfigMap), so that the next plan
// neither prunes them nor, where they are this owner's, changes them; and
// reports those that are no chain's. A ConfigMap is matched by the role
// ARNs of its config: the Pod Identity form names only the target, so
// where several sources fit, the one whose generated profile equals the
// live one, then one the config names, wins.
func (b *builder) profiles() {
	st, _, err := b.desiredState()
	if err != nil {
		return // verify reports it
	}
	chains := b.chains(st)
	declared := map[string]bool{}
	for _, r := range b.in.Roles {
		for _, src := range r.AssumedFrom {
			if cm := src.ProfileConfigMap; cm != nil {
				declared[cm.Cluster+"/"+cm.Namespace+"/"+cm.Name] = true
			}
		}
	}
	taken := map[[2]int]string{} // assumedFrom entry -> the ConfigMap written there
	for _, c := range b.in.Clusters {
		cl := b.live.Clusters[c.Name]
		if cl == nil {
			continue
		}
		for _, key := range resource.SortedKeys(cl.ConfigMaps) {
			cm := cl.ConfigMaps[key]
			if declared[c.Name+"/"+key] || cm.Labels[resource.ManagedLabel] != resource.ManagedValue {
				continue
			}
			b.profile(cm, chains, taken)
		}
	}
}

// profile places one live profile ConfigMap in the file, or reports why not.
func (b *builder) profile(cm state.ConfigMap, chains []chain, taken map[[2]int]string) {
	object := configMapObject(cm.Cluster, cm.Key())
	prune := ""
	if cm.Annotations[resource.OwnerAnnotation] == b.in.Owner {
		prune = "; it is this owner's, so plan lists it as pruneable (apply --prune deletes it, or strips what irsa-sync set)"
	}
	arns := resource.ProfileRoleARNs(cm.Data[resource.ProfileConfigKey])
	if len(arns) == 0 {
		b.report(NotImported, object, "a ConfigMap labelled "+resource.ManagedLabel+"="+resource.ManagedValue+" whose data."+resource.ProfileConfigKey+" names no role (no role_arn line), so it is no chain's profile; the file does not write it"+prune)
		return
	}
	fits := b.fit(cm, arns, chains)
	switch {
	case len(fits) == 0:
		b.report(NotImported, object, fmt.Sprintf("holds AWS config profiles of %s, which are no chain of this file (a role whose assumedFrom names the other); the file does not write it%s", strings.Join(arns, " and "), prune))
		return
	case len(fits) > 1:
		names := make([]string, len(fits))
		for i, f := range fits {
			names[i] = f.String()
		}
		b.report(NotImported, object, fmt.Sprintf("could be the profile of %s, and import cannot tell which: add profileConfigMap {cluster: %s, namespace: %s, name: %s} to the assumedFrom entry it is for%s", strings.Join(names, " or "), cm.Cluster, cm.Namespace, cm.Name, prune))
		return
	}
	f := fits[0]
	switch target := f.target.Account + "/" + strings.ToLower(f.target.Name); {
	case !f.runs:
		b.report(Unrepresentable, object, fmt.Sprintf("holds the profile of %s, but role %s has no service account in namespace %q of cluster %q, and the file writes a chain's ConfigMap only where the source role's pods run; the file does not write it%s", f, f.source.Name, cm.Namespace, cm.Cluster, prune))
	case !b.imported[target]:
		b.report(NotImported, object, fmt.Sprintf("holds the profile of %s, a role the input declares and import keeps as written: add profileConfigMap {cluster: %s, namespace: %s, name: %s} to its assumedFrom entry for %s%s", f, cm.Cluster, cm.Namespace, cm.Name, f.source.Name, prune))
	case taken[[2]int{f.role, f.entry}] != "":
		b.report(NotImported, object, fmt.Sprintf("holds the profile of %s, as ConfigMap %s does; the file writes one ConfigMap per assumedFrom entry and keeps the first%s", f, taken[[2]int{f.role, f.entry}], prune))
	default:
		taken[[2]int{f.role, f.entry}] = object
		b.profileCMs[cm.Cluster+"/"+cm.Key()] = true
		b.out.Roles[f.role].AssumedFrom[f.entry].ProfileConfigMap = &config.ProfileConfigMap{Cluster: cm.Cluster, Namespace: cm.Namespace, Name: cm.Name,
			Adopt: cm.Annotations[resource.OwnerAnnotation] != b.in.Owner}
	}
}

// fit returns the chains a ConfigMap naming arns fits best: of those whose
// target it names, the first non-empty of the exact ones, those that run
// there and whose source it names, those that run there, those whose
// source it names, and all.
func (b *builder) fit(cm state.ConfigMap, arns []string, chains []chain) []chainFit {
	named := map[string]bool{}
	for _, a := range arns {
		named[strings.ToLower(a)] = true
	}
	var all []chainFit
	for _, ch := range chains {
		if !named[strings.ToLower(ch.target.ARN)] {
			continue
		}
		f := chainFit{chain: ch, runs: len(ch.sourceRole.BindingsIn(cm.Cluster, cm.Namespace)) > 0, both: named[strings.ToLower(ch.source.ARN)]}
		f.exact = f.runs && cm.Data[resource.ProfileConfigKey] == b.profileText(ch, cm.Cluster, cm.Namespace)
		all = append(all, f)
	}
	tiers := []func(chainFit) bool{
		func(f chainFit) bool { return f.exact },
		func(f chainFit) bool { return f.runs && f.both },
		func(f chainFit) bool { return f.runs },
		func(f chainFit) bool { return f.both },
		func(chainFit) bool { return true },
	}
	for _, in := range tiers {
		var out []chainFit
		for _, f := range all {
			if in(f) {
				out = append(out, f)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// chains are the file's assumedFrom entries, in the file's order.
func (b *builder) chains(st *desired.State) []chain {
	roles := map[string]desired.Role{}
	for _, r := range st.Roles {
		roles[r.Account+"/"+strings.ToLower(r.Name)] = r
	}
	index := map[string]int{}
	for i, r := range b.out.Roles {
		index[r.Account+"/"+strings.ToLower(r.Name)] = i
	}
	var out []chain
	for i, r := range b.out.Roles {
		target, ok := roles[r.Account+"/"+strings.ToLower(r.Name)]
		if !ok || len(target.AssumedFrom) != len(r.AssumedFrom) {
			continue
		}
		for j, src := range target.AssumedFrom {
			key := src.Account + "/" + strings.ToLower(src.Name)
			k, ok := index[key]
			if !ok {
				continue
			}
			out = append(out, chain{target: target, source: roles[key], sourceRole: b.out.Roles[k], role: i, entry: j})
		}
	}
	return out
}

// profileText is the config irsa-sync writes for the chain in that
// namespace (desired.profileConfigMap): the IRSA form where a binding of
// the source role there is via irsa or both.
func (b *builder) profileText(ch chain, cluster, namespace string) string {
	irsa := false
	for _, sa := range ch.sourceRole.BindingsIn(cluster, namespace) {
		irsa = irsa || config.UsesIRSA(b.out.ViaOf(sa))
	}
	return desired.ProfileConfig(ch.target.Name, ch.target.ARN, ch.source.Name, ch.source.ARN, irsa)
}

func configMapObject(cluster, key string) string {
	return cluster + "/configmap " + key
}

// verifyProfiles reports under Changes what the next apply rewrites in the
// profile ConfigMaps import placed in the file: the labels and data keys
// irsa-sync sets, where an edit or a change of the chain (the source's
// via, a role's ARN) left them other than it generates. Ownership is the
// adoption, not a change.
func (b *builder) verifyProfiles(want *desired.State) {
	for _, cm := range want.ConfigMaps {
		if !b.profileCMs[cm.Cluster+"/"+cm.Key()] {
			continue
		}
		have := b.live.Clusters[cm.Cluster].ConfigMaps[cm.Key()]
		object := configMapObject(cm.Cluster, cm.Key())
		for _, k := range resource.SortedKeys(cm.Labels) {
			if got, ok := have.Labels[k]; !ok || got != cm.Labels[k] {
				b.report(Changes, object, fmt.Sprintf("apply sets the label %s to %q", k, cm.Labels[k]))
			}
		}
		for _, k := range resource.SortedKeys(cm.Data) {
			got, ok := have.Data[k]
			switch {
			case !ok:
				b.report(Changes, object, fmt.Sprintf("apply adds data.%s: %q", k, cm.Data[k]))
			case got != cm.Data[k] && k == resource.ProfileConfigKey:
				b.report(Changes, object, "apply rewrites data."+k+" with the AWS config irsa-sync generates for this chain: "+firstDifference(got, cm.Data[k]))
			case got != cm.Data[k]:
				b.report(Changes, object, fmt.Sprintf("apply sets data.%s to %q (it is %q)", k, cm.Data[k], got))
			}
		}
	}
}

// firstDifference says where two texts first differ, by line.
func firstDifference(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(h) || i < len(w); i++ {
		switch {
		case i >= len(h):
			return fmt.Sprintf("it ends after line %d, where irsa-sync writes %q", len(h), w[i])
		case i >= len(w):
			return fmt.Sprintf("its line %d is %q, which irsa-sync does not write", i+1, h[i])
		case h[i] != w[i]:
			return fmt.Sprintf("its line %d is %q, where irsa-sync writes %q", i+1, h[i], w[i])
		}
	}
	return "they differ"
}
