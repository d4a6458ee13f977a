package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const (
	planPolicyFile  = "../../examples/iam/irsa-sync-plan-policy.json"
	applyPolicyFile = "../../examples/iam/irsa-sync-apply-policy.json"
)

// connectionsFor writes a connections file reaching both accounts of the
// example with role planRole for plan and applyRole for apply.
func connectionsFor(t *testing.T, planRole, applyRole string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: irsa-sync/v1\nkind: Connections\naccounts:\n")
	for _, a := range []struct{ name, id string }{{"prod", "111122223333"}, {"data", "444455556666"}} {
		fmt.Fprintf(&b, "  %s:\n    plan: {assumeRoleArn: \"arn:aws:iam::%s:role/%s\"}\n    apply: {assumeRoleArn: \"arn:aws:iam::%s:role/%s\"}\n", a.name, a.id, planRole, a.id, applyRole)
	}
	path := filepath.Join(t.TempDir(), "connections.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedIdentities opens the sandbox in dir once per mode, so that it seeds
// the roles the connections file assumes, and gives each role its policy
// (by name) and each account the boundary policy.
func seedIdentities(t *testing.T, dir, bindings, conns string, policies map[string]string) {
	t.Helper()
	f, err := config.Load(bindings)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.LoadConnections(conns)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []config.Mode{config.ModePlan, config.ModeApply} {
		rf, _ := config.Resolve(f, c, m)
		sb, err := sandbox.Open(dir, rf, sandbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range rf.Accounts {
			role := a.AssumeRoleArn[strings.LastIndex(a.AssumeRoleArn, "/")+1:]
			if err := sb.Emulator.SeedRolePolicy(a.ID, role, "irsa-sync", mustRead(t, policies[role])); err != nil {
				t.Fatal(err)
			}
			if err := sb.Emulator.SeedPolicy(a.ID, "irsa-sync-boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","athena:*","glue:*"],"Resource":"*"}]}`); err != nil {
				t.Fatal(err)
			}
		}
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConnectionsPlanReadOnlyApplyWithApplyRole turns one bindings file
// into a plan run with read-only credentials and an apply run with the
// apply credentials: the emulator evaluates each role's policy, so the
// plan identity's writes are refused while its plan succeeds.
func TestConnectionsPlanReadOnlyApplyWithApplyRole(t *testing.T) {
	dir := t.TempDir()
	conns := connectionsFor(t, "irsa-sync-plan", "irsa-sync-apply")
	seedIdentities(t, dir, example, conns, map[string]string{"irsa-sync-plan": planPolicyFile, "irsa-sync-apply": iamPolicyFile})

	out := mustRun(t, ExitOK, "validate", "-f", example, "--connections", conns)
	for _, want := range []string{
		"plan: account prod: assume role arn:aws:iam::111122223333:role/irsa-sync-plan (" + conns + ":5 (accounts.prod.plan))",
		"apply: account data: assume role arn:aws:iam::444455556666:role/irsa-sync-apply (" + conns + ":9 (accounts.data.apply))",
		"plan: cluster prod-use1: kubeconfig context prod-use1 (" + example + ":34 (clusters[0]))",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
	mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", example, "--connections", conns, "--detailed-exitcode")

	// The same read-only identity for apply: the emulator refuses the
	// first write, as IAM would.
	readOnly := connectionsFor(t, "irsa-sync-plan", "irsa-sync-plan")
	code, _, stderr := run(t, "apply", "--sandbox", dir, "-f", example, "--connections", readOnly)
	if code != ExitError || !strings.Contains(stderr, "AccessDenied") || !strings.Contains(stderr, "assumed-role/irsa-sync-plan") {
		t.Fatalf("apply with the plan identity: exit %d, want %d and AccessDenied for the plan role:\n%s", code, ExitError, stderr)
	}

	t.Setenv(ConnectionsEnv, conns)
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")
}

// scopedExample is the example as a file under the scoped apply policy
// would be: every role under /irsa/ with the irsa-sync-boundary, and the
// settings that make validation refuse anything else.
func scopedExample(t *testing.T) string {
	t.Helper()
	return editedExample(t,
		"owner: platform-prod\n", "owner: platform-prod\nsettings: {requiredRolePath: /irsa/, requiredPermissionsBoundary: irsa-sync-boundary}\n",
		"    path: /irsa/\n", "    path: /irsa/\n    permissionsBoundary: arn:aws:iam::111122223333:policy/irsa-sync-boundary\n",
		"    account: data\n    policies:", "    account: data\n    path: /irsa/\n    permissionsBoundary: arn:aws:iam::444455556666:policy/irsa-sync-boundary\n    policies:",
		"  - name: web-frontend\n    account: prod\n", "  - name: web-frontend\n    account: prod\n    path: /irsa/\n    permissionsBoundary: arn:aws:iam::111122223333:policy/irsa-sync-boundary\n")
}

// TestScopedApplyPolicyAllowsEveryCall runs the least-privilege scenario
// with the scoped apply policy evaluated by the emulator for every call:
// plan, apply, apply --prune of the scoped example, then an edit (a
// document changed, a role and a binding removed). Any call the policy
// does not allow fails the run with AccessDenied.
func TestScopedApplyPolicyAllowsEveryCall(t *testing.T) {
	dir := t.TempDir()
	bindings := scopedExample(t)
	conns := connectionsFor(t, "irsa-sync-plan", "irsa-sync-apply")
	seedIdentities(t, dir, bindings, conns, map[string]string{"irsa-sync-plan": planPolicyFile, "irsa-sync-apply": applyPolicyFile})
	runs := captureSandboxes(t)
	mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", bindings, "--connections", conns, "--detailed-exitcode")
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", bindings, "--connections", conns)
	mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", bindings, "--connections", conns, "--detailed-exitcode")

	edited := mustRead(t, bindings)
	edited = strings.Replace(edited, "Action: s3:GetObject,", "Action: s3:PutObject,", 1)
	edited = strings.Replace(edited, "      - {cluster: prod-euw1, namespace: default, name: my-service-account}\n", "", 1)
	edited, _, _ = strings.Cut(edited, "  - name: analytics-reader")
	if err := os.WriteFile(bindings, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", bindings, "--connections", conns, "--prune")
	for _, want := range []string{"update account/prod/policy/my-policy", "delete account/data/role/analytics-reader"} {
		if !strings.Contains(out, want) {
			t.Errorf("the edited apply did not %s:\n%s", want, out)
		}
	}
	called := map[string]int{}
	for _, r := range *runs {
		for action, n := range r.sb.Emulator.Calls() {
			called[action] += n
		}
	}
	for _, a := range []string{"iam:CreateRole", "iam:DeleteRole", "iam:CreatePolicyVersion", "iam:AttachRolePolicy", "sts:AssumeRole"} {
		if called[a] == 0 {
			t.Errorf("the scenario never called %s: it no longer shows the scoped policy allows it", a)
		}
	}
}

// TestScopeSettingsRefuseWhatThePolicyWould shows validation refuses a
// role the scoped apply policy would refuse mid-apply.
func TestScopeSettingsRefuseWhatThePolicyWould(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, from, to, want string }{
		{"outside the path", "    path: /irsa/\n    permissionsBoundary", "    path: /other/\n    permissionsBoundary",
			`has path "/other/", but settings.requiredRolePath is "/irsa/"`},
		{"without the boundary", "    permissionsBoundary: arn:aws:iam::111122223333:policy/irsa-sync-boundary\n", "",
			`role "my-role" has no permissions boundary, but settings.requiredPermissionsBoundary is "irsa-sync-boundary"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := scopedExample(t)
			text := mustRead(t, path)
			if !strings.Contains(text, tt.from) {
				t.Fatalf("the scoped example has no %q", tt.from)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(text, tt.from, tt.to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := run(t, "validate", "-f", path)
			if code != ExitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("validate: exit %d, want %d and %q:\n%s", code, ExitError, tt.want, stderr)
			}
		})
	}
}

// TestExampleConnectionsValid keeps examples/connections valid for the
// example bindings file, and checks that it does what its comments say.
func TestExampleConnectionsValid(t *testing.T) {
	t.Parallel()
	const conns = "../../examples/connections/connections.yaml"
	out := mustRun(t, ExitOK, "validate", "-f", example, "--connections", conns)
	for _, want := range []string{
		"plan: account prod: the default credential chain (default)",
		"plan: account data: assume role arn:aws:iam::444455556666:role/irsa-sync-plan (" + conns + ":19 (accounts.data.plan))",
		"apply: cluster prod-use1: in-cluster service account (" + conns + ":24 (clusters[\"prod-use1\"].apply))",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
}
