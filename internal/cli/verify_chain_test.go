package cli

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/verify"
)

const (
	chainFile   = "testdata/verify-chain-bindings.yaml"
	chainSource = "arn:aws:iam::111122223333:role/app"
	chainTarget = "arn:aws:iam::444455556666:role/reader"
)

// recordHopCredentials wraps the hop client so that a test knows which
// session credentials verify was given, to look for them in its outputs.
func recordHopCredentials(t *testing.T) func() []aws.Credentials {
	t.Helper()
	var mu sync.Mutex
	var got []aws.Credentials
	orig := newHopClient
	newHopClient = func(region, endpoint string, creds aws.Credentials) verify.RoleAssumer {
		mu.Lock()
		got = append(got, creds)
		mu.Unlock()
		return orig(region, endpoint, creds)
	}
	t.Cleanup(func() { newHopClient = orig })
	return func() []aws.Credentials { mu.Lock(); defer mu.Unlock(); return append([]aws.Credentials(nil), got...) }
}

// assertNoCredentials fails when any part of the credentials appears in an
// output, or when there are none to look for.
func assertNoCredentials(t *testing.T, creds []aws.Credentials, outputs ...string) {
	t.Helper()
	if len(creds) == 0 {
		t.Fatal("verify made no hop client: a leak test with no credentials proves nothing")
	}
	for _, c := range creds {
		if c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" {
			t.Fatalf("the hop client was made with incomplete credentials (key %t, secret %t, token %t)",
				c.AccessKeyID != "", c.SecretAccessKey != "", c.SessionToken != "")
		}
		for i, o := range outputs {
			for _, part := range []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken} {
				if strings.Contains(o, part) {
					t.Errorf("output %d holds a credential of the web identity session", i)
				}
			}
		}
	}
}

// hopReasons maps each hop of verify's JSON ("BINDING => ROLE") to
// "proven" or its reason, and checks the document against the schema.
func hopReasons(t *testing.T, doc string) map[string]string {
	t.Helper()
	if err := validateAgainst(t, "verify.schema.json", doc); err != nil {
		t.Errorf("verify --output json does not match schemas/verify.schema.json: %v\n%s", err, doc)
	}
	var v struct {
		Bindings []struct {
			Address string
			Hops    []struct {
				Role   string
				Proven bool
				Reason *string
			}
		}
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("verify JSON: %v\n%s", err, doc)
	}
	out := map[string]string{}
	for _, b := range v.Bindings {
		for _, h := range b.Hops {
			switch {
			case h.Proven:
				out[b.Address+" => "+h.Role] = "proven"
			case h.Reason != nil:
				out[b.Address+" => "+h.Role] = *h.Reason
			}
		}
	}
	return out
}

// TestVerifyChain applies a chain across two accounts and proves both
// steps a pod makes: the web identity step to app, then the hop to reader
// with app's session. Then it breaks each half of the chain through the
// emulator's IAM API, and verify reports the hop refused with that half
// named and exits 1; no token or session credential reaches any output.
func TestVerifyChain(t *testing.T) {
	instantBackoff(t)
	hop := c1App + " => " + chainTarget
	tests := []struct {
		name    string
		breakIt func(t *testing.T, cl *connect.Clients)
		want    string // the hop's reason
		words   string // in its text line
		summary string
	}{
		{name: "both halves applied", want: "proven", summary: "Verify: 1 of 1 bindings proven; 1 of 1 chain hops proven."},
		{name: "source's irsa-sync-chain policy deleted", want: "chainPermission",
			words:   "no inline policy of " + chainSource + " allows sts:AssumeRole on " + chainTarget + " (irsa-sync writes it as irsa-sync-chain)",
			summary: "Verify: 1 of 1 bindings proven; 0 of 1 chain hops proven, 1 failed.",
			breakIt: func(t *testing.T, cl *connect.Clients) {
				if _, err := cl.IAM["111122223333"].DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{
					RoleName: aws.String("app"), PolicyName: aws.String(resource.ChainPolicyName)}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "target's trust replaced", want: "chainTrust",
			words:   "the trust of " + chainTarget + " does not allow sts:AssumeRole to " + chainSource,
			summary: "Verify: 1 of 1 bindings proven; 0 of 1 chain hops proven, 1 failed.",
			breakIt: func(t *testing.T, cl *connect.Clients) {
				doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`
				if _, err := cl.IAM["444455556666"].UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
					RoleName: aws.String("reader"), PolicyDocument: aws.String(doc)}); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := captureSandboxes(t)
			creds := recordHopCredentials(t)
			dir := t.TempDir()
			mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", chainFile)
			if tt.breakIt != nil {
				withSandbox(t, dir, chainFile, func(_ *sandbox.Sandbox, cl *connect.Clients) { tt.breakIt(t, cl) })
			}
			wantCode := ExitOK
			if tt.want != "proven" {
				wantCode = ExitError
			}
			code, out, stderr := run(t, "verify", "--sandbox", dir, "-f", chainFile, "--log-format", "json")
			if code != wantCode {
				t.Fatalf("verify: exit %d, want %d\n%s\n%s", code, wantCode, out, stderr)
			}
			line := "\n  proven  chain -> " + chainTarget + "\n"
			if tt.want != "proven" {
				line = "\n  failed  chain -> " + chainTarget + ": " + tt.words + " (AccessDenied: "
			}
			if !strings.HasPrefix(out, "proven  "+c1App+" -> "+chainSource+"\n") || !strings.Contains(out, line) {
				t.Errorf("stdout has no proven binding followed by the hop line %q:\n%s", line, out)
			}
			if !strings.Contains(out, tt.summary) {
				t.Errorf("stdout has no summary %q:\n%s", tt.summary, out)
			}
			code, js, jsErr := run(t, "verify", "--sandbox", dir, "-f", chainFile, "-o", "json", "--log-format", "json")
			if code != wantCode {
				t.Fatalf("verify -o json: exit %d, want %d\n%s", code, wantCode, jsErr)
			}
			if diff := cmp.Diff(map[string]string{c1App: "proven"}, reasons(t, js)); diff != "" {
				t.Errorf("binding outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{hop: tt.want}, hopReasons(t, js)); diff != "" {
				t.Errorf("hop outcomes (-want +got):\n%s", diff)
			}
			var tokens []string
			for _, rs := range *runs {
				for _, c := range rs.clusters {
					tokens = append(tokens, rs.sb.Cluster(c).IssuedTokens()...)
				}
			}
			if len(tokens) < 2 {
				t.Fatalf("the clusters minted %d tokens, want at least 2", len(tokens))
			}
			assertNoToken(t, tokens, out, stderr, js, jsErr)
			assertNoCredentials(t, creds(), out, stderr, js, jsErr)
		})
	}
}

const c1App = "c1/apps/app"

// TestVerifyChainFilter: --role naming the chain's target proves the
// binding that reaches it and that hop.
func TestVerifyChainFilter(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", chainFile)
	js := mustRun(t, ExitOK, "verify", "--sandbox", dir, "-f", chainFile, "-o", "json", "--role", "reader")
	if diff := cmp.Diff(map[string]string{c1App + " => " + chainTarget: "proven"}, hopReasons(t, js)); diff != "" {
		t.Errorf("hop outcomes (-want +got):\n%s", diff)
	}
}
