package render

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/irsa-sync/irsa-sync/test/golden"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

func render(t *testing.T, format string, opts Options, p *plan.Plan) string {
	t.Helper()
	r, err := For(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Render(&b, p); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return b.String()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, format := range Formats() {
			t.Run(fx.name+"/"+format, func(t *testing.T) {
				golden(t, fx.name+"."+format+".golden", render(t, format, Options{}, fx.plan()))
			})
		}
	}
}

// TestGoldenFolded shows what a reviewer sees when a plan outgrows a
// comment: the limit is set so that some, not all, details fold.
func TestGoldenFolded(t *testing.T) {
	full := render(t, "markdown", Options{}, updatePlan())
	got := render(t, "markdown", Options{MaxBytes: len(full) - 1200}, updatePlan())
	if len(got) > len(full)-1200 {
		t.Errorf("folded plan is %d bytes, over its limit of %d", len(got), len(full)-1200)
	}
	if !strings.Contains(got, "<details>") || !strings.Contains(got, "are folded") {
		t.Errorf("want some details kept and some folded, got:\n%s", got)
	}
	golden(t, "update-folded.markdown.golden", got)
}

func TestDeterministic(t *testing.T) {
	for _, fx := range fixtures {
		for _, format := range Formats() {
			p := fx.plan()
			first := render(t, format, Options{Color: true}, p)
			// The same plan again, and a plan built anew (whose maps
			// iterate in another order), must give the same bytes.
			if again := render(t, format, Options{Color: true}, p); again != first {
				t.Errorf("%s/%s: second render differs:\n%s", fx.name, format, cmp.Diff(first, again))
			}
			if fresh := render(t, format, Options{Color: true}, fx.plan()); fresh != first {
				t.Errorf("%s/%s: render of a rebuilt plan differs:\n%s", fx.name, format, cmp.Diff(first, fresh))
			}
		}
	}
}

func TestColor(t *testing.T) {
	for _, fx := range fixtures {
		plain := render(t, "text", Options{Color: false}, fx.plan())
		if i := strings.Index(plain, "\x1b"); i >= 0 {
			t.Errorf("%s: Color=false output has an escape code at byte %d:\n%q", fx.name, i, plain)
		}
		colored := render(t, "text", Options{Color: true}, fx.plan())
		if !strings.Contains(colored, "\x1b[") {
			t.Errorf("%s: Color=true output has no escape codes", fx.name)
		}
		// Colour must add codes only, never change the words.
		stripped := strings.NewReplacer(ansiReset, "", ansiBold, "", ansiRed, "", ansiGreen, "", ansiYellow, "").Replace(colored)
		if stripped != plain {
			t.Errorf("%s: coloured text without its codes differs from plain text:\n%s", fx.name, cmp.Diff(plain, stripped))
		}
	}
	for _, format := range []string{"json", "markdown"} {
		if out := render(t, format, Options{Color: true}, updatePlan()); strings.Contains(out, "\x1b") {
			t.Errorf("%s output has escape codes; colour is for the text format only", format)
		}
	}
}

func TestWantColor(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		terminal bool
		noColor  string
		want     bool
	}{{true, "", true}, {true, "1", false}, {false, "", false}, {false, "1", false}} {
		if got := WantColor(tc.terminal, env(tc.noColor)); got != tc.want {
			t.Errorf("WantColor(terminal=%v, NO_COLOR=%q) = %v, want %v", tc.terminal, tc.noColor, got, tc.want)
		}
	}
}

func TestForUnknownFormat(t *testing.T) {
	_, err := For("yaml", Options{})
	if err == nil {
		t.Fatal("For(yaml) succeeded")
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not list format %q", err, f)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, format := range Formats() {
		r, _ := For(format, Options{})
		if err := r.Render(failingWriter{}, createPlan()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: Render to a failing writer returned %v, want the write error", format, err)
		}
	}
}

func TestTextEndsWithSummary(t *testing.T) {
	for _, tc := range []struct {
		plan func() *plan.Plan
		want string
	}{
		{createPlan, "Plan: 4 to create, 0 to update, 0 to delete.\n"},
		{updatePlan, "Plan: 0 to create, 5 to update, 1 to delete.\n"},
		{blockedPlan, "No changes.\n"},
		{configMapPlan, "Plan: 1 to create, 1 to update, 1 to delete.\n"},
		{emptyPlan, "No changes.\n"},
	} {
		out := render(t, "text", Options{}, tc.plan())
		if !strings.HasSuffix(out, "\n\n"+tc.want) && out != tc.want {
			t.Errorf("text plan ends %q, want last line %q", out[max(0, len(out)-80):], tc.want)
		}
	}
}
