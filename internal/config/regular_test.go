package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const bindingsWithDocumentFile = `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: prod-use1, account: prod, region: us-east-1}
policies:
  - {name: read, account: prod, documentFile: doc.json}
roles:
  - name: app
    account: prod
    policies: [read]
    serviceAccounts:
      - {cluster: prod-use1, namespace: default, name: app}
`

// loadWithin runs Load in a goroutine and fails the test if it has not
// returned within a generous guard: a FIFO that is opened blocks for ever,
// so a hang, not slowness, is what this catches.
func loadWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		f, err := Load(path)
		if err == nil {
			if ds := Validate(f); ds != nil {
				err = ds
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) did not return: it opened a file that blocks", path)
		return nil
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
}

func TestNonRegularFilesAreRefusedUnopened(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "bindings.yaml")
	mkfifo(t, fifo)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}

	docDir := t.TempDir()
	mkfifo(t, filepath.Join(docDir, "doc.json"))
	docBindings := filepath.Join(docDir, "bindings.yaml")
	if err := os.WriteFile(docBindings, []byte(bindingsWithDocumentFile), 0o644); err != nil {
		t.Fatal(err)
	}
	linkDir := t.TempDir()
	mkfifo(t, filepath.Join(linkDir, "pipe"))
	if err := os.Symlink("pipe", filepath.Join(linkDir, "doc.json")); err != nil {
		t.Fatal(err)
	}
	linkBindings := filepath.Join(linkDir, "bindings.yaml")
	if err := os.WriteFile(linkBindings, []byte(bindingsWithDocumentFile), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, want string
	}{
		{"FIFO as -f", fifo, "is a named pipe (FIFO), not a regular file"},
		{"link to FIFO as -f", link, "is a named pipe (FIFO), not a regular file"},
		{"device as -f", "/dev/zero", "zero is a device, not a regular file"},
		{"directory as -f", dir, "is a directory, not a regular file"},
		{"FIFO as documentFile", docBindings, `policies[0].documentFile: cannot use "doc.json": doc.json is a named pipe (FIFO)`},
		{"link to FIFO as documentFile", linkBindings, `policies[0].documentFile: cannot use "doc.json": doc.json is a named pipe (FIFO)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := loadWithin(t, tt.path)
			var ds Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Load = %v, want Diagnostics", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Load error = %q, want one naming %s and containing %q", err, tt.path, tt.want)
			}
		})
	}
}
