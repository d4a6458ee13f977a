package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const conflictBase = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
  - name: app-policy
    account: prod
    document:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::bucket-a/*"}
roles:
  - name: app
    account: prod
    policies: [app-policy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: app}
`

// ec2Trust is a trust someone else's role might have: nothing to do with IRSA.
const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const otherRole = "arn:aws:iam::111122223333:role/someone-elses"

// TestConflicts creates, as someone else would, an object of a name the
// file wants: the plan names the conflict and apply writes nothing; with
// adopt: true irsa-sync takes the object over and converges.
func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, h *harness)
		address string
		message string // a part of the conflict's message
		adopt   []string
		changes []string // the plan once adopted
		check   func(t *testing.T, h *harness)
		bug     string // a known product bug: the case is skipped
	}{
		{
			name:    "untagged role",
			setup:   createRole(nil),
			address: "account/prod/role/app",
			message: "irsa-sync did not create it (no irsa-sync/owner tag)",
			adopt:   []string{"  - name: app\n", "  - name: app\n    adopt: true\n"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"create account/prod/policy/app-policy",
				"update account/prod/role/app [trust,tags,managedPolicies]",
				"create cluster/c1/serviceaccount/apps/app",
			},
			check: wantAdoptedRole(map[string]string{"irsa-sync/owner": "team-a"}),
		},
		{
			name:    "role of another owner",
			setup:   createRole(map[string]string{"irsa-sync/owner": "team-b"}),
			address: "account/prod/role/app",
			message: `belongs to owner "team-b"`,
			adopt:   []string{"  - name: app\n", "  - name: app\n    adopt: true\n"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"create account/prod/policy/app-policy",
				"update account/prod/role/app [trust,tags,managedPolicies]",
				"create cluster/c1/serviceaccount/apps/app",
			},
			check: wantAdoptedRole(map[string]string{"irsa-sync/owner": "team-a"}),
		},
		{
			name:    "untagged policy",
			setup:   createPolicy(nil),
			address: "account/prod/policy/app-policy",
			message: "a policy of this name exists and irsa-sync did not create it",
			adopt:   []string{"  - name: app-policy\n", "  - name: app-policy\n    adopt: true\n"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"update account/prod/policy/app-policy [document,tags]",
				"create account/prod/role/app",
				"create cluster/c1/serviceaccount/apps/app",
			},
			check: func(t *testing.T, h *harness) {
				got := h.policyAt("prod", "arn:aws:iam::111122223333:policy/app-policy")
				if diff := cmp.Diff(map[string]string{"irsa-sync/owner": "team-a"}, got.Tags); diff != "" {
					t.Errorf("policy tags (-want +got):\n%s", diff)
				}
				if got.Default != "v2" || len(got.Versions) != 2 || !strings.Contains(got.Document.JSON(), "bucket-a") {
					t.Errorf("policy default %s of %v: %s; want v2 of [v1 v2] with the file's document", got.Default, got.Versions, got.Document)
				}
			},
		},
		{
			name:    "policy of another owner",
			setup:   createPolicy(map[string]string{"irsa-sync/owner": "team-b"}),
			address: "account/prod/policy/app-policy",
			message: `a policy of this name belongs to owner "team-b"`,
			adopt:   []string{"  - name: app-policy\n", "  - name: app-policy\n    adopt: true\n"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"update account/prod/policy/app-policy [document,tags]",
				"create account/prod/role/app",
				"create cluster/c1/serviceaccount/apps/app",
			},
			check: func(t *testing.T, h *harness) {
				got := h.policyAt("prod", "arn:aws:iam::111122223333:policy/app-policy")
				if diff := cmp.Diff(map[string]string{"irsa-sync/owner": "team-a"}, got.Tags); diff != "" {
					t.Errorf("policy tags (-want +got):\n%s", diff)
				}
				if got.Default != "v2" || len(got.Versions) != 2 || !strings.Contains(got.Document.JSON(), "bucket-a") {
					t.Errorf("policy default %s of %v: %s; want v2 of [v1 v2] with the file's document", got.Default, got.Versions, got.Document)
				}
			},
		},
		{
			name:    "untagged policy with the file's document",
			setup:   createPolicyWithDocument(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a/*"}]}`),
			address: "account/prod/policy/app-policy",
			message: "a policy of this name exists and irsa-sync did not create it",
			adopt:   []string{"  - name: app-policy\n", "  - name: app-policy\n    adopt: true\n"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"update account/prod/policy/app-policy [tags]",
				"create account/prod/role/app",
				"create cluster/c1/serviceaccount/apps/app",
			},
			check: func(t *testing.T, h *harness) {
				got := h.policyAt("prod", "arn:aws:iam::111122223333:policy/app-policy")
				if diff := cmp.Diff(map[string]string{"irsa-sync/owner": "team-a"}, got.Tags); diff != "" {
					t.Errorf("policy tags (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:    "service account annotated with another role",
			setup:   createServiceAccount,
			address: "cluster/c1/serviceaccount/apps/app",
			message: "annotated with role " + otherRole + ", which irsa-sync did not set",
			adopt:   []string{"name: app}", "name: app, adopt: true}"},
			changes: []string{
				"create account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):],
				"create account/prod/policy/app-policy",
				"create account/prod/role/app",
				"update cluster/c1/serviceaccount/apps/app [annotations.eks.amazonaws.com/role-arn,annotations.irsa-sync/owner]",
			},
			check: func(t *testing.T, h *harness) {
				sa := h.serviceAccount("c1", "apps", "app")
				want := map[string]string{
					"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/app",
					"irsa-sync/owner":            "team-a",
					"example.com/keep":           "yes",
				}
				if diff := cmp.Diff(want, sa.Annotations); diff != "" {
					t.Errorf("annotations (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(map[string]string{"app": "web"}, sa.Labels); diff != "" {
					t.Errorf("labels (-want +got):\n%s", diff)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip(tc.bug)
			}
			h := newHarness(t, sandbox.Options{}).use(conflictBase)
			tc.setup(t, h)
			h.resetCalls()

			p := h.plan(plan.Options{})
			if len(p.Conflicts) != 1 || p.Conflicts[0].Address != tc.address || !strings.Contains(p.Conflicts[0].Message, tc.message) {
				t.Errorf("conflicts: %q\nwant one for %s containing %q", problems(p.Conflicts), tc.address, tc.message)
			}
			if _, err := h.run(p); !errors.Is(err, apply.ErrBlocked) {
				t.Errorf("apply of a plan with a conflict: %v, want ErrBlocked", err)
			}
			if w := h.writes(); len(w) != 0 {
				t.Errorf("a blocked apply wrote: %v", w)
			}

			h.use(h.edit(conflictBase, tc.adopt...))
			p, _ = h.apply(plan.Options{})
			if len(p.Conflicts) != 0 {
				t.Errorf("conflicts with adopt: true: %q", problems(p.Conflicts))
			}
			if diff := cmp.Diff(tc.changes, changeLines(p.Changes)); diff != "" {
				t.Errorf("changes with adopt: true (-want +got):\n%s", diff)
			}
			tc.check(t, h)
			if again := h.plan(plan.Options{}); !again.Empty() || len(again.Conflicts) != 0 {
				t.Errorf("plan after adopting: changes %v, conflicts %q", changeLines(again.Changes), problems(again.Conflicts))
			}
		})
	}
}

// createRole creates role "app" as another tool would, with a team tag
// besides the given ones.
func createRole(tags map[string]string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		_, err := h.iam("prod").CreateRole(context.Background(), &iam.CreateRoleInput{
			RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust), Tags: iamTags(tags),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// createPolicy creates policy "app-policy" as another tool would, with
// another document and a team tag besides the given ones.
func createPolicy(tags map[string]string) func(*testing.T, *harness) {
	return createPolicyWith(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, tags)
}

// createPolicyWithDocument creates an untagged "app-policy" (but for the
// team tag) with the given document.
func createPolicyWithDocument(doc string) func(*testing.T, *harness) {
	return createPolicyWith(doc, nil)
}

func createPolicyWith(doc string, tags map[string]string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		_, err := h.iam("prod").CreatePolicy(context.Background(), &iam.CreatePolicyInput{
			PolicyName:     aws.String("app-policy"),
			PolicyDocument: aws.String(doc),
			Tags:           iamTags(tags),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func iamTags(tags map[string]string) []iamtypes.Tag {
	all := []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}
	for k, v := range tags {
		all = append(all, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return all
}

func createServiceAccount(t *testing.T, h *harness) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "app", Namespace: "apps", Labels: map[string]string{"app": "web"},
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": otherRole, "example.com/keep": "yes"},
	}}
	if _, err := h.sb.Cluster("c1").CoreV1().ServiceAccounts("apps").Create(context.Background(), sa, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}
}

// wantAdoptedRole checks that an adopted role now carries the file's trust,
// attachment and tags: from then on the role is exactly as the file says,
// so the other tool's tags the file does not declare are removed.
func wantAdoptedRole(tags map[string]string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		got := h.role("prod", "app")
		if diff := cmp.Diff(tags, got.Tags); diff != "" {
			t.Errorf("role tags (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:policy/app-policy"}, got.Attached); diff != "" {
			t.Errorf("attached (-want +got):\n%s", diff)
		}
		want := trustOf(statement(prodID, issuerHost(h, "c1"), "StringEquals", "apps:app"))
		if !got.Trust.Equal(want) {
			t.Errorf("trust:\n%s\nwant:\n%s", got.Trust.Pretty(), want.Pretty())
		}
	}
}
