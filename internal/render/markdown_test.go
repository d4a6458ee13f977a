package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

var foldedNote = regexp.MustCompile(`the details of (\d+) changes? (?:is|are) folded(?:, and (\d+) entr(?:y is|ies are) left out)?\.`)

// TestMarkdownFoldsLargePlan renders 2,000 changes, several times
// GitHub's limit, and checks the comment fits, says what it left out, and
// still heads with the summary table.
func TestMarkdownFoldsLargePlan(t *testing.T) {
	const n = 2000
	p := bigPlan(n)
	full := render(t, "markdown", Options{MaxBytes: 1 << 30}, p)
	if len(full) <= DefaultMarkdownMaxBytes {
		t.Fatalf("the full plan is %d bytes, not over the limit: the test proves nothing", len(full))
	}
	out := render(t, "markdown", Options{}, p)
	if len(out) > DefaultMarkdownMaxBytes {
		t.Fatalf("comment is %d bytes, over the limit of %d", len(out), DefaultMarkdownMaxBytes)
	}
	m := foldedNote.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no note saying what was folded:\n%s", out[:min(len(out), 2000)])
	}
	folded, _ := strconv.Atoi(m[1])
	omitted, _ := strconv.Atoi(m[2]) // 0 when no entry is left out
	kept := strings.Count(out, "<details>")
	headings := strings.Count(out, "\n- <code>+ role ")
	if folded != headings+omitted || kept+folded != n {
		t.Errorf("note says %d folded and %d left out; the comment has %d details and %d headings only, of %d changes",
			folded, omitted, kept, headings, n)
	}
	if !strings.Contains(out, "run `irsa-sync plan` locally for the full plan.") {
		t.Error("the note does not say how to see the full plan")
	}
	if !strings.HasPrefix(out, "### irsa-sync plan for `platform-prod`: 2000 to create, 0 to update, 0 to delete\n") {
		t.Errorf("the title is gone or wrong: %q", out[:100])
	}
	if !strings.Contains(out, "| Account prod (111122223333) | 2000 | 0 | 0 |") {
		t.Error("the summary table is gone")
	}
	// Headings are left out only once every detail is folded, and from the
	// end: the first changes are still listed.
	if omitted > 0 && kept > 0 {
		t.Errorf("%d entries left out while %d details are kept", omitted, kept)
	}
	if !strings.Contains(out, "<code>+ role account/prod/role/role-0000</code>") {
		t.Error("the first change is not listed")
	}
	if omitted > 0 && !strings.HasSuffix(out, fmt.Sprintf("_%d more entries left out: run `irsa-sync plan` locally for the full plan._\n", omitted)) {
		t.Errorf("the comment does not end saying entries were left out: %q", out[len(out)-200:])
	}
}

// TestMarkdownKeepsHeadingsWhenTheyFit checks that folding stops as soon as
// the comment fits: every change keeps its heading when headings fit.
func TestMarkdownKeepsHeadingsWhenTheyFit(t *testing.T) {
	p := bigPlan(200)
	out := render(t, "markdown", Options{MaxBytes: 20000}, p)
	if len(out) > 20000 {
		t.Fatalf("comment is %d bytes, over 20000", len(out))
	}
	m := foldedNote.FindStringSubmatch(out)
	if m == nil || m[2] != "" {
		t.Fatalf("want details folded and no entry left out, note: %v", m)
	}
	for i := range 200 {
		if !strings.Contains(out, fmt.Sprintf("account/prod/role/role-%04d</code>", i)) {
			t.Errorf("change %d has no heading", i)
		}
	}
	// One more detail would not have fitted.
	folded, _ := strconv.Atoi(m[1])
	if folded == 0 || folded == 200 {
		t.Errorf("folded %d of 200: the limit should fold some, not all", folded)
	}
}

// TestMarkdownProblemsLast checks that under a tight limit, conflicts at
// the top of the comment are the last entries to go.
func TestMarkdownProblemsLast(t *testing.T) {
	p := bigPlan(300)
	p.Conflicts = []plan.Problem{{Address: "account/prod/role/x", Message: "held by another owner"}}
	out := render(t, "markdown", Options{MaxBytes: 4000}, p)
	if len(out) > 4000 {
		t.Fatalf("comment is %d bytes, over 4000", len(out))
	}
	if !strings.Contains(out, "held by another owner") {
		t.Errorf("the conflict was left out before the changes:\n%s", out)
	}
	if !foldedNote.MatchString(out) {
		t.Errorf("no note saying what was left out:\n%s", out)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"a*b_c":     `a\*b\_c`,
		"x | y":     `x \| y`,
		"<script>":  "&lt;script&gt;",
		"[link](u)": `\[link\](u)`,
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := code("a`b"); got != "``a`b``" {
		t.Errorf("code(a`b) = %q", got)
	}
	if got := fenceFor("x ``` y"); got != "````" {
		t.Errorf("fenceFor = %q, want four backticks", got)
	}
}
