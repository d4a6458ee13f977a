package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitExample splits the example into a shared file (owner, accounts,
// clusters, policies) and one file per role, as a monorepo with one file
// per team would hold it.
func splitExample(t *testing.T) string {
	t.Helper()
	text := mustRead(t, example)
	i := strings.Index(text, "\nroles:\n")
	j := strings.Index(text, "  - name: analytics-reader")
	if i < 0 || j < 0 {
		t.Fatal("the example has no roles section to split")
	}
	header := "apiVersion: irsa-sync/v1\nkind: Bindings\nroles:\n"
	dir := t.TempDir()
	for name, content := range map[string]string{
		"00-shared.yaml": text[:i+1],
		"team-a.yaml":    header + text[i+len("\nroles:\n"):j],
		"team-b.yaml":    header + text[j:],
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTeamFilesMergedIntoOneDesiredState(t *testing.T) {
	dir := splitExample(t)
	shared, a, b := filepath.Join(dir, "00-shared.yaml"), filepath.Join(dir, "team-a.yaml"), filepath.Join(dir, "team-b.yaml")
	out := mustRun(t, ExitOK, "validate", "-f", shared, "-f", a, "-f", b)
	if !strings.Contains(out, "2 accounts, 2 clusters, 1 policies, 2 roles") {
		t.Errorf("validate of three files:\n%s", out)
	}
	if got := mustRun(t, ExitOK, "validate", "-f", dir); !strings.Contains(got, "2 roles") {
		t.Errorf("validate -f DIR:\n%s", got)
	}
	sb := t.TempDir()
	planFile := filepath.Join(t.TempDir(), "plan.json")
	mustRun(t, ExitChanges, "plan", "--sandbox", sb, "-f", dir, "--out", planFile, "--detailed-exitcode")
	saved := mustRead(t, planFile)
	for _, f := range []string{shared, a, b} {
		if !strings.Contains(saved, f) {
			t.Errorf("the saved plan's digest does not cover %s", f)
		}
	}
	// A team edits its file after the plan was saved: the plan is stale.
	if err := os.WriteFile(b, []byte(strings.Replace(mustRead(t, b), "namespace: analytics", "namespace: analytics2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "apply", "--sandbox", sb, planFile)
	if code != ExitError || !strings.Contains(stderr, b+" changed since the plan was saved") {
		t.Errorf("apply of a stale saved plan: exit %d:\n%s", code, stderr)
	}
	mustRun(t, ExitOK, "apply", "--sandbox", sb, "-f", dir)
	mustRun(t, ExitOK, "plan", "--sandbox", sb, "-f", shared, "-f", a, "-f", b, "--detailed-exitcode")
}

func TestTeamFilesDuplicateRefusedWithBothPlaces(t *testing.T) {
	t.Parallel()
	dir := splitExample(t)
	b := filepath.Join(dir, "team-b.yaml")
	if err := os.WriteFile(b, []byte(strings.NewReplacer("name: analytics-reader", "name: My-Role", "account: data", "account: prod").Replace(mustRead(t, b))), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "validate", "-f", dir)
	want := b + `:4: roles[0].name: role "My-Role" is already declared in account "prod"`
	if code != ExitError || !strings.Contains(stderr, want) || !strings.Contains(stderr, "as roles[0] in "+filepath.Join(dir, "team-a.yaml")+":4") {
		t.Errorf("validate: exit %d, want %d naming %s and team-a.yaml:4:\n%s", code, ExitError, want, stderr)
	}
}
