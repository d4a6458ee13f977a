package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadFlagValues checks flag values that parse but mean nothing sensible.
func TestBadFlagValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--timeout", "-1s", "-f", example}, "--timeout is -1s: use a positive duration"},
		{[]string{"apply", "--timeout", "-5m", "-f", example}, "--timeout is -5m0s"},
		{[]string{"apply", "--rate", "NaN", "-f", example}, "--rate is NaN: use a positive, finite number"},
		{[]string{"apply", "--rate", "Inf", "-f", example}, "--rate is +Inf"},
		{[]string{"apply", "--rate", "-1", "-f", example}, "--rate is -1"},
		{[]string{"apply", "--rate", "0", "-f", example}, "--rate is 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, _, stderr := run(t, append(tt.args, "--sandbox", dir)...)
			if code != ExitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, ExitError, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the sandbox was opened: %d entries in it", len(entries))
			}
		})
	}
	// 0 stays "no limit".
	mustRun(t, ExitOK, "plan", "--timeout", "0", "--sandbox", t.TempDir(), "-f", example)
}

// TestOutIsNotAnInput checks that plan --out refuses, before anything is
// read, a path that is the bindings file or a documentFile, however spelt.
func TestOutIsNotAnInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	bindings := filepath.Join(dir, "bindings.yaml")
	must(t, os.WriteFile(filepath.Join(dir, "doc.json"), []byte(doc), 0o644))
	must(t, os.WriteFile(bindings, []byte(`apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts: [{name: prod, id: "111122223333"}]
clusters: [{name: c1, account: prod, region: us-east-1}]
policies: [{name: read, account: prod, documentFile: doc.json}]
roles:
  - {name: app, account: prod, policies: [read], serviceAccounts: [{cluster: c1, namespace: default, name: app}]}
`), 0o644))
	must(t, os.Symlink(bindings, filepath.Join(dir, "link.yaml")))
	must(t, os.Symlink("doc.json", filepath.Join(dir, "doc-link.json")))
	must(t, os.Link(bindings, filepath.Join(dir, "hard.yaml")))
	before := map[string][]byte{}
	for _, name := range []string{"bindings.yaml", "doc.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		must(t, err)
		before[name] = b
	}
	for _, tc := range []struct{ out, want string }{
		{bindings, "is the bindings file"},
		{filepath.Join(dir, ".", "sub", "..", "bindings.yaml"), "is the bindings file"},
		{filepath.Join(dir, "link.yaml"), "is the bindings file"},
		{filepath.Join(dir, "hard.yaml"), "is the bindings file"},
		{filepath.Join(dir, "doc.json"), "is the documentFile of policies[0] (read) of "},
		{filepath.Join(dir, "doc-link.json"), "is the documentFile of policies[0] (read) of "},
	} {
		if tc.out == filepath.Join(dir, ".", "sub", "..", "bindings.yaml") {
			must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
		}
		sb := t.TempDir()
		code, _, stderr := run(t, "plan", "--sandbox", sb, "-f", bindings, "--out", tc.out)
		if code != ExitError || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "nothing was read or written") {
			t.Errorf("--out %s: exit %d, stderr %q; want a refusal saying it %s", tc.out, code, stderr, tc.want)
		}
		if entries, _ := os.ReadDir(sb); len(entries) != 0 {
			t.Errorf("--out %s: the sandbox was opened", tc.out)
		}
	}
	// -f a directory: the files in it are inputs too.
	code, _, stderr := run(t, "plan", "--sandbox", t.TempDir(), "-f", dir, "--out", bindings)
	if code != ExitError || !strings.Contains(stderr, "is the bindings file") {
		t.Errorf("-f DIR --out DIR/bindings.yaml: exit %d, stderr %q; want a refusal", code, stderr)
	}
	for name, want := range before {
		got, err := os.ReadFile(filepath.Join(dir, name))
		must(t, err)
		if string(got) != string(want) {
			t.Errorf("%s was overwritten:\n%s", name, got)
		}
	}
	// Another file in the same directory is fine.
	mustRun(t, ExitOK, "plan", "--sandbox", t.TempDir(), "-f", bindings, "--out", filepath.Join(dir, "plan.json"))
}

// TestUnwritableSandboxIsFoundFirst checks that a sandbox directory that
// cannot be written refuses the run before anything is applied, instead of
// failing to save after the writes.
func TestUnwritableSandboxIsFoundFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "clusters"), 0o755))
	must(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		t.Skip("this user can write to a 0555 directory (root): the check cannot be seen failing here")
	}
	code, out, stderr := run(t, "apply", "--sandbox", dir, "-f", example)
	if code != ExitError || !strings.Contains(stderr, "cannot be written") || strings.Contains(out, "done") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant a refusal before any change", code, out, stderr)
	}
}

// TestRefusedRunsLeaveTheSandboxAlone checks that runs which write nothing
// (a plan, a blocked apply, a stale saved plan) do not rewrite the
// sandbox's state files.
func TestRefusedRunsLeaveTheSandboxAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	saved := filepath.Join(t.TempDir(), "plan.json")
	changed := editedExample(t, "description: my-role-description", "description: changed")
	mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", changed, "--out", saved)
	files := []string{filepath.Join(dir, "aws.json"), filepath.Join(dir, "clusters", "prod-use1.json")}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	stamp := func() {
		for _, f := range files {
			must(t, os.Chtimes(f, old, old))
		}
	}
	check := func(what string) {
		t.Helper()
		for _, f := range files {
			info, err := os.Stat(f)
			must(t, err)
			if !info.ModTime().Equal(old) {
				t.Errorf("%s rewrote %s", what, filepath.Base(f))
			}
		}
	}
	stamp()
	mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", example)
	check("a plan")
	blocked := editedExample(t, "path: /irsa/", "path: /moved/")
	mustRun(t, ExitError, "apply", "--sandbox", dir, "-f", blocked)
	check("an apply of a blocked plan")
	// The saved plan goes stale: the description changes under it.
	other := editedExample(t, "description: my-role-description", "description: other")
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", other)
	stamp()
	code, _, stderr := run(t, "apply", saved, "--sandbox", dir)
	if code != ExitError || !strings.Contains(stderr, "refused; nothing was written") {
		t.Fatalf("apply of a stale saved plan: exit %d, stderr: %s", code, stderr)
	}
	check("an apply of a stale saved plan")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
