package access

import (
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// Change is who gains and who loses the ability to assume a role between
// two trusts, and which of the gains widen access in a way a reviewer must
// look at.
type Change struct {
	Gained  []Subject  `json:"gained,omitempty"`
	Lost    []Subject  `json:"lost,omitempty"`
	Widened []Widening `json:"widened,omitempty"`
}

// IsZero reports whether nobody gains or loses access.
func (c Change) IsZero() bool { return len(c.Gained) == 0 && len(c.Lost) == 0 }

// WideningKind says why a gained subject widens access.
type WideningKind int

// The ways a change widens access. One gained subject can widen in several.
const (
	// NewPattern: a gained subject that names service accounts by pattern.
	NewPattern WideningKind = iota + 1
	// BroaderPattern: a gained pattern that admits everything a pattern of
	// before did and more, such as ns:* replacing ns:app-*.
	BroaderPattern
	// NamespaceWildcard: a gained subject with a wildcard namespace.
	NamespaceWildcard
	// NewCluster: a gained subject of a cluster no subject of before had.
	NewCluster
	// NewAccount: a gained subject of an account no subject of before had.
	NewAccount
	// NewPrincipal: a gained chained role or other principal.
	NewPrincipal
)

var wideningNames = map[WideningKind]string{
	NewPattern: "newPattern", BroaderPattern: "broaderPattern", NamespaceWildcard: "namespaceWildcard",
	NewCluster: "newCluster", NewAccount: "newAccount", NewPrincipal: "newPrincipal",
}

// String is the kind's stable identifier.
func (k WideningKind) String() string { return wideningNames[k] }

// MarshalText writes the kind's identifier, so JSON plans carry names.
func (k WideningKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Widening is one reason a gained subject widens access. Than is the
// subject of before it broadens, for BroaderPattern.
type Widening struct {
	Subject Subject      `json:"subject"`
	Why     WideningKind `json:"why"`
	Than    *Subject     `json:"than,omitempty"`
}

// Diff compares who can assume a role with the before and after trusts.
func Diff(before, after policy.Document, r Resolver) Change {
	b, _ := Of(before, r)
	a, _ := Of(after, r)
	return DiffSubjects(b, a)
}

// DiffSubjects compares two lists of subjects as Of returns them. Subjects
// are the same when their words are (Subject.String).
func DiffSubjects(before, after []Subject) Change {
	inBefore, inAfter := keyed(before), keyed(after)
	var c Change
	for _, s := range after {
		if _, ok := inBefore[s.String()]; !ok {
			c.Gained = append(c.Gained, s)
		}
	}
	for _, s := range before {
		if _, ok := inAfter[s.String()]; !ok {
			c.Lost = append(c.Lost, s)
		}
	}
	c.Gained, c.Lost = sortSubjects(c.Gained), sortSubjects(c.Lost)
	clusters, accounts := map[string]bool{}, map[string]bool{}
	for _, s := range before {
		clusters[s.Cluster] = true
		accounts[s.Account] = true
	}
	for _, s := range c.Gained {
		add := func(k WideningKind, than *Subject) {
			c.Widened = append(c.Widened, Widening{Subject: s, Why: k, Than: than})
		}
		if s.Path == Chain || s.Path == Other {
			add(NewPrincipal, nil)
		}
		if s.Pattern {
			if q, ok := broadens(s, before); ok {
				add(BroaderPattern, &q)
			} else {
				add(NewPattern, nil)
			}
			if strings.ContainsAny(s.Namespace, "*?") {
				add(NamespaceWildcard, nil)
			}
		}
		// A new role has no before: every subject would be "new", which says
		// nothing; its patterns and principals are still flagged above.
		if s.Cluster != "" && !clusters[s.Cluster] && len(before) > 0 {
			add(NewCluster, nil)
		}
		if s.Account != "" && !accounts[s.Account] && len(before) > 0 {
			add(NewAccount, nil)
		}
	}
	sort.SliceStable(c.Widened, func(i, j int) bool { return c.Widened[i].Why < c.Widened[j].Why })
	sort.SliceStable(c.Widened, func(i, j int) bool { return lessSubject(c.Widened[i].Subject, c.Widened[j].Subject) })
	return c
}

// broadens finds a pattern of before that s admits entirely and more: same
// path, cluster and audience, and each part of before's matched by s's
// pattern when read as a plain string. That reading is exact for the
// prefix and suffix patterns people write (app-* within *), and never
// claims a broadening that is not one.
func broadens(s Subject, before []Subject) (Subject, bool) {
	for _, q := range before {
		if !q.Pattern || q.Path != s.Path || q.Cluster != s.Cluster || q.Audience != s.Audience || q.Account != s.Account {
			continue
		}
		if q.String() == s.String() {
			continue
		}
		if trust.Glob(s.Namespace, q.Namespace) && trust.Glob(s.ServiceAccount, q.ServiceAccount) {
			return q, true
		}
	}
	return Subject{}, false
}

func keyed(list []Subject) map[string]Subject {
	m := make(map[string]Subject, len(list))
	for _, s := range list {
		m[s.String()] = s
	}
	return m
}
