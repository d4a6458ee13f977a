package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/test/schematest"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasAnExample walks the whole command tree, cobra's
// completion and help commands included.
func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		seen++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(IO{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}}))
	if seen < 10 {
		t.Errorf("walked %d commands; the completion commands are missing", seen)
	}
}

func TestCompletionScripts(t *testing.T) {
	tests := map[string]string{
		"bash": "__start_irsa-sync",
		"zsh":  "#compdef irsa-sync",
		"fish": "complete -c irsa-sync",
	}
	for shell, want := range tests {
		code, out, stderr := run(t, "completion", shell)
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q; script does not contain %q", shell, code, stderr, want)
		}
	}
}

func TestHelpShowsExamples(t *testing.T) {
	for _, cmd := range []string{"plan", "apply", "validate", "version", "completion"} {
		code, out, _ := run(t, cmd, "--help")
		if code != ExitOK || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help: exit %d, no Examples section:\n%s", cmd, code, out)
		}
	}
}

func TestVersionFromBuildFlags(t *testing.T) {
	v, c := Version, Commit
	t.Cleanup(func() { Version, Commit = v, c })
	Version, Commit = "v1.2.3", "0123abc"
	code, out, _ := run(t, "version")
	if code != ExitOK || !strings.HasPrefix(out, "irsa-sync v1.2.3 (commit 0123abc, go") {
		t.Errorf("version: exit %d: %q", code, out)
	}
}

func TestApplyFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--rate", "0"}, "--rate is 0"},
		{[]string{"apply", "--parallelism", "0"}, "--parallelism is 0"},
		{[]string{"plan", "--markdown-max-bytes", "-1", "-o", "markdown"}, "--markdown-max-bytes is -1"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, append(tt.args, "-f", example, "--sandbox", t.TempDir())...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 1 mentioning %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestApplyJSONResults checks apply --output json: one result per change,
// each with address, action, status and error (null unless it failed).
func TestApplyJSONResults(t *testing.T) {
	code, out, stderr := run(t, "apply", "--sandbox", t.TempDir(), "-f", example, "-o", "json")
	if code != ExitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	var doc struct {
		Plan struct {
			Changes []json.RawMessage `json:"changes"`
		} `json:"plan"`
		Results []map[string]json.RawMessage `json:"results"`
		Summary struct{ Applied, Failed, Skipped int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := validateAgainst(t, "apply.schema.json", out); err != nil {
		t.Errorf("apply --output json does not match schemas/apply.schema.json: %v", err)
	}
	if len(doc.Results) != len(doc.Plan.Changes) || len(doc.Results) != 15 || doc.Summary.Applied != 15 {
		t.Fatalf("%d results for %d changes, summary %+v; want 15 applied", len(doc.Results), len(doc.Plan.Changes), doc.Summary)
	}
	for i, r := range doc.Results {
		for _, k := range []string{"address", "action", "status", "error"} {
			if _, ok := r[k]; !ok {
				t.Errorf("results[%d] has no %q: %v", i, k, r)
			}
		}
		if string(r["status"]) != `"applied"` || string(r["error"]) != "null" {
			t.Errorf("results[%d]: status %s, error %s; want applied and null", i, r["status"], r["error"])
		}
	}
}

// validateAgainst validates a JSON document against one of schemas/.
func validateAgainst(t *testing.T, name, doc string) error {
	t.Helper()
	return schematest.Validate(schematest.Compile(t, name), doc)
}
