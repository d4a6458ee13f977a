package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// TestApplyChecksOwnershipAtWriteTime computes a plan, hands each object
// over to another owner behind irsa-sync's back, and applies the plan it
// was given: the write is refused per object, and the object is left as
// the other owner made it. The plan alone never decides what irsa-sync may
// touch.
func TestApplyChecksOwnershipAtWriteTime(t *testing.T) {
	const roleName, policyARN = "app", "arn:aws:iam::111122223333:policy/app-policy"
	tests := []struct {
		name    string
		edit    func(string) string // the file change that makes the plan
		prune   bool
		address string
		steal   func(t *testing.T, h *harness)
		check   func(t *testing.T, h *harness)
	}{
		{name: "role update", address: "account/prod/role/app",
			edit: func(y string) string {
				return strings.Replace(y, "    policies: [app-policy]\n", "    description: changed\n    policies: [app-policy]\n", 1)
			},
			steal: func(t *testing.T, h *harness) {
				tagRole(t, h, roleName, "someone-else")
			},
			check: func(t *testing.T, h *harness) {
				out, err := h.cl.IAM["111122223333"].GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(roleName)})
				if err != nil {
					t.Fatal(err)
				}
				if d := aws.ToString(out.Role.Description); d == "changed" {
					t.Errorf("the other owner's role was updated (description %q)", d)
				}
			}},
		{name: "role delete", address: "account/prod/role/app", prune: true,
			edit: func(y string) string { return strings.Replace(y, "  - name: app\n", "  - name: app-two\n", 1) },
			steal: func(t *testing.T, h *harness) {
				tagRole(t, h, roleName, "someone-else")
			},
			check: func(t *testing.T, h *harness) {
				if _, err := h.cl.IAM["111122223333"].GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(roleName)}); err != nil {
					t.Errorf("the other owner's role was deleted: %v", err)
				}
			}},
		{name: "policy update", address: "account/prod/policy/app-policy",
			edit: func(y string) string { return strings.Replace(y, "bucket-a/*", "bucket-b/*", 1) },
			steal: func(t *testing.T, h *harness) {
				_, err := h.cl.IAM["111122223333"].TagPolicy(context.Background(), &iam.TagPolicyInput{PolicyArn: aws.String(policyARN),
					Tags: []iamtypes.Tag{{Key: aws.String(resource.OwnerTag), Value: aws.String("someone-else")}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, h *harness) {
				out, err := h.cl.IAM["111122223333"].GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
				if err != nil {
					t.Fatal(err)
				}
				if v := aws.ToString(out.Policy.DefaultVersionId); v != "v1" {
					t.Errorf("the other owner's policy got a new version %s", v)
				}
			}},
		{name: "service account delete", address: "cluster/c1/serviceaccount/apps/app", prune: true,
			edit: func(y string) string { return strings.Replace(y, "name: app}", "name: app-two}", 1) },
			steal: func(t *testing.T, h *harness) {
				api := h.sb.Cluster("c1").CoreV1().ServiceAccounts("apps")
				sa, err := api.Get(context.Background(), "app", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sa.Annotations[resource.OwnerAnnotation] = "someone-else"
				if _, err := api.Update(context.Background(), sa, metav1.UpdateOptions{FieldManager: "kubectl"}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, h *harness) {
				if _, err := h.sb.Cluster("c1").CoreV1().ServiceAccounts("apps").Get(context.Background(), "app", metav1.GetOptions{}); err != nil {
					t.Errorf("the other owner's service account was deleted: %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{}).use(conflictBase)
			h.apply(plan.Options{})
			h.use(tt.edit(conflictBase))
			p := h.plan(plan.Options{Prune: tt.prune})
			found := false
			for _, c := range p.Changes {
				found = found || c.Address == tt.address
			}
			if !found {
				t.Fatalf("the plan does not change %s: %v", tt.address, actionsOf(p))
			}
			tt.steal(t, h)
			report, err := h.run(p)
			if err == nil {
				t.Fatalf("apply of a plan over another owner's object succeeded")
			}
			for _, r := range report.Results {
				if r.Address == tt.address && (r.Status != apply.Failed || !strings.Contains(r.Error, "belongs to owner \"someone-else\"")) {
					t.Errorf("%s: status %s, error %q; want failed, naming the other owner", r.Address, r.Status, r.Error)
				}
			}
			tt.check(t, h)
		})
	}
}

func tagRole(t *testing.T, h *harness, name, owner string) {
	t.Helper()
	_, err := h.cl.IAM["111122223333"].TagRole(context.Background(), &iam.TagRoleInput{RoleName: aws.String(name),
		Tags: []iamtypes.Tag{{Key: aws.String(resource.OwnerTag), Value: aws.String(owner)}}})
	if err != nil {
		t.Fatal(err)
	}
}

func actionsOf(p *plan.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, string(c.Action)+" "+c.Address)
	}
	return out
}
