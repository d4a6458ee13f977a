package trust

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// The rules validation applies to a binding's names (internal/config): a
// Kubernetes namespace name, a service account name, or a name pattern in a
// named namespace.
var (
	nsRE      = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	nameRE    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	patternRE = regexp.MustCompile(`^[a-z0-9.*?-]+$`)
	audRE     = regexp.MustCompile(`^[!-~]{1,255}$`)
)

func validBinding(ns, name string) bool {
	if len(ns) > 63 || !nsRE.MatchString(ns) || len(name) > 253 {
		return false
	}
	if strings.ContainsAny(name, "*?") {
		return patternRE.MatchString(name)
	}
	return nameRE.MatchString(name)
}

// FuzzForRole checks the trust generator on subjects that pass validation:
// the generated trust has no risk (trust.Risks), and reading it back
// (trust.Read) gives exactly the subjects, each with its provider and
// audience.
func FuzzForRole(f *testing.F) {
	f.Add("default", "app", "kube-system", "*", "", false)
	f.Add("batch", "job-?", "batch", "job-1", "sts.amazonaws.com", true)
	f.Add("a", "a.b.c", "z9", "x", "my-aud", true)
	f.Add("team-a", "reader", "team-a", "reader", "", false)
	f.Fuzz(func(t *testing.T, ns1, name1, ns2, name2, aud string, twoIssuers bool) {
		if !validBinding(ns1, name1) || !validBinding(ns2, name2) || aud != "" && !audRE.MatchString(aud) {
			t.Skip()
		}
		issuers := []string{"oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF", "oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210"}
		subject := func(i int, ns, name, aud string) Subject {
			iss := issuers[0]
			if twoIssuers && i == 1 {
				iss = issuers[1]
			}
			return Subject{ProviderARN: resource.ProviderARN("aws", "111122223333", "https://"+iss), Issuer: iss, Namespace: ns, Name: name, Audience: aud}
		}
		subs := []Subject{subject(0, ns1, name1, ""), subject(1, ns2, name2, aud)}
		doc := ForRole(subs)
		if risks := Risks(doc); len(risks) > 0 {
			t.Fatalf("trust for %+v has risks %v:\n%s", subs, risks, doc.Pretty())
		}
		want := map[string]bool{}
		for _, s := range subs {
			want[s.ProviderARN+" "+s.Sub()+" "+s.Aud()] = true
		}
		got := map[string]bool{}
		for _, g := range Read(doc) {
			if g.Other != "" || len(g.Audiences) != 1 {
				t.Fatalf("grant %+v is not a generated shape:\n%s", g, doc.Pretty())
			}
			for _, s := range g.Subjects {
				got[g.Principal+" "+s+" "+g.Audiences[0]] = true
			}
		}
		if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
			t.Fatalf("Read(ForRole(subjects)) differs from the subjects (-want +got):\n%s\n%s", diff, doc.Pretty())
		}
	})
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
