package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/irsa-sync/irsa-sync/test/golden"
)

const example = "../../examples/bindings.yaml"

// run runs irsa-sync in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// TestQuickStart is the README's quick start: plan from an empty sandbox,
// apply, then a plan with --detailed-exitcode that finds nothing to do.
func TestQuickStart(t *testing.T) {
	dir := t.TempDir()
	code, text, stderr := run(t, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")
	if code != ExitChanges {
		t.Fatalf("plan from empty: exit %d, want %d; stderr: %s", code, ExitChanges, stderr)
	}
	golden(t, "example-plan.txt", text)

	code, js, stderr := run(t, "plan", "--sandbox", dir, "-f", example, "--output", "json")
	if code != ExitOK {
		t.Fatalf("json plan: exit %d; stderr: %s", code, stderr)
	}
	golden(t, "example-plan.json", js)

	code, md, stderr := run(t, "plan", "--sandbox", dir, "-f", example, "--output", "markdown")
	if code != ExitOK {
		t.Fatalf("markdown plan: exit %d; stderr: %s", code, stderr)
	}
	golden(t, "example-plan.md", md)

	code, out, stderr := run(t, "apply", "--sandbox", dir, "-f", example)
	if code != ExitOK || !strings.Contains(out, "Apply complete: 15 created, 0 updated, 0 deleted.") {
		t.Fatalf("apply: exit %d\n%s\nstderr: %s", code, out, stderr)
	}

	code, out, stderr = run(t, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")
	if code != ExitOK || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply: exit %d, want 0 with No changes\n%s\nstderr: %s", code, out, stderr)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	_, first, _ := run(t, "plan", "--sandbox", t.TempDir(), "-f", example, "--output", "json")
	_, second, _ := run(t, "plan", "--sandbox", t.TempDir(), "-f", example, "--output", "json")
	if first != second || first == "" {
		t.Errorf("two plans of the same inputs differ or are empty")
	}
}

func TestInvalidFileWritesNothing(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bindings.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: irsa-sync/v1\nkind: Bindings\nowner: x\naccounts: [{name: a, id: \"12\"}]\nclusters: []\nroles: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sandbox")
	for _, cmd := range []string{"validate", "plan", "apply"} {
		code, _, stderr := run(t, cmd, "--sandbox", dir, "-f", bad)
		if code != ExitError {
			t.Errorf("%s: exit %d, want %d", cmd, code, ExitError)
		}
		if !strings.Contains(stderr, "accounts[0].id") || !strings.Contains(stderr, "nothing was read or written") {
			t.Errorf("%s: error does not name the place: %s", cmd, stderr)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("an invalid file created the sandbox directory: %v", err)
	}
}

func TestValidateExample(t *testing.T) {
	code, out, stderr := run(t, "validate", "-f", example)
	if code != ExitOK || !strings.Contains(out, "is valid: 2 accounts, 2 clusters, 1 policies, 3 roles, 7 service account bindings.") {
		t.Errorf("validate: exit %d: %s %s", code, out, stderr)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--output", "yaml", "-f", example}, `"yaml"`},
		{[]string{"apply", "--output", "markdown", "-f", example}, "use text or json"},
		{[]string{"plan", "extra"}, "unknown command"},
		{[]string{"nope"}, "unknown command"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 1 mentioning %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != ExitOK || !strings.HasPrefix(out, "irsa-sync ") || !strings.Contains(out, "commit") {
		t.Errorf("version: exit %d: %q", code, out)
	}
}
