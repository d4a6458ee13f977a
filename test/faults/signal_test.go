package faults

import (
	"bytes"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/cli"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
)

// signalOn is stdout that sends sig to this process once the apply command
// prints "Applying:", that is after planning and before the first write
// returns: cli.Main is running, so its signal.NotifyContext receives it.
type signalOn struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	sig  syscall.Signal
	sent bool
}

func (w *signalOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent && strings.Contains(w.buf.String(), "Applying:") {
		w.sent = true
		if err := syscall.Kill(syscall.Getpid(), w.sig); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// outputs collects every output of this file's CLI runs, for the secrets check.
var outputs struct {
	sync.Mutex
	all []string
}

func keep(s ...string) {
	outputs.Lock()
	outputs.all = append(outputs.all, s...)
	outputs.Unlock()
}

// TestSignalsStopApply interrupts an apply of the example with SIGINT and
// with SIGTERM as its first writes start: the run must stop starting
// writes, print what was done and what was not, exit non-zero, and leave a
// state a rerun converges from.
func TestSignalsStopApply(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			out := &signalOn{sig: sig}
			var errOut bytes.Buffer
			code := cli.Main([]string{"apply", "--sandbox", dir, "-f", example}, strings.NewReader(""), out, &errOut)
			keep(out.buf.String(), errOut.String())
			if !out.sent {
				t.Fatal("the apply never printed Applying:, so no signal was sent")
			}
			if code == cli.ExitOK {
				t.Fatalf("interrupted apply exited 0:\n%s", out.buf.String())
			}
			for _, want := range []string{"Apply did not finish:", "skipped"} {
				if !strings.Contains(out.buf.String(), want) {
					t.Errorf("the summary does not say %q:\n%s", want, out.buf.String())
				}
			}
			if !strings.Contains(errOut.String(), "interrupted:") {
				t.Errorf("stderr does not say the run was interrupted: %q", errOut.String())
			}
			code, stdout, stderr := runCLI("apply", "--sandbox", dir, "-f", example)
			keep(stdout, stderr)
			if code != cli.ExitOK {
				t.Fatalf("rerun after %s: exit %d\n%s%s", sig, code, stdout, stderr)
			}
			code, stdout, stderr = runCLI("plan", "--sandbox", dir, "-f", example, "--detailed-exitcode", "--output", "json")
			keep(stdout, stderr)
			if code != cli.ExitOK {
				t.Errorf("plan after rerun: exit %d, want 0 (no changes)", code)
			}
		})
	}
}

// TestTimeoutBoundsTheRun gives apply 300ms: its writes, paced at IAM's
// safe rate, need longer. The run must end near the deadline, non-zero,
// saying what it did; a rerun converges.
func TestTimeoutBoundsTheRun(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	code, stdout, stderr := runCLI("apply", "--sandbox", dir, "-f", example, "--timeout", "300ms", "--output", "json")
	keep(stdout, stderr)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("apply with --timeout 300ms took %s", d)
	}
	if code == cli.ExitOK {
		t.Fatalf("apply finished within 300ms; the test needs a run that outlasts its timeout:\n%s", stdout)
	}
	if !strings.Contains(stdout+stderr, "deadline") && !strings.Contains(stdout+stderr, "interrupted") {
		t.Errorf("the output does not say the run timed out:\n%s\n%s", stdout, stderr)
	}
	code, stdout, stderr = runCLI("apply", "--sandbox", dir, "-f", example)
	keep(stdout, stderr)
	if code != cli.ExitOK {
		t.Fatalf("rerun: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestNoSecretsInOutput runs the CLI scenarios (text and JSON) and checks
// that no output contains the sandbox's keys: every account's secret key
// and access key id (a pure function of the account id, so they can be
// computed here) and anything shaped like a session token header.
func TestNoSecretsInOutput(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"validate"}, {"plan"}, {"plan", "--output", "json"}, {"plan", "--output", "markdown"},
		{"apply"}, {"apply", "--output", "json"}, {"explain", "my-role"}, {"explain", "analytics-reader"},
	} {
		code, stdout, stderr := runCLI(append(args, "--sandbox", dir, "-f", example)...)
		if code != cli.ExitOK {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		keep(stdout, stderr)
	}
	em := emulator.New(emulator.Options{})
	var secrets []string
	for _, a := range loadFile(t, example).Accounts {
		c := em.EnsureAccount(a.ID)
		secrets = append(secrets, c.SecretAccessKey, c.AccessKeyID)
		if c.SessionToken != "" {
			secrets = append(secrets, c.SessionToken)
		}
	}
	secrets = append(secrets, "kube-secret-token", "X-Amz-Security-Token", "SessionToken", "Authorization:")
	outputs.Lock()
	defer outputs.Unlock()
	if len(outputs.all) < 10 {
		t.Fatalf("only %d outputs collected", len(outputs.all))
	}
	for _, out := range outputs.all {
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("an output contains the secret %.6s...", s)
			}
		}
	}
	t.Logf("RESULT outputs checked=%d, secrets searched=%d, found=0", len(outputs.all), len(secrets))
}
