package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinariesReportsWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBEBUILDER_ASSETS", dir)
	writeExecutable(t, filepath.Join(dir, "etcd"))

	_, err := findBinaries()
	if !errors.Is(err, errMissingBinaries) {
		t.Fatalf("findBinaries() error = %v, want one wrapping errMissingBinaries", err)
	}
	for _, want := range []string{"kube-apiserver not found in " + dir, "KUBEBUILDER_ASSETS", "make test"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestFindBinariesRejectsNonExecutable(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBEBUILDER_ASSETS", dir)
	writeExecutable(t, filepath.Join(dir, "kube-apiserver"))
	if err := os.WriteFile(filepath.Join(dir, "etcd"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := findBinaries(); !errors.Is(err, errMissingBinaries) || !strings.Contains(err.Error(), "etcd not found") {
		t.Fatalf("findBinaries() error = %v, want etcd reported missing", err)
	}
}

func TestFindBinariesWalksUpToModuleRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, ".cache", "bin")
	writeExecutable(t, filepath.Join(bin, "kube-apiserver"))
	writeExecutable(t, filepath.Join(bin, "etcd"))
	pkg := filepath.Join(root, "internal", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBEBUILDER_ASSETS", "") // empty counts as unset
	t.Chdir(pkg)

	paths, err := findBinaries()
	if err != nil {
		t.Fatalf("findBinaries(): %v", err)
	}
	for _, name := range binaries {
		// The temp dir may sit behind a symlink; compare resolved paths.
		got, _ := filepath.EvalSymlinks(paths[name])
		want, _ := filepath.EvalSymlinks(filepath.Join(bin, name))
		if got != want || got == "" {
			t.Errorf("path of %s = %q, want %q", name, paths[name], filepath.Join(bin, name))
		}
	}
}

func TestSkipOrFail(t *testing.T) {
	missing := fmt.Errorf("%w: etcd not found", errMissingBinaries)
	tests := []struct {
		name string
		ci   string
		err  error
		want string // "skip" or "fatal"
	}{
		{"missing binaries on a developer machine skip", "", missing, "skip"},
		{"missing binaries in CI fail", "true", missing, "fatal"},
		{"CI=1 counts as CI", "1", missing, "fatal"},
		{"CI=false is not CI", "false", missing, "skip"},
		{"other start errors fail outside CI", "", errors.New("port in use"), "fatal"},
		{"other start errors fail in CI", "true", errors.New("port in use"), "fatal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			rec := &recordingTB{}
			skipOrFail(rec, tt.err)
			if rec.ended != tt.want {
				t.Errorf("skipOrFail ended the test with %q, want %q (message %q)", rec.ended, tt.want, rec.msg)
			}
			if !strings.Contains(rec.msg, tt.err.Error()) {
				t.Errorf("message %q does not carry the cause %q", rec.msg, tt.err)
			}
		})
	}
}

// recordingTB records how skipOrFail ends a test instead of ending it.
type recordingTB struct {
	testing.TB
	ended, msg string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.record("skip", format, args)
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.record("fatal", format, args)
}

func (r *recordingTB) record(how, format string, args []any) {
	if r.ended != "" {
		r.ended = "twice" // a second call would never be reached in a real test
		return
	}
	r.ended, r.msg = how, fmt.Sprintf(format, args...)
}

func writeExecutable(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
