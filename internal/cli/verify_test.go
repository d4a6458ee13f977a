package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/verify"
)

// fakeClock makes verify's backoff instant: Sleep moves Now on.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

func instantBackoff(t *testing.T) {
	t.Helper()
	c := &fakeClock{t: time.Unix(0, 0)}
	orig := verifyClock
	verifyClock = verify.Options{Now: c.now, Sleep: c.sleep}
	t.Cleanup(func() { verifyClock = orig })
}

// tokensOf returns every token the run's clusters minted, failing when
// there are fewer than want: a leak test with no token proves nothing.
func tokensOf(t *testing.T, rs runSandbox, want int) []string {
	t.Helper()
	var out []string
	for _, c := range rs.clusters {
		out = append(out, rs.sb.Cluster(c).IssuedTokens()...)
	}
	if len(out) < want {
		t.Fatalf("the clusters minted %d tokens, want at least %d", len(out), want)
	}
	return out
}

func assertNoToken(t *testing.T, tokens []string, outputs ...string) {
	t.Helper()
	for _, tok := range tokens {
		// A token's signature alone would be enough to misuse it, so no
		// part of it may appear.
		for _, part := range strings.Split(tok, ".") {
			for i, o := range outputs {
				if strings.Contains(o, part) {
					t.Errorf("output %d holds part of a minted token", i)
				}
			}
		}
	}
}

// reasons maps each binding of verify's JSON to "proven" or its reason, and
// checks the document against schemas/verify.schema.json.
func reasons(t *testing.T, doc string) map[string]string {
	t.Helper()
	if err := validateAgainst(t, "verify.schema.json", doc); err != nil {
		t.Errorf("verify --output json does not match schemas/verify.schema.json: %v\n%s", err, doc)
	}
	var v struct {
		Bindings []struct {
			Address string
			Proven  bool
			Reason  *string
		}
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("verify JSON: %v\n%s", err, doc)
	}
	out := map[string]string{}
	for _, b := range v.Bindings {
		switch {
		case b.Proven:
			out[b.Address] = "proven"
		case b.Reason != nil:
			out[b.Address] = *b.Reason
		}
	}
	return out
}

// allProven are the example's bindings with a web identity path (irsa and
// both); prod-use1/web/frontend, via podIdentity only, has no token to mint.
var allProven = map[string]string{
	"prod-euw1/default/my-service-account": "proven",
	"prod-euw1/web/frontend":               "proven",
	"prod-use1/analytics/reader":           "proven",
	"prod-use1/default/my-service-account": "proven",
	"prod-use1/jobs/nightly":               "proven",
}

// TestApplyVerifyProvesTheExample: every binding of examples/bindings.yaml
// is proven right after apply, through tokens the sandbox's clusters sign
// and the emulator's STS checks; no token appears in stdout or in the
// JSON logs.
func TestApplyVerifyProvesTheExample(t *testing.T) {
	runs := captureSandboxes(t)
	dir := t.TempDir()
	code, out, stderr := run(t, "apply", "--verify", "--sandbox", dir, "-f", example, "--log-format", "json")
	if code != ExitOK {
		t.Fatalf("apply --verify: exit %d\n%s\n%s", code, out, stderr)
	}
	for addr := range allProven {
		if !strings.Contains(out, "proven  "+addr+" -> ") {
			t.Errorf("stdout has no proven line for %s:\n%s", addr, out)
		}
	}
	if !strings.Contains(out, "Verify: 5 of 5 bindings proven.") {
		t.Errorf("stdout has no summary:\n%s", out)
	}
	assertNoToken(t, tokensOf(t, last(t, runs), 5), out, stderr)

	code, js, stderr := run(t, "verify", "--sandbox", dir, "-f", example, "--output", "json", "--log-format", "json")
	if code != ExitOK {
		t.Fatalf("verify: exit %d\n%s\n%s", code, js, stderr)
	}
	if diff := cmp.Diff(allProven, reasons(t, js)); diff != "" {
		t.Errorf("verify outcomes (-want +got):\n%s", diff)
	}
	assertNoToken(t, tokensOf(t, last(t, runs), 5), js, stderr)
}

const dataAccount = "444455556666"

