package trust

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "x", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"app-*", "app-web", true},
		{"app-*", "ap-web", false},
		{"*-web", "app-web", true},
		{"*-web", "app-web2", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"system:serviceaccount:*:x", "system:serviceaccount:ns:x", true},
		{"system:serviceaccount:*:x", "system:serviceaccount:ns:y", false},
		{"ns:*", "ns:app-*", true}, // a broader pattern matches the narrower one spelled out
		{"ns:app-*", "ns:*", false},
		{strings.Repeat("*a", 30), strings.Repeat("a", 29) + "b", false}, // no exponential backtracking
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestReadAcceptsWildcardActions(t *testing.T) {
	t.Parallel()
	for action, want := range map[string]bool{
		`"sts:AssumeRoleWithWebIdentity"`: true,
		`"STS:assumerolewithwebidentity"`: true, // IAM action names are case-insensitive
		`"sts:*"`:                         true,
		`"*"`:                             true,
		`"sts:AssumeRole*"`:               true,
		`"sts:AssumeRole"`:                false,
		`["s3:*","sts:TagSession"]`:       false,
	} {
		doc := policy.MustParse(`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":` + action + `,"Condition":{"StringEquals":{"i:sub":"system:serviceaccount:a:b","i:aud":"sts.amazonaws.com"}}}]}`)
		g := Read(doc)
		if got := len(g) == 1 && g[0].Other == ""; got != want {
			t.Errorf("Action %s read as a grant = %v, want %v (%+v)", action, got, want, g)
		}
	}
}

func TestGrantRiskKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		grant Grant
		want  []GrantRisk
	}{
		{"exact", Grant{Subjects: []string{"system:serviceaccount:a:b"}, Audiences: []string{"x"}}, nil},
		{"no subject", Grant{}, []GrantRisk{{Kind: NoSubject}}},
		{"no audience", Grant{Subjects: []string{"system:serviceaccount:a:b"}}, []GrantRisk{{Kind: NoAudience}}},
		{"everything", Grant{Subjects: []string{"system:serviceaccount:*"}, Patterns: true, Audiences: []string{"x"}}, []GrantRisk{{Kind: SubMatchesEverything, Sub: "system:serviceaccount:*"}}},
		{"namespace", Grant{Subjects: []string{"system:serviceaccount:*:b", "system:serviceaccount:a:*"}, Patterns: true, Audiences: []string{"x"}}, []GrantRisk{{Kind: NamespaceWildcard, Sub: "system:serviceaccount:*:b"}}},
		{"star is literal under StringEquals", Grant{Subjects: []string{"system:serviceaccount:*:b"}, Audiences: []string{"x"}}, nil},
		{"other", Grant{Other: "{}"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.grant.Risks()); diff != "" {
				t.Errorf("Risks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
