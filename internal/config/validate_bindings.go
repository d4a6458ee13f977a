package config

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// binding identifies one service account (or pattern) in one cluster.
type binding struct{ cluster, namespace, name string }

// boundAt is where a binding was first seen.
type boundAt struct{ role, index int }

// checkBindings checks every role's service accounts, and that an exact
// service account is bound to one role only: it carries a single
// eks.amazonaws.com/role-arn annotation, so a second role could never be
// assumed through it and the two roles would fight over the annotation.
func (v *validator) checkBindings() {
	exact := map[binding]boundAt{}
	for i, r := range v.f.Roles {
		inRole := map[binding]int{}
		for j, sa := range r.ServiceAccounts {
			p := at("roles", i, "serviceAccounts", j)
			v.checkBinding(p, r, sa)
			b := binding{sa.Cluster, sa.Namespace, sa.Name}
			if k, dup := inRole[b]; dup {
				v.add(p, "%s is already listed as serviceAccounts[%d] of this role: list it once", subject(b.cluster, b.namespace, b.name), k)
				continue
			}
			inRole[b] = j
			if isPattern(sa.Namespace) || isPattern(sa.Name) {
				continue
			}
			if first, dup := exact[b]; dup && first.role != i {
				other := v.f.Roles[first.role]
				v.add(p, "service account %s is bound to two roles, %q (%s) and %q (here); it carries one eks.amazonaws.com/role-arn annotation, so it can assume only one: keep the binding in one role", subject(b.cluster, b.namespace, b.name), other.Name, v.ref(at("roles", first.role, "serviceAccounts", first.index)), r.Name)
				continue
			}
			exact[b] = boundAt{i, j}
		}
	}
}

// checkClusterRef checks that name refers to a declared cluster, reporting
// whether it does; required says what the field is, for a missing name.
func (v *validator) checkClusterRef(p path, name, required string) bool {
	switch _, ok := v.clusters[name]; {
	case name == "":
		v.add(p, "cluster is required: %s", required)
	case !ok:
		v.add(p, "no cluster named %q: declare it under clusters, or use one of %s", name, quoteList(slices.Sorted(maps.Keys(v.clusters))))
	default:
		return true
	}
	return false
}

// checkBinding checks one entry of a role's serviceAccounts.
func (v *validator) checkBinding(p path, r Role, sa ServiceAccount) {
	v.checkClusterRef(p.with("cluster"), sa.Cluster, "the name of an entry under clusters")
	ns, name := sa.Namespace, sa.Name
	if matchesAll(ns) && matchesAll(name) {
		v.add(p, "namespace %q with name %q matches every service account of cluster %q, so any pod in it, including ones anyone deploys later, could assume role %q: name the namespace and the service account", ns, name, sa.Cluster, r.Name)
	} else {
		v.checkNamespace(p.with("namespace"), r, ns)
		v.checkName(p.with("name"), name)
	}
	if isPattern(ns) || isPattern(name) {
		v.checkPatternFields(p, sa)
	}
	if e := sa.TokenExpiration; e != 0 && (e < minTokenExpiration || e > maxTokenExpiration) {
		v.add(p.with("tokenExpiration"), "tokenExpiration %d is out of the range %d-%d seconds the EKS pod identity webhook accepts: set a value in it, or leave it out for 86400", e, minTokenExpiration, maxTokenExpiration)
	}
	v.checkAudience(p.with("audience"), sa.Audience)
	v.checkVia(p, r, sa)
}

// checkVia checks how the binding reaches its role. A Pod Identity
// association names one namespace and one service account, with no
// wildcards (EKS API reference, CreatePodIdentityAssociation), and EKS takes
// only a role of the cluster's own account as its roleArn.
func (v *validator) checkVia(p path, r Role, sa ServiceAccount) {
	switch sa.Via {
	case "", ViaIRSA, ViaPodIdentity, ViaBoth:
	default:
		v.add(p.with("via"), "via %q is not one of irsa, podIdentity or both: use one of them, or leave it out for the default (settings.defaultVia, else irsa)", sa.Via)
		return
	}
	via := v.f.ViaOf(sa)
	if isPattern(sa.Namespace) || isPattern(sa.Name) {
		if via != ViaIRSA {
			v.add(p.with("via"), "via %s on %s: EKS Pod Identity associations name one service account, with no wildcards, so a pattern can only be irsa: list the service accounts by name to bind them via %s", via, subject(sa.Cluster, sa.Namespace, sa.Name), via)
		}
		return
	}
	if via == ViaPodIdentity {
		for _, f := range []struct {
			field string
			set   bool
		}{{"stsRegionalEndpoints", sa.StsRegionalEndpoints}, {"audience", sa.Audience != ""}, {"tokenExpiration", sa.TokenExpiration != 0}} {
			if field := f.field; f.set {
				v.add(p.with(field), "%s is an IRSA annotation, and this binding is via podIdentity, which irsa-sync does not annotate: remove %s, or bind via both", field, field)
			}
		}
	}
	c, ok := v.cluster(sa.Cluster)
	if UsesPodIdentity(via) && ok && c.Account != r.Account && r.SourceRole == "" {
		v.add(p.with("via"), "role %q is in account %q and cluster %q in %q; EKS Pod Identity takes only a role of the cluster's account: set sourceRole: NAME on the role, and irsa-sync manages a role of that name in %q that EKS assumes first and that chains to %q (targetRoleArn)", r.Name, r.Account, c.Name, c.Account, c.Account, r.Name)
	}
}

