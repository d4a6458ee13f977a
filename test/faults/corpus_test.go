package faults

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/cli"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// runCLI runs irsa-sync in-process, as the binary would.
func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// realEstate points irsa-sync's real mode (no --sandbox) at a sandbox
// emulator through the SDK's environment settings, and at a Kubernetes API
// that counts every request, so that a test can see every call a run makes.
type realEstate struct {
	sb       *sandbox.Sandbox
	kubeHits atomic.Int64
}

func newRealEstate(t *testing.T, bindings string) *realEstate {
	t.Helper()
	e := &realEstate{}
	var err error
	if e.sb, err = sandbox.Open("", loadFile(t, bindings), sandbox.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.sb.Close() })
	kube := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		e.kubeHits.Add(1)
		http.Error(w, "counting server", http.StatusServiceUnavailable)
	}))
	t.Cleanup(kube.Close)
	f := loadFile(t, bindings)
	creds := e.sb.Emulator.EnsureAccount(f.Accounts[0].ID)
	var kc strings.Builder
	fmt.Fprintf(&kc, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: %q}}]\nusers: [{name: u, user: {token: kube-secret-token}}]\ncontexts:\n", kube.URL)
	for _, c := range f.Clusters {
		name := c.KubeContext
		if name == "" {
			name = c.Name
		}
		fmt.Fprintf(&kc, "- {name: %s, context: {cluster: c, user: u}}\n", name)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(kc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": e.sb.URL, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": creds.SessionToken, "AWS_REGION": "us-east-1", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "KUBECONFIG": kubeconfig,
	} {
		t.Setenv(k, v)
	}
	return e
}

func (e *realEstate) calls() int { return total(e.sb.Emulator.Calls()) + int(e.kubeHits.Load()) }

// TestInvalidCorpusThroughCLI runs every file of internal/config's invalid
// corpus through `irsa-sync plan` and `apply`, in sandbox mode and in real
// mode against a counting emulator and Kubernetes API. Each must exit 1 with
// exactly its golden diagnostics, create no sandbox directory, and make no
// API call at all. The example file, run the same way, does make calls:
// the counters are live.
func TestInvalidCorpusThroughCLI(t *testing.T) {
	abs, err := filepath.Abs(example)
	if err != nil {
		t.Fatal(err)
	}
	e := newRealEstate(t, abs)
	// The goldens name files relative to internal/config.
	t.Chdir("../../internal/config")
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) < 40 {
		t.Fatalf("invalid corpus: %d files, %v", len(files), err)
	}
	for _, file := range files {
		golden, err := os.ReadFile(strings.TrimSuffix(file, ".yaml") + ".err")
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Error: %s is not valid; nothing was read or written:\n%s", file, golden)
		for _, cmd := range []string{"plan", "apply"} {
			dir := filepath.Join(t.TempDir(), "sandbox")
			for _, args := range [][]string{{cmd, "--sandbox", dir, "-f", file}, {cmd, "-f", file}} {
				code, stdout, stderr := runCLI(args...)
				if code != cli.ExitError {
					t.Errorf("%v: exit %d, want 1", args, code)
				}
				if diff := cmp.Diff(want, stderr); diff != "" {
					t.Errorf("%v: stderr differs from the golden diagnostics (-want +got):\n%s", args, diff)
				}
				if stdout != "" {
					t.Errorf("%v: printed %q before refusing", args, stdout)
				}
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s %s: the sandbox directory was created", cmd, file)
			}
		}
		if n := e.calls(); n != 0 {
			t.Fatalf("%s: %d API calls (AWS %v, Kubernetes %d)", file, n, e.sb.Emulator.Calls(), e.kubeHits.Load())
		}
	}
	t.Logf("RESULT invalid files=%d, runs=%d (plan and apply, sandbox and real mode), API calls=0", len(files), len(files)*4)

	// The control: a valid file reaches the counters.
	runCLI("plan", "-f", abs)
	if e.calls() == 0 {
		t.Fatal("a valid file made no calls in real mode: the zero-call check above proves nothing")
	}
}
