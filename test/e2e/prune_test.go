package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// pruneA and pruneB are two teams' files sharing one account and one
// cluster. a-two, its policy and its bindings are what A later removes;
// apps/helm-app is a ServiceAccount Helm created that A annotates.
const pruneA = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
  - name: a-policy
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
# removed:begin
  - name: a-two-policy
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: "*"}]}
# removed:end
roles:
  - name: a-one
    account: prod
    policies: [a-policy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: a-one}
# removed:begin
  - name: a-two
    account: prod
    policies: [a-two-policy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: a-two}
      - {cluster: c1, namespace: apps, name: helm-app}
# removed:end
`

const pruneB = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-b
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
  - name: b-policy
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "*"}]}
roles:
  - name: b-one
    account: prod
    policies: [b-policy]
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: b-one}
`

// wantPruned is what A without a-two would delete, in apply order.
var wantPruned = []string{
	"update cluster/c1/serviceaccount/apps/helm-app [annotations.eks.amazonaws.com/role-arn,annotations.irsa-sync/owner]",
	"delete cluster/c1/serviceaccount/apps/a-two",
	"delete account/prod/role/a-two",
	"delete account/prod/policy/a-two-policy",
}

// pruneSetup applies A (after Helm created apps/helm-app) and B in turn on
// one sandbox, and switches to A without a-two. It returns Helm's object.
func pruneSetup(t *testing.T) (*harness, *corev1.ServiceAccount) {
	h := newHarness(t, sandbox.Options{}).use(pruneA)
	helm := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "helm-app", Namespace: "apps", Labels: map[string]string{"app.kubernetes.io/managed-by": "Helm"},
		Annotations: map[string]string{"meta.helm.sh/release-name": "app"},
	}}
	if _, err := h.sb.Cluster("c1").CoreV1().ServiceAccounts("apps").Create(context.Background(), helm, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}
	h.apply(plan.Options{})
	if got := h.serviceAccount("c1", "apps", "helm-app").Annotations["eks.amazonaws.com/role-arn"]; got != "arn:aws:iam::111122223333:role/a-two" {
		t.Fatalf("helm-app annotated with %q, want role a-two", got)
	}

	h.use(pruneB)
	h.apply(plan.Options{})
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() || len(p.Pruneable) != 0 {
		t.Fatalf("B with --prune after both applies: changes %v, pruneable %v; want nothing of A's", changeLines(p.Changes), changeLines(p.Pruneable))
	}

	h.use(withoutRemoved(pruneA))
	return h, helm
}

