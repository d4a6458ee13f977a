// Package trust builds the trust policy of an IRSA role from the service
// accounts bound to it, and reads the subjects back out of a live trust.
package trust

import (
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Action is the only action an IRSA trust allows.
const Action = "sts:AssumeRoleWithWebIdentity"

// Subject is one service account, or a pattern of them, allowed to assume a
// role through one OIDC provider.
type Subject struct {
	// ProviderARN is the OIDC provider in the role's account.
	ProviderARN string `json:"provider"`
	// Issuer is the issuer host, the prefix of the condition keys.
	Issuer    string `json:"issuer"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Audience is the token audience; empty means sts.amazonaws.com.
	Audience string `json:"audience,omitempty"`
}

// Sub is the token subject the webhook presents for this service account.
func (s Subject) Sub() string { return "system:serviceaccount:" + s.Namespace + ":" + s.Name }

// IsPattern reports whether the subject names service accounts by wildcard,
// which IAM matches with StringLike.
func (s Subject) IsPattern() bool { return strings.ContainsAny(s.Namespace+s.Name, "*?") }

// Aud returns the audience the trust must check.
func (s Subject) Aud() string {
	if s.Audience == "" {
		return resource.DefaultAudience
	}
	return s.Audience
}

type group struct{ provider, issuer, aud string }

// ForRole returns the trust policy that lets exactly these subjects assume a
// role: one statement per OIDC provider and audience, since the conditions of
// one statement must all hold and a token carries a single audience.
//
// Within a statement all subjects fold into one condition key, which matches
// when any value does. When every subject is exact it is StringEquals, as the
// AWS guide writes it. When any is a pattern, all go under StringLike: a
// StringEquals and a StringLike on the same key would both have to match and
// so could never admit two different subjects. Kubernetes names cannot hold
// "*" or "?", so an exact subject under StringLike still matches only itself.
//
// Pod Identity subjects add the statements podStatements describes.
func ForRole(subjects []Subject, pods ...PodSubject) policy.Document {
	return Build(Grants{IRSA: subjects, Pods: pods})
}

// Grants are everyone a generated trust admits, by path.
type Grants struct {
	IRSA []Subject
	Pods []PodSubject
	// Chains are the roles that assume this one with a session's
	// credentials: the file's assumedFrom sources, and the source roles of
	// Pod Identity associations whose targetRoleArn is this role.
	Chains []Chain
}

// Build returns the trust policy that admits exactly g: the IRSA
// statements of ForRole first, then Pod Identity, then role chaining.
func Build(g Grants) policy.Document {
	stmts := irsaStatements(g.IRSA)
	stmts = append(stmts, podStatements(g.Pods)...)
	stmts = append(stmts, chainStatements(g.Chains)...)
	return document(stmts)
}

// irsaStatements are ForRole's IRSA statements.
func irsaStatements(subjects []Subject) []any {
	subs := map[group]map[string]bool{}
	patterned := map[group]bool{}
	for _, s := range subjects {
		g := group{s.ProviderARN, s.Issuer, s.Aud()}
		if subs[g] == nil {
			subs[g] = map[string]bool{}
		}
		subs[g][s.Sub()] = true
		patterned[g] = patterned[g] || s.IsPattern()
	}
	groups := make([]group, 0, len(subs))
	for g := range subs {
		groups = append(groups, g)
	}
	// The document is sent as built, so its statements must come in one
	// order whatever the order of subjects (and of map iteration).
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.provider != b.provider {
			return a.provider < b.provider
		}
		if a.issuer != b.issuer {
			return a.issuer < b.issuer
		}
		return a.aud < b.aud
	})
	stmts := make([]any, 0, len(subs))
	for _, g := range groups {
		set := subs[g]
		values := make([]any, 0, len(set))
		for _, v := range resource.SortedKeys(set) {
			values = append(values, v)
		}
		cond := map[string]any{
			"StringEquals": map[string]any{g.issuer + ":aud": []any{g.aud}},
		}
		if patterned[g] {
			cond["StringLike"] = map[string]any{g.issuer + ":sub": values}
		} else {
			cond["StringEquals"].(map[string]any)[g.issuer+":sub"] = values
		}
		stmts = append(stmts, map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": []any{g.provider}},
			"Action":    []any{Action},
			"Condition": cond,
		})
	}
	return stmts
}

// document wraps generated statements in a policy; no statements is the
// zero document.
func document(stmts []any) policy.Document {
	if len(stmts) == 0 {
		return policy.Document{}
	}
	doc, err := policy.FromMap(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		// This package builds only well-formed documents; an error is a bug here.
		panic("trust: generated an invalid document: " + err.Error())
	}
	return doc
}

// Grant is what one statement of a live trust allows, as read back.
type Grant struct {
	Principal string   `json:"principal"`
	Subjects  []string `json:"subjects"`            // sub values, exact or patterns
	Patterns  bool     `json:"patterns,omitempty"`  // subjects compared with StringLike
	Audiences []string `json:"audiences,omitempty"` // aud values; empty means not checked
	Other     string   `json:"other,omitempty"`     // a statement this reader does not interpret
}

// Read returns the grants of a trust policy: for each statement allowing
// sts:AssumeRoleWithWebIdentity (by name or by a wildcard such as "sts:*",
// which IAM honours just the same), the provider and the subjects and audiences
// it admits. Statements of other shapes are reported as Other so a reviewer
// still sees them.
func Read(doc policy.Document) []Grant {
	m := doc.Map()
	list, _ := m["Statement"].([]any)
	var out []Grant
	for _, item := range list {
		st, _ := item.(map[string]any)
		principals, _ := st["Principal"].(map[string]any)
		fed := strings.Join(stringsOf(principals["Federated"]), ",")
		// Action names and condition operators and keys are
		// case-insensitive in IAM (see policy's semantic rules).
		if fed == "" || !ActionAllows(stringsOf(st["Action"]), Action) || st["Effect"] != "Allow" {
			out = append(out, Grant{Other: policyJSON(st)})
			continue
		}
		g := Grant{Principal: fed}
		cond, _ := st["Condition"].(map[string]any)
		for op, keys := range cond {
			km, _ := keys.(map[string]any)
			for key, vals := range km {
				switch key = strings.ToLower(key); {
				case strings.HasSuffix(key, ":sub"):
					g.Subjects = append(g.Subjects, stringsOf(vals)...)
					g.Patterns = g.Patterns || strings.EqualFold(op, "StringLike")
				case strings.HasSuffix(key, ":aud"):
					g.Audiences = append(g.Audiences, stringsOf(vals)...)
				}
			}
		}
		sort.Strings(g.Subjects)
		sort.Strings(g.Audiences)
		out = append(out, g)
	}
	return out
}

// Subs returns every subject of a trust as "SUBJECT @ ISSUER", sorted, for
// a plan to say which subjects a change adds and removes. The issuer is part
// of it: the same service account name in another cluster is another subject.
//
// A Pod Identity subject is "SUBJECT @ pod-identity CLUSTER-ARN", read from
// the statements podStatements generates.
func Subs(doc policy.Document) []string {
	seen := map[string]bool{}
	for _, s := range podSubs(doc) {
		seen[s] = true
	}
	for _, g := range Read(doc) {
		issuer := g.Principal[strings.Index(g.Principal, "/")+1:]
		for _, s := range g.Subjects {
			seen[s+" @ "+issuer] = true
		}
	}
	return resource.SortedKeys(seen)
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ActionAllows reports whether a statement's Action list names action,
// exactly or by wildcard. IAM matches action names case-insensitively, with
// "*" for any run of characters and "?" for one
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
func ActionAllows(actions []string, action string) bool {
	for _, a := range actions {
		if Glob(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// Glob reports whether s matches pattern as IAM's StringLike compares them:
// "*" matches any run of characters (also none) and "?" exactly one; every
// other character matches itself. It runs in time linear in len(s) times
// len(pattern) at worst, so hostile patterns cannot stall a plan.
func Glob(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			// Let the last "*" swallow one more character and retry.
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func policyJSON(v map[string]any) string {
	d, err := policy.FromMap(map[string]any{"Statement": []any{v}})
	if err != nil {
		return ""
	}
	return d.Statements()[0]
}
