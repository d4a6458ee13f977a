package access

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// trustSeeds turns the trust package's fuzz corpus (two bindings, an
// audience and whether they sit in two clusters) into the trust documents
// ForRole generates for them, so FuzzOf starts from real generated shapes.
func trustSeeds(t testing.TB) []string {
	files, err := filepath.Glob("../trust/testdata/fuzz/FuzzForRole/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no trust fuzz corpus to seed from (%v)", err)
	}
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var strs []string
		two := false
		for _, l := range strings.Split(string(raw), "\n")[1:] {
			switch {
			case strings.HasPrefix(l, "string(") && strings.HasSuffix(l, ")"):
				s, err := strconv.Unquote(l[len("string(") : len(l)-1])
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				strs = append(strs, s)
			case l == "bool(true)":
				two = true
			}
		}
		if len(strs) != 5 {
			t.Fatalf("%s: want 5 strings, have %d", f, len(strs))
		}
		second := issuerBlue
		if two {
			second = issuerGreen
		}
		doc := trust.ForRole([]trust.Subject{
			{ProviderARN: provider(issuerBlue), Issuer: issuerBlue, Namespace: strs[0], Name: strs[1]},
			{ProviderARN: provider(second), Issuer: second, Namespace: strs[2], Name: strs[3], Audience: strs[4]},
		})
		out = append(out, doc.JSON())
	}
	return out
}

// FuzzOf checks that Of never panics on any document IAM could hold, is
// deterministic, finds no change between a trust and itself, and that the
// picture of its access is valid Mermaid.
func FuzzOf(f *testing.F) {
	for _, s := range trustSeeds(f) {
		f.Add([]byte(s))
	}
	for _, st := range []string{
		web(issuerBlue, webAction, like(issuerBlue, `["system:serviceaccount:*:x","system:serviceaccount:team-*"]`)),
		web(issuerBlue, "sts:*", `{"StringNotLike":{"`+issuerBlue+`:sub":"x"}}`),
		pods(`{"StringLike":{"aws:SourceArn":"arn:aws:eks:*:` + prodID + `:cluster/*","aws:RequestTag/kubernetes-namespace":"a*"}}`),
		aws("arn:aws:iam::999988887777:root"), aws(ciRole), aws("*"),
		`{"Effect":"Deny","Principal":{"Federated":"x"},"Action":"*"}`,
		`{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"sts:*"}`,
	} {
		f.Add([]byte(`{"Statement":[` + st + `]}`))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := policy.Parse(raw)
		if err != nil {
			t.Skip()
		}
		subs, risks := Of(doc, names)
		again, againRisks := Of(doc, names)
		if diff := cmp.Diff(subs, again); diff != "" {
			t.Fatalf("Of is not deterministic:\n%s", diff)
		}
		if diff := cmp.Diff(risks, againRisks); diff != "" {
			t.Fatalf("risks are not deterministic:\n%s", diff)
		}
		n := len(doc.Statements())
		for _, r := range risks {
			if r.Statement < 0 || r.Statement >= n {
				t.Fatalf("risk %+v names statement %d of %d", r, r.Statement, n)
			}
			if w := r.Words(); strings.HasPrefix(w, "statement "+strconv.Itoa(r.Statement)+": ") {
				t.Fatalf("risk %+v has no words", r)
			}
		}
		for _, s := range subs {
			if s.String() == "" {
				t.Fatalf("subject %+v has no words", s)
			}
		}
		if c := Diff(doc, doc, names); !c.IsZero() || len(c.Widened) > 0 {
			t.Fatalf("a trust differs from itself: %+v", c)
		}
		if _, err := validateMermaid(Mermaid("role", Edges("role", subs, subs))); err != nil {
			t.Fatalf("invalid picture: %v", err)
		}
	})
}
