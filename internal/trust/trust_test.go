package trust

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

const (
	issuer   = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	provider = "arn:aws:iam::111122223333:oidc-provider/" + issuer
)

func TestForRoleMatchesTheAWSGuide(t *testing.T) {
	t.Parallel()
	// The trust from step 2 of the AWS guide, as a person writes it.
	guide := policy.MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Effect": "Allow",
	    "Principal": {"Federated": "` + provider + `"},
	    "Action": "sts:AssumeRoleWithWebIdentity",
	    "Condition": {"StringEquals": {
	      "` + issuer + `:sub": "system:serviceaccount:default:my-service-account",
	      "` + issuer + `:aud": "sts.amazonaws.com"}}
	  }]}`)
	got := ForRole([]Subject{{ProviderARN: provider, Issuer: issuer, Namespace: "default", Name: "my-service-account"}})
	if !got.Equal(guide) {
		t.Errorf("ForRole does not match the guide's trust:\n got %s\nwant %s", got, guide)
	}
}

func TestForRoleFoldsAndSplits(t *testing.T) {
	t.Parallel()
	other := "oidc.eks.eu-west-1.amazonaws.com/id/OTHER"
	otherARN := "arn:aws:iam::111122223333:oidc-provider/" + other
	subjects := []Subject{
		{ProviderARN: provider, Issuer: issuer, Namespace: "default", Name: "a"},
		{ProviderARN: provider, Issuer: issuer, Namespace: "default", Name: "b"},
		{ProviderARN: provider, Issuer: issuer, Namespace: "batch", Name: "*"},
		{ProviderARN: otherARN, Issuer: other, Namespace: "default", Name: "a"},
		{ProviderARN: otherARN, Issuer: other, Namespace: "default", Name: "a"}, // repeated
		{ProviderARN: otherARN, Issuer: other, Namespace: "web", Name: "c", Audience: "vault"},
	}
	doc := ForRole(subjects)
	want := []Grant{
		{Principal: provider, Subjects: []string{"system:serviceaccount:batch:*", "system:serviceaccount:default:a", "system:serviceaccount:default:b"}, Patterns: true, Audiences: []string{"sts.amazonaws.com"}},
		{Principal: otherARN, Subjects: []string{"system:serviceaccount:default:a"}, Audiences: []string{"sts.amazonaws.com"}},
		{Principal: otherARN, Subjects: []string{"system:serviceaccount:web:c"}, Audiences: []string{"vault"}},
	}
	if diff := cmp.Diff(want, Read(doc), sortGrants); diff != "" {
		t.Errorf("grants mismatch (-want +got):\n%s\n%s", diff, doc.Pretty())
	}
	if risks := Risks(doc); len(risks) != 0 {
		t.Errorf("generated trust has risks: %v", risks)
	}
	// Input order must not change the document.
	reversed := make([]Subject, len(subjects))
	for i, s := range subjects {
		reversed[len(subjects)-1-i] = s
	}
	if again := ForRole(reversed); again.JSON() != doc.JSON() {
		t.Errorf("ForRole depends on input order:\n%s\n%s", doc, again)
	}
}

var sortGrants = cmp.Transformer("sort", func(in []Grant) map[string]Grant {
	out := map[string]Grant{}
	for _, g := range in {
		out[g.Principal+g.Subjects[0]] = g
	}
	return out
})

func TestRisks(t *testing.T) {
	t.Parallel()
	stmt := func(cond string) policy.Document {
		return policy.MustParse(`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity"` + cond + `}]}`)
	}
	tests := []struct {
		name string
		doc  policy.Document
		want int
	}{
		{"exact subject", stmt(`,"Condition":{"StringEquals":{"i:sub":"system:serviceaccount:a:b","i:aud":"sts.amazonaws.com"}}`), 0},
		{"namespace pattern", stmt(`,"Condition":{"StringLike":{"i:sub":"system:serviceaccount:a:*"},"StringEquals":{"i:aud":"sts.amazonaws.com"}}`), 0},
		{"no condition", stmt(``), 1},
		{"no sub", stmt(`,"Condition":{"StringEquals":{"i:aud":"sts.amazonaws.com"}}`), 1},
		{"star", stmt(`,"Condition":{"StringLike":{"i:sub":"*"},"StringEquals":{"i:aud":"x"}}`), 1},
		{"all namespaces all names", stmt(`,"Condition":{"StringLike":{"i:sub":"system:serviceaccount:*:*"},"StringEquals":{"i:aud":"x"}}`), 1},
		{"prefix star", stmt(`,"Condition":{"StringLike":{"i:sub":"system:serviceaccount:*"},"StringEquals":{"i:aud":"x"}}`), 1},
		{"namespace wildcard", stmt(`,"Condition":{"StringLike":{"i:sub":"system:serviceaccount:*:x"},"StringEquals":{"i:aud":"x"}}`), 1},
		{"no audience", stmt(`,"Condition":{"StringEquals":{"i:sub":"system:serviceaccount:a:b"}}`), 1},
		// IAM reads operators, keys and actions in any case: so must Risks.
		{"star, operator and key in other case", stmt(`,"Condition":{"stringlike":{"i:SUB":"*"},"StringEquals":{"i:aud":"x"}}`), 1},
		{"no sub, action in other case", policy.MustParse(`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"STS:assumerolewithwebidentity","Condition":{"StringEquals":{"i:aud":"x"}}}]}`), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Risks(tt.doc); len(got) != tt.want {
				t.Errorf("Risks = %q, want %d", got, tt.want)
			}
		})
	}
}

func TestMatchesEverything(t *testing.T) {
	t.Parallel()
	for sub, want := range map[string]bool{
		"*": true, "s*": true, "system:*": true, "system:serviceaccount:*": true,
		"system:serviceaccount:*:*": true, "system:serviceaccount:**": true,
		"system:serviceaccount:ns:*": false, "system:serviceaccount:*:x": false,
		"x*": false, "system:serviceaccount:a:b": false,
	} {
		if got := MatchesEverything(sub); got != want {
			t.Errorf("MatchesEverything(%q) = %v, want %v", sub, got, want)
		}
	}
}
