package kubeint

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// TestConflictAndAdopt: a role-arn another manager set is a conflict that
// blocks apply with nothing written; adopt: true takes the annotation over
// with a forced apply, and the other manager's other fields stay.
func TestConflictAndAdopt(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	const owner = "conflicts"
	theirs := "arn:aws:iam::999988887777:role/someone-else"
	if _, err := kube.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app",
		Annotations: map[string]string{resource.AnnotationRoleARN: theirs, "example.com/theirs": "x"}}},
		metav1.CreateOptions{FieldManager: "kubectl-annotate"}); err != nil {
		t.Fatal(err)
	}
	before := getSA(t, kube, ns, "app")

	binding := "{cluster: c1, namespace: " + ns + ", name: app}"
	r := newRig(t, bindings(owner, []string{"c1"}, roleYAML("app", binding)), fromConfig(env.Config))
	p := r.plan(plan.Options{})
	addr := "cluster/c1/serviceaccount/" + ns + "/app"
	if len(p.Conflicts) != 1 || p.Conflicts[0].Address != addr || !strings.Contains(p.Conflicts[0].Message, theirs) || !strings.Contains(p.Conflicts[0].Message, "adopt: true") {
		t.Fatalf("conflicts = %+v, want one for %s naming %s and adopt: true", p.Conflicts, addr, theirs)
	}
	if _, err := r.apply(p); !errors.Is(err, apply.ErrBlocked) {
		t.Fatalf("apply of a plan with a conflict: error %v, want apply.ErrBlocked", err)
	}
	after := getSA(t, kube, ns, "app")
	if after.ResourceVersion != before.ResourceVersion {
		t.Errorf("the conflicting service account was written (resourceVersion %s → %s)", before.ResourceVersion, after.ResourceVersion)
	}

	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", "{cluster: c1, namespace: "+ns+", name: app, adopt: true}")))
	p = r.plan(plan.Options{})
	if len(p.Conflicts) != 0 {
		t.Fatalf("adopted binding still conflicts: %+v", p.Conflicts)
	}
	var adopted bool
	for _, c := range p.Changes {
		adopted = adopted || (c.Address == addr && c.Action == plan.Update && c.Adopt)
	}
	if !adopted {
		t.Fatalf("plan has no adopting update of %s: %v", addr, addresses(p.Changes))
	}
	if _, err := r.apply(p); err != nil {
		t.Fatalf("apply with adopt: %v", err)
	}
	got := getSA(t, kube, ns, "app").Annotations
	want := map[string]string{resource.AnnotationRoleARN: roleARN("app"), resource.OwnerAnnotation: owner, "example.com/theirs": "x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations after adopting (-want +got):\n%s", diff)
	}
	if again := r.plan(plan.Options{}); !again.Empty() || again.Blocked() {
		t.Errorf("plan after adopting: changes %v, conflicts %v; want none", addresses(again.Changes), again.Conflicts)
	}
}