// readerTrust is analytics-reader's trust with the subject and audience
// given, for the provider of prod-use1 in the data account.
func readerTrust(sub, aud string) string {
	host := resource.IssuerHost(sandbox.Issuer("111122223333", "us-east-1", "prod-use1"))
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"%s","%s:aud":"%s"}}}]}`,
		dataAccount, host, host, sub, host, aud)
}

func setReaderTrust(t *testing.T, cl *connect.Clients, doc string) {
	t.Helper()
	if _, err := cl.IAM[dataAccount].UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String("analytics-reader"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyFailures breaks one binding after apply, each a different way,
// and checks that verify exits 1 naming that binding's own reason while the
// others stay proven, and that no token appears in any output.
func TestVerifyFailures(t *testing.T) {
	instantBackoff(t)
	tests := []struct {
		name string
		// file edits examples/bindings.yaml (old, new pairs) for verify.
		file    []string
		breakIt func(t *testing.T, sb *sandbox.Sandbox, cl *connect.Clients)
		want    string // reason of prod-use1/analytics/reader
		words   string // in its text line
	}{
		{name: "trust edited to another subject", want: "trustSubject", words: "does not admit system:serviceaccount:analytics:reader",
			breakIt: func(t *testing.T, _ *sandbox.Sandbox, cl *connect.Clients) {
				setReaderTrust(t, cl, readerTrust("system:serviceaccount:analytics:someone-else", "sts.amazonaws.com"))
			}},
		{name: "trust audience changed", want: "trustAudience", words: `but not the audience "sts.amazonaws.com"`,
			breakIt: func(t *testing.T, _ *sandbox.Sandbox, cl *connect.Clients) {
				setReaderTrust(t, cl, readerTrust("system:serviceaccount:analytics:reader", "other.example.com"))
			}},
		{name: "provider deleted", want: "providerMissing", words: "has no IAM OIDC provider for cluster prod-use1's issuer",
			breakIt: func(t *testing.T, _ *sandbox.Sandbox, cl *connect.Clients) {
				host := resource.IssuerHost(sandbox.Issuer("111122223333", "us-east-1", "prod-use1"))
				if _, err := cl.IAM[dataAccount].DeleteOpenIDConnectProvider(context.Background(), &iam.DeleteOpenIDConnectProviderInput{
					OpenIDConnectProviderArn: aws.String("arn:aws:iam::" + dataAccount + ":oidc-provider/" + host)}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "binding's audience changed, not applied", want: "providerClientId", words: `lacks the client id "other.example.com"`,
			file: []string{"name: reader}", "name: reader, audience: other.example.com}"}},
		{name: "annotation changed", want: "annotationOtherRole", words: "annotation names arn:aws:iam::444455556666:role/someone-else",
			breakIt: func(t *testing.T, _ *sandbox.Sandbox, cl *connect.Clients) {
				ac := corev1ac.ServiceAccount("reader", "analytics").WithAnnotations(map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::444455556666:role/someone-else"})
				if _, err := cl.Kube["prod-use1"].ServiceAccounts("analytics").Apply(context.Background(), ac, metav1.ApplyOptions{FieldManager: "kubectl", Force: true}); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := captureSandboxes(t)
			dir := t.TempDir()
			mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
			if tt.breakIt != nil {
				withSandbox(t, dir, example, func(sb *sandbox.Sandbox, cl *connect.Clients) { tt.breakIt(t, sb, cl) })
			}
			file := example
			if tt.file != nil {
				file = editedExample(t, tt.file...)
			}
			code, out, stderr := run(t, "verify", "--sandbox", dir, "-f", file, "--log-format", "json")
			if code != ExitError {
				t.Fatalf("verify: exit %d, want 1\n%s\n%s", code, out, stderr)
			}
			line := "failed  prod-use1/analytics/reader -> arn:aws:iam::444455556666:role/analytics-reader: "
			if !strings.Contains(out, line) || !strings.Contains(out, tt.words) {
				t.Errorf("stdout has no line %q with %q:\n%s", line, tt.words, out)
			}
			if !strings.Contains(out, "Verify: 4 of 5 bindings proven, 1 failed.") {
				t.Errorf("stdout has no summary of one failure:\n%s", out)
			}
			code, js, jsErr := run(t, "verify", "--sandbox", dir, "-f", file, "--output", "json", "--log-format", "json")
			if code != ExitError {
				t.Fatalf("verify --output json: exit %d, want 1\n%s", code, jsErr)
			}
			want := map[string]string{}
			for k, v := range allProven {
				want[k] = v
			}
			want["prod-use1/analytics/reader"] = tt.want
			if diff := cmp.Diff(want, reasons(t, js)); diff != "" {
				t.Errorf("verify outcomes (-want +got):\n%s", diff)
			}
			var tokens []string
			for _, rs := range *runs {
				for _, c := range rs.clusters {
					tokens = append(tokens, rs.sb.Cluster(c).IssuedTokens()...)
				}
			}
			if len(tokens) < 4 {
				t.Fatalf("the clusters minted %d tokens, want at least 4", len(tokens))
			}
			assertNoToken(t, tokens, out, stderr, js, jsErr)
		})
	}
}

func TestVerifyFilters(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	tests := []struct {
		args []string
		want map[string]string
	}{
		{[]string{"--role", "analytics-reader"}, map[string]string{"prod-use1/analytics/reader": "proven"}},
		{[]string{"--cluster", "prod-euw1"}, map[string]string{"prod-euw1/default/my-service-account": "proven", "prod-euw1/web/frontend": "proven"}},
		{[]string{"--namespace", "default", "--cluster", "prod-use1"}, map[string]string{"prod-use1/default/my-service-account": "proven"}},
		{[]string{"--role", "arn:aws:iam::111122223333:role/irsa/my-role"}, map[string]string{
			"prod-euw1/default/my-service-account": "proven", "prod-use1/default/my-service-account": "proven"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			js := mustRun(t, ExitOK, append([]string{"verify", "--sandbox", dir, "-f", example, "-o", "json"}, tt.args...)...)
			if diff := cmp.Diff(tt.want, reasons(t, js)); diff != "" {
				t.Errorf("verify outcomes (-want +got):\n%s", diff)
			}
		})
	}
	code, _, stderr := run(t, "verify", "--sandbox", dir, "-f", example, "--role", "no-such-role")
	if code != ExitError || !strings.Contains(stderr, "no exact binding matches --role no-such-role") {
		t.Errorf("verify --role no-such-role: exit %d, stderr %q; want 1 naming the filter", code, stderr)
	}
	code, _, stderr = run(t, "verify", "--sandbox", dir, "-f", example, "--output", "yaml")
	if code != ExitError || !strings.Contains(stderr, `unknown output format "yaml"`) {
		t.Errorf("verify --output yaml: exit %d, stderr %q", code, stderr)
	}
}
