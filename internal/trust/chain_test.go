package trust

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

func TestChainDocuments(t *testing.T) {
	t.Parallel()
	const a, b = "arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/team/b"
	sub := Subject{ProviderARN: "arn:aws:iam::444455556666:oidc-provider/oidc.example/id/X", Issuer: "oidc.example/id/X", Namespace: "ns", Name: "sa"}
	tests := []struct {
		name      string
		got, want policy.Document
	}{
		{"no sources is ForRole", ForChainedRole([]Subject{sub}, nil), ForRole([]Subject{sub})},
		{"no subjects, no sources", ForChainedRole(nil, nil), policy.Document{}},
		{"sources sorted, TagSession only when asked", ForChainedRole(nil, []Chain{{Role: b, TagSession: true}, {Role: a}}), policy.MustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"` + a + `"},"Action":"sts:AssumeRole"},
			{"Effect":"Allow","Principal":{"AWS":"` + b + `"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)},
		{"permission: one statement per target", ChainPermission([]Chain{{Role: b}, {Role: a, TagSession: true}}), policy.MustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"` + a + `"},
			{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + b + `"}]}`)},
		{"no targets", ChainPermission(nil), policy.Document{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.got.Equal(tt.want) || tt.got.IsZero() != tt.want.IsZero() {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	withIRSA := ForChainedRole([]Subject{sub}, []Chain{{Role: a}})
	if n := len(withIRSA.Statements()); n != 2 {
		t.Errorf("IRSA subject and one source: %d statements, want 2", n)
	}
}

func TestRolePrincipals(t *testing.T) {
	t.Parallel()
	doc := policy.MustParse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:role/z","arn:aws:iam::1:root","123456789012"]},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:role/denied"},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/p/a"},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)
	if diff := cmp.Diff([]string{"arn:aws:iam::1:role/p/a", "arn:aws:iam::1:role/z"}, RolePrincipals(doc)); diff != "" {
		t.Errorf("RolePrincipals (-want +got):\n%s", diff)
	}
	if got := RolePrincipals(policy.Document{}); len(got) != 0 {
		t.Errorf("RolePrincipals of no document = %v", got)
	}
}
