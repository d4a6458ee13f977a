package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// runSandbox is one run's sandbox as a test sees it: the emulator and the
// in-memory clusters, with the calls made while seeding forgotten.
type runSandbox struct {
	sb       *sandbox.Sandbox
	clusters []string
}

// captureSandboxes records the sandbox of every run until the test ends.
func captureSandboxes(t *testing.T) *[]runSandbox {
	t.Helper()
	var got []runSandbox
	orig := openSandbox
	openSandbox = func(dir string, f *config.File, opts sandbox.Options) (*sandbox.Sandbox, error) {
		sb, err := orig(dir, f, opts)
		if err != nil {
			return nil, err
		}
		rs := runSandbox{sb: sb}
		sb.Emulator.ResetCalls()
		for _, c := range f.Clusters {
			sb.Cluster(c.Name).ClearActions()
			rs.clusters = append(rs.clusters, c.Name)
		}
		got = append(got, rs)
		return sb, nil
	}
	t.Cleanup(func() { openSandbox = orig })
	return &got
}

// writes counts a run's writes: AWS by action, Kubernetes as "k8s:VERB
// resource".
func (rs runSandbox) writes() map[string]int {
	out := map[string]int{}
	for k, v := range rs.sb.Emulator.Writes() {
		out[k] += v
	}
	for _, c := range rs.clusters {
		for _, a := range rs.sb.Cluster(c).Actions() {
			if verb := a.GetVerb(); verb != "get" && verb != "list" && verb != "watch" && !sandbox.IsDryRun(a) {
				out["k8s:"+verb+" "+a.GetResource().Resource]++
			}
		}
	}
	return out
}

// last returns the sandbox of the latest run.
func last(t *testing.T, runs *[]runSandbox) runSandbox {
	t.Helper()
	if len(*runs) == 0 {
		t.Fatal("no sandbox was opened")
	}
	return (*runs)[len(*runs)-1]
}

// editedExample writes a copy of examples/bindings.yaml with each old
// string replaced by its new one, failing when one is missing.
func editedExample(t *testing.T, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("examples/bindings.yaml has no %q to edit", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "bindings.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustRun runs irsa-sync and fails the test unless it exits with want.
func mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, out, stderr := run(t, args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, stderr)
	}
	return out
}
