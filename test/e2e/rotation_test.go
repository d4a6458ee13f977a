package e2e

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// rotationFile declares my-policy with a document that names bucket n.
func rotationFile(n int) string {
	return fmt.Sprintf(`
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
  - name: my-policy
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::bucket-%d/*"}]}
roles:
  - name: app
    account: prod
    policies: [my-policy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: app}
`, n)
}

// TestFiveVersionRotation changes my-policy's document six times. IAM keeps
// at most five versions: from the fifth change on, the plan retires the
// oldest non-default version before publishing the new one.
func TestFiveVersionRotation(t *testing.T) {
	const arn = "arn:aws:iam::111122223333:policy/my-policy"
	h := newHarness(t, sandbox.Options{}).use(rotationFile(0))
	h.apply(plan.Options{})

	for i, tc := range []struct {
		retire   string   // RetireVersion the plan must carry
		versions []string // versions held after the apply
		writes   map[string]int
	}{
		{"", []string{"v1", "v2"}, map[string]int{"iam:CreatePolicyVersion": 1}},
		{"", []string{"v1", "v2", "v3"}, map[string]int{"iam:CreatePolicyVersion": 1}},
		{"", []string{"v1", "v2", "v3", "v4"}, map[string]int{"iam:CreatePolicyVersion": 1}},
		{"", []string{"v1", "v2", "v3", "v4", "v5"}, map[string]int{"iam:CreatePolicyVersion": 1}},
		{"v1", []string{"v2", "v3", "v4", "v5", "v6"}, map[string]int{"iam:DeletePolicyVersion": 1, "iam:CreatePolicyVersion": 1}},
		{"v2", []string{"v3", "v4", "v5", "v6", "v7"}, map[string]int{"iam:DeletePolicyVersion": 1, "iam:CreatePolicyVersion": 1}},
	} {
		n := i + 1
		t.Run(fmt.Sprintf("change %d", n), func(t *testing.T) {
			h.use(rotationFile(n))
			p := h.plan(plan.Options{})
			if diff := cmp.Diff([]string{"update account/prod/policy/my-policy [document]"}, changeLines(p.Changes)); diff != "" {
				t.Fatalf("changes (-want +got):\n%s", diff)
			}
			if got := p.Changes[0].RetireVersion; got != tc.retire {
				t.Errorf("RetireVersion %q, want %q", got, tc.retire)
			}
			h.resetCalls()
			if _, err := h.run(p); err != nil {
				t.Fatalf("apply: %v", err)
			}
			if diff := cmp.Diff(tc.writes, h.writes()); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			got := h.policyAt("prod", arn)
			want := &awsPolicy{
				ARN: arn, Default: tc.versions[len(tc.versions)-1], Versions: tc.versions,
				Tags:     map[string]string{"irsa-sync/owner": "team-a"},
				Document: policy.MustParse(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%d/*"}]}`, n)),
			}
			if diff := cmp.Diff(want, got, cmpDocs); diff != "" {
				t.Errorf("policy after change %d (-want +got):\n%s", n, diff)
			}
			if again := h.plan(plan.Options{}); !again.Empty() {
				t.Errorf("plan after change %d: %v", n, changeLines(again.Changes))
			}
		})
	}
}
