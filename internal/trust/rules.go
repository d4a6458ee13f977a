package trust

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// RiskKind names one way an IRSA grant admits more than named service
// accounts. Callers turn kinds into words (Risks here, internal/access for
// plans), so the rules live in one place.
type RiskKind int

// The kinds of risk a grant can carry.
const (
	// NoSubject: the statement checks no sub, so every service account of
	// the cluster can assume the role.
	NoSubject RiskKind = iota + 1
	// SubMatchesEverything: a StringLike sub pattern admits every service
	// account of the cluster.
	SubMatchesEverything
	// NamespaceWildcard: a StringLike sub pattern has a wildcard in the
	// namespace part, so namespaces created later are admitted too.
	NamespaceWildcard
	// NoAudience: the statement checks no aud.
	NoAudience
)

// GrantRisk is one risk of a grant; Sub is the subject pattern it is about,
// empty for NoSubject and NoAudience.
type GrantRisk struct {
	Kind RiskKind
	Sub  string
}

// Risks returns the risks of one grant, in a fixed order: subject risks in
// the order of g.Subjects, then the audience. A grant of another shape
// (Other) has none here; callers report it as a foreign statement.
func (g Grant) Risks() []GrantRisk {
	if g.Other != "" {
		return nil
	}
	var out []GrantRisk
	if len(g.Subjects) == 0 {
		out = append(out, GrantRisk{Kind: NoSubject})
	}
	for _, s := range g.Subjects {
		if !g.Patterns {
			continue
		}
		switch ns, _ := SplitSub(s); {
		case MatchesEverything(s):
			out = append(out, GrantRisk{Kind: SubMatchesEverything, Sub: s})
		case strings.ContainsAny(ns, "*?"):
			out = append(out, GrantRisk{Kind: NamespaceWildcard, Sub: s})
		}
	}
	if len(g.Subjects) > 0 && len(g.Audiences) == 0 {
		out = append(out, GrantRisk{Kind: NoAudience})
	}
	return out
}

// Risks returns what a trust admits beyond named service accounts, each in
// words a reviewer can act on. Every trust ForRole builds from a validated
// file has none; the plan reports the risks of live trusts it replaces.
func Risks(doc policy.Document) []string {
	var out []string
	for _, g := range Read(doc) {
		for _, r := range g.Risks() {
			out = append(out, r.words(g.Principal))
		}
	}
	return out
}

func (r GrantRisk) words(principal string) string {
	switch r.Kind {
	case NoSubject:
		return fmt.Sprintf("the statement for %s checks no subject: every service account of that cluster can assume the role", principal)
	case SubMatchesEverything:
		return fmt.Sprintf("subject pattern %q matches every service account of the cluster behind %s", r.Sub, principal)
	case NamespaceWildcard:
		_, name := SplitSub(r.Sub)
		return fmt.Sprintf("subject pattern %q has a wildcard in the namespace: service account %q of any namespace, including ones created later, can assume the role", r.Sub, name)
	case NoAudience:
		return fmt.Sprintf("the statement for %s checks no audience: tokens minted for any audience are accepted", principal)
	}
	return fmt.Sprintf("risk %d of the statement for %s", r.Kind, principal)
}

// MatchesEverything reports whether a StringLike subject pattern admits every
// service account: "*", "system:*", "system:serviceaccount:*", "...:*:*".
func MatchesEverything(sub string) bool {
	const prefix = "system:serviceaccount:"
	if !strings.HasPrefix(sub, prefix) {
		// Anything not anchored on the service-account prefix that still
		// matches it, such as "*" or "sys*", matches every token.
		return matchesPrefixPattern(sub, prefix)
	}
	ns, name := SplitSub(sub)
	allNS := ns == "*" || strings.HasPrefix(ns, "*") && strings.Contains(ns, ":")
	return allNS && strings.Trim(name, "*") == "" || strings.Trim(strings.TrimPrefix(sub, prefix), "*") == ""
}

// SplitSub splits "system:serviceaccount:NS:NAME" into NS and NAME.
func SplitSub(sub string) (namespace, name string) {
	rest := strings.TrimPrefix(sub, "system:serviceaccount:")
	i := strings.Index(rest, ":")
	if i < 0 {
		return rest, ""
	}
	return rest[:i], rest[i+1:]
}

// matchesPrefixPattern reports whether a pattern that does not start with
// the service-account prefix can still match strings that do (it has a "*"
// before that prefix could be spelled out).
func matchesPrefixPattern(pattern, prefix string) bool {
	for i := 0; i < len(pattern) && i < len(prefix); i++ {
		switch pattern[i] {
		case '*':
			return true
		case '?', prefix[i]:
			continue
		default:
			return false
		}
	}
	return false
}