// checkDefaultVia checks settings.defaultVia.
func (v *validator) checkDefaultVia() {
	switch d := v.f.Settings.DefaultVia; d {
	case "", ViaIRSA, ViaPodIdentity, ViaBoth:
	default:
		v.add(at("settings", "defaultVia"), "defaultVia %q is not one of irsa, podIdentity or both: use one of them, or leave it out for irsa", d)
	}
}

func (v *validator) checkNamespace(p path, r Role, ns string) {
	switch {
	case ns == "":
		v.add(p, "namespace is required: the Kubernetes namespace of the service account")
	case isPattern(ns) && !r.AllowNamespaceWildcard:
		v.add(p, "namespace %q has a wildcard: any namespace that matches, including ones created later by whoever may create namespaces, could assume role %q; name the namespace exactly, or set allowNamespaceWildcard: true on the role if that is intended", ns, r.Name)
	case isPattern(ns):
		if len(ns) > 63 || !nsPatternRE.MatchString(ns) {
			v.add(p, "namespace pattern %q must be at most 63 of lower-case letters, digits, - and the wildcards * ?: fix it", ns)
		}
	case len(ns) > 63 || !dnsLabelRE.MatchString(ns):
		v.add(p, "namespace %q is not a Kubernetes namespace name (1-63 lower-case letters, digits and -, starting and ending with a letter or digit), so no pod could ever present it: fix the name", ns)
	}
}

func (v *validator) checkName(p path, name string) {
	switch {
	case name == "":
		v.add(p, "name is required: the service account's name, or a pattern with * and ?")
	case isPattern(name):
		if len(name) > 253 || !namePatternRE.MatchString(name) {
			v.add(p, "name pattern %q must be at most 253 of lower-case letters, digits, - . and the wildcards * ?: fix it", name)
		}
	case len(name) > 253 || !dnsSubdomainRE.MatchString(name):
		v.add(p, "name %q is not a Kubernetes service account name (lower-case letters, digits, - and ., at most 253, each dot-separated part starting and ending with a letter or digit), so no pod could ever present it: fix the name", name)
	}
}

// checkPatternFields refuses annotation settings on pattern bindings: a
// pattern only shapes the trust; there is no one ServiceAccount object to
// annotate.
func (v *validator) checkPatternFields(p path, sa ServiceAccount) {
	set := func(field string) {
		v.add(p.with(field), "%s applies to an exact service account, which irsa-sync annotates; %s is a pattern that only shapes the trust, with no object to annotate: remove %s, or list the service accounts by name", field, subject(sa.Cluster, sa.Namespace, sa.Name), field)
	}
	if sa.StsRegionalEndpoints {
		set("stsRegionalEndpoints")
	}
	if sa.TokenExpiration != 0 {
		set("tokenExpiration")
	}
	if sa.Audience != "" {
		set("audience")
	}
	if sa.Adopt {
		set("adopt")
	}
}

// checkAudience checks a token audience: it becomes a client id of the
// IAM OIDC provider (CreateOpenIDConnectProvider ClientIDList: 1-255
// characters) and the value of the trust's aud condition, compared
// exactly with the token's aud claim. White space or a control character
// in it is never what a ServiceAccount's token carries.
func (v *validator) checkAudience(p path, aud string) {
	switch {
	case aud == "":
	case strings.TrimSpace(aud) == "":
		v.add(p, "audience %q is only white space: write the audience the tokens carry, or leave it out for sts.amazonaws.com", aud)
	case strings.IndexFunc(aud, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		v.add(p, "audience %q has white space or a control character (such as a newline): tokens never carry one; write the audience exactly, or leave it out for sts.amazonaws.com", aud)
	case chars(aud) > maxAudienceLength:
		v.add(p, "audience is %d characters long, over IAM's limit of %d for an OIDC client id: shorten it (leave it out for sts.amazonaws.com)", chars(aud), maxAudienceLength)
	}
}
