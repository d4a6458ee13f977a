package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// changeList is "action address" of each change of a JSON plan or of each
// result of apply's JSON output.
func changeList(t *testing.T, js, key string) []string {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	var items []struct{ Action, Address, Status string }
	if err := json.Unmarshal(doc[key], &items); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		s := it.Action + " " + it.Address
		if it.Status != "" && it.Status != "applied" {
			s += " " + it.Status
		}
		out = append(out, s)
	}
	return out
}

func TestSavedPlanAppliesExactlyWhatItPrinted(t *testing.T) {
	dir, planFile := t.TempDir(), filepath.Join(t.TempDir(), "plan.json")
	printed := mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", example, "-o", "json", "--out", planFile)
	want := changeList(t, printed, "changes")
	if len(want) != 15 {
		t.Fatalf("the example plans %d changes, want 15: %v", len(want), want)
	}
	// -f is taken from the saved plan.
	applied := mustRun(t, ExitOK, "apply", planFile, "--sandbox", dir, "-o", "json")
	if diff := cmp.Diff(want, changeList(t, applied, "results")); diff != "" {
		t.Errorf("applied changes differ from the printed plan (-printed +applied):\n%s", diff)
	}
	mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")

	// Applied once, the plan is stale: every change is no longer needed.
	code, _, stderr := run(t, "apply", planFile, "--sandbox", dir)
	if code != ExitError || !strings.Contains(stderr, "was this plan applied already?") {
		t.Errorf("second apply of the same saved plan: exit %d, stderr %s", code, stderr)
	}
}

// TestStaleSavedPlanWritesNothing saves a plan that updates a role and a
// ServiceAccount, moves one input, and checks apply refuses it, naming what
// moved, with zero writes to AWS and the cluster.
func TestStaleSavedPlanWritesNothing(t *testing.T) {
	const saAddr = "cluster/prod-use1/serviceaccount/default/my-service-account"
	tests := []struct {
		name string
		move func(t *testing.T, dir, file string)
		want string
	}{
		{"bindings file edited", func(t *testing.T, _, file string) {
			appendTo(t, file, "\n# edited after the plan was saved\n")
		}, "bindings.yaml changed since the plan was saved"},
		{"role changed through the SDK", func(t *testing.T, dir, file string) {
			withSandbox(t, dir, file, func(sb *sandbox.Sandbox, cl *connect.Clients) {
				_, err := cl.IAM["111122223333"].UpdateRole(context.Background(), &iam.UpdateRoleInput{RoleName: aws.String("my-role"), Description: aws.String("edited in the console")})
				if err != nil {
					t.Fatal(err)
				}
			})
		}, "account/prod/role/my-role was changed by someone else"},
		{"service account annotated by someone else", func(t *testing.T, dir, file string) {
			withSandbox(t, dir, file, func(sb *sandbox.Sandbox, _ *connect.Clients) {
				api := sb.Cluster("prod-use1").CoreV1().ServiceAccounts("default")
				sa, err := api.Get(context.Background(), "my-service-account", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sa.Annotations[resource.AnnotationRoleARN] = "arn:aws:iam::111122223333:role/someone-elses"
				if _, err := api.Update(context.Background(), sa, metav1.UpdateOptions{FieldManager: "kubectl-annotate"}); err != nil {
					t.Fatal(err)
				}
			})
		}, saAddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, planFile := t.TempDir(), filepath.Join(t.TempDir(), "plan.json")
			mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
			file := editedExample(t,
				"description: my-role-description", "description: reviewed-description",
				"name: my-service-account, stsRegionalEndpoints: true}", "name: my-service-account}")
			out := mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", file, "--out", planFile, "--detailed-exitcode")
			if !strings.Contains(out, "account/prod/role/my-role") || !strings.Contains(out, saAddr) {
				t.Fatalf("the saved plan does not update the role and the service account:\n%s", out)
			}
			tt.move(t, dir, file)

			runs := captureSandboxes(t)
			code, stdout, stderr := run(t, "apply", planFile, "--sandbox", dir)
			if code != ExitError || !strings.Contains(stderr, "refused; nothing was written") || !strings.Contains(stderr, tt.want) {
				t.Errorf("apply of a stale plan: exit %d, want 1 with a message naming %q\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
			if w := last(t, runs).writes(); len(w) > 0 {
				t.Errorf("apply of a stale plan wrote %v", w)
			}
		})
	}
}

func TestSavedPlanMisuse(t *testing.T) {
	dir, planFile := t.TempDir(), filepath.Join(t.TempDir(), "plan.json")
	js := mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", example, "-o", "json", "--out", planFile, "--detailed-exitcode")
	jsonPlan := filepath.Join(t.TempDir(), "json-plan.json")
	if err := os.WriteFile(jsonPlan, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	// -f names another copy of the file: it is the one checked.
	copied := editedExample(t, "owner: platform-prod", "owner: platform-prod # a copy, edited")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"apply", planFile, "-f", copied}, copied + " changed since the plan was saved"},
		{[]string{"apply", planFile, "--prune"}, "--prune cannot be given with a saved plan"},
		{[]string{"apply", jsonPlan}, "cannot be applied"},
		{[]string{"apply", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"apply", planFile, "extra"}, "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, append(tt.args, "--sandbox", dir)...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 1 mentioning %q", tt.args, code, stderr, tt.want)
		}
	}
	// Nothing was applied by any of them.
	mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// withSandbox opens the sandbox in dir as someone else would reach it (the
