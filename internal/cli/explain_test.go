package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// TestExplain explains the example's role before it exists, once applied,
// and after someone widened its live trust to every service account of a
// cluster: each view is a golden file, and the last must name the risk.
func TestExplain(t *testing.T) {
	dir := t.TempDir()
	explain := func(args ...string) string {
		t.Helper()
		code, out, stderr := run(t, append([]string{"explain", "--sandbox", dir, "-f", example}, args...)...)
		if code != ExitOK {
			t.Fatalf("explain %v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	golden(t, "explain-before-apply.txt", explain("my-role"))
	if code, _, stderr := run(t, "apply", "--sandbox", dir, "-f", example); code != ExitOK {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	golden(t, "explain-applied.txt", explain("my-role"))
	golden(t, "explain-other-account.txt", explain("analytics-reader", "--account", "data"))

	widenTrust(t, dir)
	out := explain("my-role")
	golden(t, "explain-widened.txt", out)
	for _, want := range []string{"every service account of the cluster: no subject is checked", "checks no subject", "differs from the declared one"} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation of a widened trust does not say %q", want)
		}
	}
	if again := explain("my-role"); again != out {
		t.Error("two explanations of the same state differ")
	}
}

// widenTrust replaces my-role's live trust with one that checks no
// subject, as a hand edit in the console would.
func widenTrust(t *testing.T, dir string) {
	t.Helper()
	issuer := sandbox.Issuer("111122223333", "us-east-1", "prod-use1")[len("https://"):]
	setTrust(t, dir, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/`+issuer+
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+issuer+`:aud":"sts.amazonaws.com"}}}]}`)
}

// setTrust replaces my-role's live trust with doc.
func setTrust(t *testing.T, dir, doc string) {
	t.Helper()
	withIAM(t, dir, func(c awsapi.IAM) error {
		_, err := c.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String("my-role"), PolicyDocument: aws.String(doc)})
		return err
	})
}

// withIAM calls fn with the sandbox's IAM client of account prod.
func withIAM(t *testing.T, dir string, fn func(awsapi.IAM) error) {
	t.Helper()
	f, err := config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Open(dir, f, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	cl, err := connect.Open(context.Background(), f, sb)
	if err != nil {
		t.Fatal(err)
	}
	if err := fn(cl.IAM["111122223333"]); err != nil {
		t.Fatal(err)
	}
}

// TestExplainByARN explains a live role the file does not declare, named
// by its ARN, and a declared one by its ARN as by its name.
func TestExplainByARN(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	withIAM(t, dir, func(c awsapi.IAM) error {
		_, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("hand-made"), Path: aws.String("/ops/"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`)})
		return err
	})
	out := mustRun(t, ExitOK, "explain", "arn:aws:iam::111122223333:role/ops/hand-made", "--sandbox", dir, "-f", example)
	for _, want := range []string{"Role hand-made in account prod (111122223333)", "does not declare this role", "trusts account 999988887777"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain of a live role by ARN does not say %q:\n%s", want, out)
		}
	}
	if byName, byARN := mustRun(t, ExitOK, "explain", "my-role", "--sandbox", dir, "-f", example),
		mustRun(t, ExitOK, "explain", "arn:aws:iam::111122223333:role/irsa/my-role", "--sandbox", dir, "-f", example); byName != byARN {
		t.Errorf("a declared role explains differently by ARN:\n%s", cmp.Diff(byName, byARN))
	}
	for _, tc := range []struct{ arn, want string }{
		{"arn:aws:iam::111122223333:role/none", `no role "none" exists in account prod`},
		{"arn:aws:iam::123456789012:role/x", "account 123456789012, which the file does not name"},
		{"arn:aws:iam::111122223333:policy/x", "is not a role ARN"},
	} {
		code, _, stderr := run(t, "explain", tc.arn, "--sandbox", dir, "-f", example)
		if code != ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("explain %s: exit %d, %q, want %q", tc.arn, code, stderr, tc.want)
		}
	}
}

// TestExplainForeignRoot: a live trust that also lets another account's
// root assume the role is a risk explain must say (it said "Risks: none"),
// the same risk the plan reports, in all three formats.
func TestExplainForeignRoot(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "apply", "--sandbox", dir, "-f", example); code != ExitOK {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	issuer := sandbox.Issuer("111122223333", "us-east-1", "prod-use1")[len("https://"):]
	setTrust(t, dir, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/`+issuer+
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+issuer+`:aud":"sts.amazonaws.com","`+issuer+`:sub":"system:serviceaccount:default:my-service-account"}}},`+
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`)
	code, out, stderr := run(t, "explain", "my-role", "--sandbox", dir, "-f", example)
	if code != ExitOK {
		t.Fatalf("explain: exit %d: %s", code, stderr)
	}
	_, live, found := strings.Cut(out, "As it is live:")
	if !found {
		t.Fatalf("explain printed no live view:\n%s", out)
	}
	if !strings.Contains(live, "trusts account 999988887777: any principal of that account") || strings.Contains(live, "Risks: none") {
		t.Errorf("explain of a live trust with another account's root does not report it:\n%s", live)
	}
	for _, format := range []string{"text", "json", "markdown"} {
		code, out, stderr := run(t, "plan", "--sandbox", dir, "-f", example, "-o", format)
		if code != ExitOK {
			t.Fatalf("plan -o %s: exit %d: %s", format, code, stderr)
		}
		if !strings.Contains(out, "statement irsa-sync does not generate") || !strings.Contains(out, "999988887777") {
			t.Errorf("plan -o %s does not warn of the foreign statement:\n%s", format, out)
		}
	}
	code, out, stderr = run(t, "explain", "my-role", "-o", "mermaid", "--sandbox", dir, "-f", example)
	if code != ExitOK || !strings.HasPrefix(out, "---\ntitle: ") || !strings.Contains(out, "flowchart LR") || !strings.Contains(out, "account 999988887777") {
		t.Errorf("explain -o mermaid: exit %d, %s\n%s", code, stderr, out)
	}
}

func TestExplainErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"explain", "nope", "--sandbox", "", "-f", example}, `declares no role "nope": explain takes the name of a role under roles`},
		{[]string{"explain", "my-role", "--account", "data", "-f", example}, `declares no role "my-role" in account "data"`},
		{[]string{"explain", "-f", example}, "accepts 1 arg(s)"},
		{[]string{"explain", "my-rol", "--sandbox", "", "-f", example}, `declares no role "my-rol": explain takes the name of a role under roles; did you mean my-role?`},
		{[]string{"explain", "my-role", "-o", "yaml", "-f", example}, `unknown output format "yaml" for explain`},
	}
	for _, tt := range tests {
		args := tt.args
		for i, a := range args {
			if a == "--sandbox" {
				args[i+1] = t.TempDir()
			}
		}
		code, _, stderr := run(t, args...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 1 mentioning %q", args, code, stderr, tt.want)
		}
	}
}
