package trust

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// Risks returns what a trust admits beyond named service accounts, each in
// words a reviewer can act on. Every trust ForRole builds from a validated
// file has none; the plan reports the risks of live trusts it replaces.
func Risks(doc policy.Document) []string {
	var out []string
	for _, g := range Read(doc) {
		if g.Other != "" {
			continue
		}
		if len(g.Subjects) == 0 {
			out = append(out, fmt.Sprintf("the statement for %s checks no subject: every service account of that cluster can assume the role", g.Principal))
			continue
		}
		for _, s := range g.Subjects {
			if !g.Patterns {
				continue
			}
			switch ns, name := SplitSub(s); {
			case MatchesEverything(s):
				out = append(out, fmt.Sprintf("subject pattern %q matches every service account of the cluster behind %s", s, g.Principal))
			case strings.ContainsAny(ns, "*?"):
				out = append(out, fmt.Sprintf("subject pattern %q has a wildcard in the namespace: service account %q of any namespace, including ones created later, can assume the role", s, name))
			}
		}
		if len(g.Audiences) == 0 {
			out = append(out, fmt.Sprintf("the statement for %s checks no audience: tokens minted for any audience are accepted", g.Principal))
		}
	}
	return out
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