// SDK, a Kubernetes client), runs fn, and saves the state.
func withSandbox(t *testing.T, dir, file string, fn func(*sandbox.Sandbox, *connect.Clients)) {
	t.Helper()
	f, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Open(dir, f, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := connect.Open(context.Background(), f, sb)
	if err != nil {
		t.Fatal(err)
	}
	fn(sb, cl)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTamperedSavedPlanWritesNothing edits a saved plan as someone with
// write access to the file (but not to AWS) could, one edit at a time, and
// checks that apply refuses each with zero writes: what runs is always
// irsa-sync's own computation, never the file's objects.
func TestTamperedSavedPlanWritesNothing(t *testing.T) {
	const roleAddr = "account/prod/role/my-role"
	edits := []struct {
		name string
		edit func(c map[string]any, changes []any) []any
	}{
		{"attach AdministratorAccess in after", func(c map[string]any, cs []any) []any {
			after := c["after"].(map[string]any)
			after["managedPolicies"] = append(after["managedPolicies"].([]any), "arn:aws:iam::aws:policy/AdministratorAccess")
			return cs
		}},
		{"add a managedPolicies field", func(c map[string]any, cs []any) []any {
			c["fields"] = append(c["fields"].([]any), map[string]any{"name": "managedPolicies", "before": nil, "after": nil,
				"added": []any{"arn:aws:iam::aws:policy/AdministratorAccess"}, "removed": []any{}})
			return cs
		}},
		{"retag to another owner", func(c map[string]any, cs []any) []any {
			c["fields"] = append(c["fields"].([]any), map[string]any{"name": "tags", "before": nil,
				"after": map[string]any{"irsa-sync/owner": "someone-else"}, "added": []any{"irsa-sync/owner=someone-else"}, "removed": []any{}})
			return cs
		}},
		{"before names another role", func(c map[string]any, cs []any) []any {
			c["before"].(map[string]any)["arn"] = "arn:aws:iam::111122223333:role/someone-elses"
			return cs
		}},
		{"retire a version", func(c map[string]any, cs []any) []any { c["retireVersion"] = "v1"; return cs }},
		{"adopt", func(c map[string]any, cs []any) []any { c["adopt"] = true; return cs }},
		{"listed twice", func(c map[string]any, cs []any) []any { return append(cs, c) }},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			dir, planFile := t.TempDir(), filepath.Join(t.TempDir(), "plan.json")
			mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
			file := editedExample(t, "description: my-role-description", "description: reviewed-description")
			mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", file, "--out", planFile, "--detailed-exitcode")
			b, err := os.ReadFile(planFile)
			if err != nil {
				t.Fatal(err)
			}
			var sp map[string]any
			if err := json.Unmarshal(b, &sp); err != nil {
				t.Fatal(err)
			}
			changes := sp["changes"].([]any)
			var role map[string]any
			for _, c := range changes {
				if c.(map[string]any)["address"] == roleAddr {
					role = c.(map[string]any)
				}
			}
			if role == nil {
				t.Fatalf("the saved plan has no change of %s", roleAddr)
			}
			sp["changes"] = tt.edit(role, changes)
			if b, err = json.Marshal(sp); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(planFile, b, 0o644); err != nil {
				t.Fatal(err)
			}
			runs := captureSandboxes(t)
			code, stdout, stderr := run(t, "apply", planFile, "--sandbox", dir)
			if code != ExitError || !strings.Contains(stderr, "refused; nothing was written") {
				t.Errorf("apply of an edited plan: exit %d, want 1 refused\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if w := last(t, runs).writes(); len(w) > 0 {
				t.Errorf("apply of an edited plan wrote %v", w)
			}
		})
	}
}

// TestShowEqualsThePlanPrintedWhenSaved: show of a saved plan prints, in
// every format, exactly what plan printed when it saved it, and needs no
// bindings file or live state to do so.
func TestShowEqualsThePlanPrintedWhenSaved(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"text", "json", "markdown"} {
		planFile := filepath.Join(t.TempDir(), "plan.json")
		printed := mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", example, "-o", format, "--out", planFile)
		shown := mustRun(t, ExitOK, "show", planFile, "-o", format, "-f", "does-not-exist.yaml")
		if diff := cmp.Diff(printed, shown); diff != "" {
			t.Errorf("show -o %s differs from the plan printed when saved (-printed +shown):\n%s", format, diff)
		}
	}
	// After a change that risks, reaches and widens, too.
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	changed := editedExample(t,
		`- {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::my-pod-secrets-bucket"}`,
		`- {Effect: Allow, Action: [s3:GetObject, s3:ListBucket], Resource: "arn:aws:s3:::my-pod-secrets-bucket"}`,
		"      - {cluster: prod-euw1, namespace: default, name: my-service-account}\n", "")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	printed := mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", changed, "-o", "markdown", "--out", planFile)
	if shown := mustRun(t, ExitOK, "show", planFile, "-o", "markdown"); shown != printed {
		t.Errorf("show of a plan of changes differs from the plan printed:\n%s", cmp.Diff(printed, shown))
	}
	code, _, stderr := run(t, "show", filepath.Join(t.TempDir(), "none.json"))
	if code != ExitError || !strings.Contains(stderr, "read saved plan") {
		t.Errorf("show of a missing file: exit %d, %q", code, stderr)
	}
}
