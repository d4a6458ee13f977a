package render

import (
	"strings"
	"testing"
)

// TestReviewShows checks the review fixture for what a reviewer must see,
// beyond the golden files: each claim is counted, so a regression that
// keeps the goldens plausible still fails here.
func TestReviewShows(t *testing.T) {
	t.Parallel()
	p := reviewPlan()
	text, md, js := render(t, "text", Options{}, p), render(t, "markdown", Options{}, p), render(t, "json", Options{}, p)
	// One added action is one "+" line in the policy's document diff.
	for format, out := range map[string]string{"text": text, "markdown": md} {
		start := strings.Index(out, "policy account/prod/policy/shared-read")
		section := out[start : strings.Index(out[start:], "reaches")+start]
		if n := strings.Count(section, "+ "); n != 1 || !strings.Contains(section, `"s3:PutObject"`) {
			t.Errorf("%s: the one added action shows as %d added lines:\n%s", format, n, section)
		}
		for _, want := range []string{
			"inline policy write-reports (new):", `"arn:aws:s3:::reports/*"`, // a new inline policy shows its document
			"prod-euw1/batch-*/* (pattern)",                                     // a trust line names the cluster
			"prod/reporter: prod-use1/reports/adhoc, prod-use1/reports/nightly", // a shared policy lists roles and bindings
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s does not show %q", format, want)
			}
		}
		if strings.Contains(out, "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE") {
			t.Errorf("%s shows an issuer id without --verbose", format)
		}
	}
	if !strings.Contains(render(t, "text", Options{Verbose: true}, p), "(issuer oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE)") {
		t.Error("--verbose does not show the issuer")
	}
	// A widened trust and a foreign statement each carry a warning in all
	// three formats.
	for format, out := range map[string]string{"text": text, "markdown": md, "json": js} {
		for _, want := range []string{"is trusted by a new pattern", "the live trust has a statement irsa-sync does not generate: statement 0 trusts account 999988887777"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s has no warning %q", format, want)
			}
		}
	}
	if !strings.HasPrefix(md[strings.Index(md, "\n\n")+2:], "> [!WARNING]\n> This plan needs a careful review: **access widens**") {
		t.Errorf("the Markdown comment does not open with the banner:\n%s", md[:300])
	}
}

// TestPatternsOnlyWithChanges: the wildcard bindings are context for
// changes; a plan with none prints them only with --verbose.
func TestPatternsOnlyWithChanges(t *testing.T) {
	t.Parallel()
	quiet := emptyPlan()
	quiet.Patterns = createPlan().Patterns
	for _, format := range []string{"text", "markdown"} {
		if out := render(t, format, Options{}, quiet); strings.Contains(out, "Trusted by pattern") {
			t.Errorf("%s: a plan without changes shows the pattern block:\n%s", format, out)
		}
		if out := render(t, format, Options{Verbose: true}, quiet); !strings.Contains(out, "Trusted by pattern") {
			t.Errorf("%s --verbose: no pattern block", format)
		}
		if out := render(t, format, Options{}, createPlan()); !strings.Contains(out, "Trusted by pattern") {
			t.Errorf("%s: a plan with changes lacks the pattern block", format)
		}
	}
}