// TestPruneDeletesOnlyThisOwnersObjects removes a role, its policy and its
// bindings from A: only --prune deletes them, and only them.
func TestPruneDeletesOnlyThisOwnersObjects(t *testing.T) {
	h, helm := pruneSetup(t)
	h.resetCalls()
	p, _ := h.apply(plan.Options{})
	// Policies are left out here: TestPlanWithoutPruneListsOrphanedPolicy.
	var pruneable []plan.Change
	for _, c := range p.Pruneable {
		if c.Kind != "policy" {
			pruneable = append(pruneable, c)
		}
	}
	if diff := cmp.Diff(wantPruned[:3], changeLines(pruneable)); diff != "" {
		t.Errorf("pruneable without --prune (-want +got):\n%s", diff)
	}
	if len(p.Changes) != 0 {
		t.Errorf("changes without --prune: %v, want none", changeLines(p.Changes))
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("apply without --prune wrote: %v", w)
	}

	h.resetCalls()
	p, _ = h.apply(plan.Options{Prune: true})
	if diff := cmp.Diff(wantPruned, changeLines(p.Changes)); diff != "" {
		t.Errorf("changes with --prune (-want +got):\n%s", diff)
	}
	wantWrites := map[string]int{
		"iam:DetachRolePolicy": 1, "iam:DeleteRole": 1, "iam:DeletePolicy": 1,
		"k8s:delete serviceaccounts": 1, "k8s:patch serviceaccounts": 1,
	}
	if diff := cmp.Diff(wantWrites, h.writes()); diff != "" {
		t.Errorf("writes with --prune (-want +got):\n%s", diff)
	}

	t.Run("A's removed objects are gone", func(t *testing.T) {
		if r := h.role("prod", "a-two"); r != nil {
			t.Errorf("role a-two still exists: %+v", r)
		}
		if p := h.policyAt("prod", "arn:aws:iam::111122223333:policy/a-two-policy"); p != nil {
			t.Errorf("policy a-two-policy still exists: %+v", p)
		}
		if sa := h.serviceAccount("c1", "apps", "a-two"); sa != nil {
			t.Errorf("service account apps/a-two still exists: %v", sa.Annotations)
		}
	})
	t.Run("the Helm service account keeps everything but irsa-sync's annotations", func(t *testing.T) {
		sa := h.serviceAccount("c1", "apps", "helm-app")
		if sa == nil {
			t.Fatal("apps/helm-app was deleted")
		}
		if diff := cmp.Diff(helm.Annotations, sa.Annotations); diff != "" {
			t.Errorf("annotations (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(helm.Labels, sa.Labels); diff != "" {
			t.Errorf("labels (-want +got):\n%s", diff)
		}
	})
	t.Run("A's other objects and all of B's are untouched", func(t *testing.T) {
		for _, tc := range []struct{ role, owner, policy string }{
			{"a-one", "team-a", "a-policy"},
			{"b-one", "team-b", "b-policy"},
		} {
			arn := "arn:aws:iam::111122223333:policy/" + tc.policy
			r := h.role("prod", tc.role)
			if r == nil {
				t.Errorf("role %s deleted", tc.role)
				continue
			}
			if diff := cmp.Diff(map[string]string{"irsa-sync/owner": tc.owner}, r.Tags); diff != "" {
				t.Errorf("role %s tags (-want +got):\n%s", tc.role, diff)
			}
			if diff := cmp.Diff([]string{arn}, r.Attached); diff != "" {
				t.Errorf("role %s attachments (-want +got):\n%s", tc.role, diff)
			}
			if p := h.policyAt("prod", arn); p == nil || p.Tags["irsa-sync/owner"] != tc.owner {
				t.Errorf("policy %s: %+v, want it owned by %s", tc.policy, p, tc.owner)
			}
			sa := h.serviceAccount("c1", "apps", tc.role)
			if sa == nil || sa.Annotations["irsa-sync/owner"] != tc.owner || sa.Annotations["eks.amazonaws.com/role-arn"] != r.ARN {
				t.Errorf("service account apps/%s: %+v, want it annotated with %s for %s", tc.role, sa, r.ARN, tc.owner)
			}
		}
		if got := len(h.providers("prod")); got != 1 {
			t.Errorf("%d OIDC providers, want the one both files share", got)
		}
	})

	if p := h.plan(plan.Options{Prune: true}); !p.Empty() || len(p.Pruneable) != 0 {
		t.Errorf("A with --prune after pruning: changes %v, pruneable %v", changeLines(p.Changes), changeLines(p.Pruneable))
	}
	h.use(pruneB)
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() || len(p.Pruneable) != 0 {
		t.Errorf("B with --prune after A pruned: changes %v, pruneable %v", changeLines(p.Changes), changeLines(p.Pruneable))
	}
}

// TestPlanWithoutPruneListsOrphanedPolicy: the plan without --prune must
// say what --prune would delete (issue 2, section 2), policies included.
func TestPlanWithoutPruneListsOrphanedPolicy(t *testing.T) {
	h, _ := pruneSetup(t)
	p := h.plan(plan.Options{})
	if diff := cmp.Diff(wantPruned, changeLines(p.Pruneable)); diff != "" {
		t.Errorf("pruneable without --prune (-want +got):\n%s", diff)
	}
}

// withoutRemoved drops the lines between "# removed:begin" and
// "# removed:end", which is A after its team removed a role.
func withoutRemoved(yaml string) string {
	var out []string
	skip := false
	for _, line := range strings.Split(yaml, "\n") {
		switch strings.TrimSpace(line) {
		case "# removed:begin":
			skip = true
		case "# removed:end":
			skip = false
		default:
			if !skip {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}
