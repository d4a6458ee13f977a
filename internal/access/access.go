// Package access answers the reviewer's question about a role: who can
// assume it, and who gains or loses that between two trust policies. It reads
// trust documents only, in the names the bindings file uses (cluster,
// namespace, service account, account and role names), so the plan's access
// section, its risk warnings and explain all say the same thing.
//
// It is pure: it imports no SDK and no client, only plain documents and the
// names a Resolver gives it.
package access

import (
	"sort"
	"strings"
)

// Resolver turns the ARNs and issuers of a trust into the names the file
// uses. A missing entry is not an error: the raw value is shown instead.
type Resolver struct {
	// Clusters maps an issuer host and path (no https://) to the file's
	// cluster name.
	Clusters map[string]string
	// ClusterARNs maps an EKS cluster ARN to the file's cluster name, for
	// Pod Identity trusts, which name clusters by ARN.
	ClusterARNs map[string]string
	// Accounts maps a 12-digit account id to the file's account name.
	Accounts map[string]string
	// Roles maps a role ARN to the file's role name, for chained roles.
	Roles map[string]string
	// Partition is the role's partition ("aws" when empty), for a bare
	// account id principal, which IAM stores as that account's root.
	Partition string
}

func (r Resolver) partition() string {
	if r.Partition == "" {
		return "aws"
	}
	return r.Partition
}

func (r Resolver) cluster(issuer string) (string, bool) {
	name, ok := r.Clusters[issuer]
	if !ok {
		return issuer, false
	}
	return name, true
}

func (r Resolver) account(id string) string {
	if name, ok := r.Accounts[id]; ok {
		return name
	}
	return id
}

// Path is the way a subject reaches the role.
type Path string

// The paths to a role.
const (
	// IRSA: a service account token through the cluster's OIDC provider.
	IRSA Path = "irsa"
	// PodIdentity: the EKS Pod Identity agent, for an association.
	PodIdentity Path = "podIdentity"
	// Chain: another role that assumes this one (role chaining).
	Chain Path = "chain"
	// Other: any other principal, such as an account root, "*" or a
	// service; irsa-sync never generates these.
	Other Path = "other"
)

// Subject is one principal that may assume the role, in words people use.
type Subject struct {
	Path Path `json:"path"`
	// Cluster is the file's cluster name, or the issuer host (IRSA) or EKS
	// cluster name (Pod Identity) when the file has no such cluster; "*"
	// when a Pod Identity trust does not narrow the cluster.
	Cluster string `json:"cluster,omitempty"`
	// Account is the account name (or id) of the provider, source cluster,
	// source role or principal; "*" when nothing narrows it.
	Account string `json:"account,omitempty"`
	// Namespace and ServiceAccount may be patterns ("*", "?") when Pattern
	// is set. For an IRSA token subject that is no service account
	// ("system:*", "foo"), Namespace is empty and ServiceAccount holds it.
	Namespace      string `json:"namespace,omitempty"`
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Audience is the token audience checked; empty when not checked.
	Audience string `json:"audience,omitempty"`
	// Principal is the ARN (role, root) or service, for chain and other.
	Principal string `json:"principal,omitempty"`
	// Name is the file's name of a chained source role, when it has one.
	Name string `json:"name,omitempty"`
	// Pattern says Namespace, ServiceAccount or Cluster match by wildcard.
	Pattern bool `json:"pattern,omitempty"`
}

// defaultAudience is the audience the EKS webhook puts on tokens when a
// ServiceAccount names none; it goes unsaid in a subject's words.
const defaultAudience = "sts.amazonaws.com"

// String names the subject the way a reviewer reads it:
// "cluster/namespace/serviceaccount", a Pod Identity or chaining path said
// after it, "(pattern)" for wildcards and the audience when not the default.
// It is deterministic and distinct for distinct subjects, so Diff keys on it.
func (s Subject) String() string {
	var b strings.Builder
	switch s.Path {
	case IRSA, PodIdentity:
		b.WriteString(s.Cluster + "/")
		if s.Namespace == "" {
			b.WriteString("(token subject " + quote(s.ServiceAccount) + ")")
		} else {
			b.WriteString(s.Namespace + "/" + s.ServiceAccount)
		}
		if s.Path == PodIdentity {
			b.WriteString(" via Pod Identity")
			if s.Account != "" && s.Cluster == "*" {
				b.WriteString(" in account " + s.Account)
			}
		}
		if s.Pattern {
			b.WriteString(" (pattern)")
		}
		if s.Path == IRSA {
			switch s.Audience {
			case defaultAudience:
			case "":
				b.WriteString(" for any audience")
			default:
				b.WriteString(" for audience " + s.Audience)
			}
		}
	case Chain:
		name := s.Name
		if name == "" {
			name = s.Principal
		}
		b.WriteString("role " + name + " via chaining")
	default:
		switch {
		case s.Principal == "*":
			b.WriteString("anyone (*)")
		case strings.HasSuffix(s.Principal, ":root"):
			b.WriteString("account " + s.Account + " (any principal it permits)")
		default:
			b.WriteString(s.Principal)
		}
	}
	return b.String()
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// sortSubjects orders subjects by their words and removes repeats. Two
// subjects with the same words but other fields (an issuer that resolves to
// the same name as another) keep a stable order by their fields.
func sortSubjects(in []Subject) []Subject {
	sort.SliceStable(in, func(i, j int) bool { return lessSubject(in[i], in[j]) })
	out := in[:0]
	for i, s := range in {
		if i > 0 && s == in[i-1] {
			continue
		}
		out = append(out, s)
	}
	return out
}

func lessSubject(a, b Subject) bool {
	if as, bs := a.String(), b.String(); as != bs {
		return as < bs
	}
	fa := []string{string(a.Path), a.Cluster, a.Account, a.Namespace, a.ServiceAccount, a.Audience, a.Principal, a.Name}
	fb := []string{string(b.Path), b.Cluster, b.Account, b.Namespace, b.ServiceAccount, b.Audience, b.Principal, b.Name}
	for i := range fa {
		if fa[i] != fb[i] {
			return fa[i] < fb[i]
		}
	}
	return !a.Pattern && b.Pattern
}

// arnParts splits an ARN into partition, service, region, account and
// resource; ok is false when s is no ARN.
func arnParts(s string) (partition, service, region, account, resource string, ok bool) {
	p := strings.SplitN(s, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return "", "", "", "", "", false
	}
	return p[1], p[2], p[3], p[4], p[5], true
}
