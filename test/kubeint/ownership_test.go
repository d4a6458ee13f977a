package kubeint

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// TestFieldOwnership: a Helm-made ServiceAccount keeps every label and
// annotation through irsa-sync's apply and prune; prune deletes only a
// ServiceAccount irsa-sync created that nobody else touched, and only
// removes irsa-sync's annotations from the others.
func TestFieldOwnership(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	const owner = "ownership"

	helmLabels := map[string]string{"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": "web", "team": "payments"}
	helmAnnotations := map[string]string{"meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": ns, "example.com/keep": "me"}
	// Helm 3 writes with field manager "helm" (create, then three-way
	// merge patches).
	_, err := kube.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "web", Labels: helmLabels, Annotations: helmAnnotations}}, metav1.CreateOptions{FieldManager: "helm"})
	if err != nil {
		t.Fatal(err)
	}

	sa := func(name string) string { return "{cluster: c1, namespace: " + ns + ", name: " + name + "}" }
	r := newRig(t, bindings(owner, []string{"c1"}, roleYAML("app", sa("web"), sa("made"), sa("shared"))), fromConfig(env.Config))
	r.converge(plan.Options{})

	web := getSA(t, kube, ns, "web")
	if diff := cmp.Diff(helmLabels, web.Labels); diff != "" {
		t.Errorf("Helm's labels after irsa-sync's apply (-want +got):\n%s", diff)
	}
	wantAnn := map[string]string{resource.AnnotationRoleARN: roleARN("app"), resource.OwnerAnnotation: owner}
	for k, v := range helmAnnotations {
		wantAnn[k] = v
	}
	if diff := cmp.Diff(wantAnn, web.Annotations); diff != "" {
		t.Errorf("annotations after irsa-sync's apply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"helm/Update", "irsa-sync/Apply"}, managers(web)); diff != "" {
		t.Errorf("field managers of the Helm service account (-want +got):\n%s", diff)
	}

	// Someone else touches "shared" after irsa-sync created it.
	if _, err := kube.CoreV1().ServiceAccounts(ns).Patch(ctx, "shared", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"touched":"yes"}}}`), metav1.PatchOptions{FieldManager: "kubectl-label"}); err != nil {
		t.Fatal(err)
	}

	// The file now binds only "kept": prune deletes "made", and removes
	// irsa-sync's annotations only from "web" (Helm's) and "shared".
	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", sa("kept"))))
	p := r.plan(plan.Options{Prune: true})
	prefix := "cluster/c1/serviceaccount/" + ns + "/"
	want := []string{"create " + prefix + "kept", "update " + prefix + "shared", "update " + prefix + "web", "delete " + prefix + "made"}
	if diff := cmp.Diff(want, kubeChanges(p)); diff != "" {
		t.Fatalf("prune plan (-want +got):\n%s", diff)
	}
	if _, err := r.apply(p); err != nil {
		t.Fatalf("apply: %v", err)
	}

	if _, err := kube.CoreV1().ServiceAccounts(ns).Get(ctx, "made", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("service account irsa-sync created and nobody else touched: get after prune = %v, want NotFound", err)
	}
	web = getSA(t, kube, ns, "web")
	if diff := cmp.Diff(helmAnnotations, web.Annotations); diff != "" {
		t.Errorf("Helm service account's annotations after prune (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(helmLabels, web.Labels); diff != "" {
		t.Errorf("Helm service account's labels after prune (-want +got):\n%s", diff)
	}
	shared := getSA(t, kube, ns, "shared")
	if diff := cmp.Diff(map[string]string{"touched": "yes"}, shared.Labels); diff != "" {
		t.Errorf("labels of the service account another manager touched (-want +got):\n%s", diff)
	}
	if len(shared.Annotations) != 0 {
		t.Errorf("annotations left on the pruned shared service account: %v, want none", shared.Annotations)
	}
	if again := r.plan(plan.Options{Prune: true}); !again.Empty() {
		t.Errorf("plan after prune is not empty: %v", addresses(again.Changes))
	}
}
