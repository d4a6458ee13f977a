package cli

import (
	"strings"
	"testing"
)

// TestExplainChain explains a chained role once applied: the target names
// the source role and the service accounts that reach it through it, and the
// source names the role it may chain to.
func TestExplainChain(t *testing.T) {
	dir := t.TempDir()
	file := "testdata/chain-bindings.yaml"
	if code, _, stderr := run(t, "apply", "--sandbox", dir, "-f", file); code != ExitOK {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	explain := func(role string) string {
		t.Helper()
		code, out, stderr := run(t, "explain", role, "--sandbox", dir, "-f", file)
		if code != ExitOK {
			t.Fatalf("explain %s: exit %d: %s", role, code, stderr)
		}
		return out
	}
	target := explain("reader")
	golden(t, "explain-chain-target.txt", target)
	for _, want := range []string{
		"through role app in account pods (arn:aws:iam::111122223333:role/app)",
		"c1/apps/app\n",
		"c1/jobs/* (pattern)",
		`pods in namespace apps of cluster c1 chain with the AWS config profile "reader" of ConfigMap apps/reader-aws`,
		"role arn:aws:iam::111122223333:role/app, by role chaining",
		"The live trust is exactly the declared one.",
	} {
		if !strings.Contains(target, want) {
			t.Errorf("explanation of the target does not say %q:\n%s", want, target)
		}
	}
	source := explain("app")
	if want := "  - role reader in account data (arn:aws:iam::444455556666:role/reader)"; !strings.Contains(source, want) {
		t.Errorf("explanation of the source does not say %q:\n%s", want, source)
	}
}
