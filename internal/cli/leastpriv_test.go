package cli

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
)

const iamPolicyFile = "../../examples/iam/irsa-sync-policy.json"

// allowedActions reads the actions examples/iam/irsa-sync-policy.json allows.
func allowedActions(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(iamPolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect string
			Action json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", iamPolicyFile, err)
	}
	out := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		var list []string
		if json.Unmarshal(s.Action, &list) != nil {
			var one string
			if err := json.Unmarshal(s.Action, &one); err != nil {
				t.Fatalf("%s: Action is neither a string nor a list: %s", iamPolicyFile, s.Action)
			}
			list = []string{one}
		}
		for _, a := range list {
			if strings.Contains(a, "*") {
				t.Errorf("%s allows %q: list every action instead", iamPolicyFile, a)
			}
			out[a] = true
		}
	}
	return out
}

// TestLeastPrivilegePolicyCoversEveryCall runs validate, plan, apply and
// apply --prune of the example, then of an edit (a policy document changed,
// a role removed with --prune, a service account binding removed), on the
// sandbox, and checks every action the emulator served is in the policy.
func TestLeastPrivilegePolicyCoversEveryCall(t *testing.T) {
	allowed := allowedActions(t)
	runs := captureSandboxes(t)
	dir := t.TempDir()
	edited := editedExample(t,
		`Action: s3:GetObject, Resource: "arn:aws:s3:::my-pod-secrets-bucket"`, `Action: s3:PutObject, Resource: "arn:aws:s3:::my-pod-secrets-bucket"`,
		"      - {cluster: prod-euw1, namespace: default, name: my-service-account}\n", "")
	i := strings.Index(mustRead(t, edited), "  - name: analytics-reader")
	if i < 0 {
		t.Fatal("the example has no analytics-reader role to remove")
	}
	withoutRole := mustRead(t, edited)[:i]
	if err := os.WriteFile(edited, []byte(withoutRole), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitOK, "validate", "-f", example)
	mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", example, "--detailed-exitcode")
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example, "--prune")
	mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", edited, "--prune", "--detailed-exitcode")
	out := mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", edited, "--prune")
	for _, want := range []string{"update account/prod/policy/my-policy", "delete account/data/role/analytics-reader", "delete cluster/prod-euw1/serviceaccount/default/my-service-account"} {
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
	var missing []string
	for action := range called {
		if !allowed[action] {
			missing = append(missing, action)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("irsa-sync called actions %s does not allow: %v", iamPolicyFile, missing)
	}
	for _, a := range []string{"iam:CreateRole", "iam:DeleteRole", "iam:CreatePolicyVersion", "sts:GetCallerIdentity", "sts:AssumeRole", "eks:DescribeCluster"} {
		if called[a] == 0 {
			t.Errorf("the scenario never called %s: it no longer exercises what it claims", a)
		}
	}
}

// TestLeastPrivilegePolicyListsEveryMethod checks every method of the
// narrow AWS interfaces, called in the scenario above or not, is allowed.
func TestLeastPrivilegePolicyListsEveryMethod(t *testing.T) {
	allowed := allowedActions(t)
	ifaces := map[string]reflect.Type{
		"iam": reflect.TypeFor[awsapi.IAM](),
		"sts": reflect.TypeFor[awsapi.STS](),
		"eks": reflect.TypeFor[awsapi.EKS](),
	}
	for prefix, typ := range ifaces {
		for i := range typ.NumMethod() {
			if a := prefix + ":" + typ.Method(i).Name; !allowed[a] {
				t.Errorf("awsapi declares %s, which %s does not allow", a, iamPolicyFile)
			}
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
