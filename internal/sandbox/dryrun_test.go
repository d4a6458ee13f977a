package sandbox

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

func TestDryRunPersistsNothing(t *testing.T) {
	ctx := context.Background()
	kube, err := NewCluster(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "old", Namespace: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	api := kube.CoreV1().ServiceAccounts("default")
	dry := []string{metav1.DryRunAll}

	if _, err := api.Apply(ctx, corev1ac.ServiceAccount("new", "default").WithAnnotations(map[string]string{"a": "b"}),
		metav1.ApplyOptions{FieldManager: "irsa-sync", DryRun: dry}); err != nil {
		t.Fatalf("dry-run apply: %v", err)
	}
	if _, err := api.Get(ctx, "new", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a dry-run apply created the object (get: %v)", err)
	}
	if err := api.Delete(ctx, "old", metav1.DeleteOptions{DryRun: dry}); err != nil {
		t.Fatalf("dry-run delete: %v", err)
	}
	if _, err := api.Get(ctx, "old", metav1.GetOptions{}); err != nil {
		t.Errorf("a dry-run delete removed the object: %v", err)
	}
	if err := api.Delete(ctx, "missing", metav1.DeleteOptions{DryRun: dry}); !apierrors.IsNotFound(err) {
		t.Errorf("dry-run delete of a missing object: %v, want NotFound", err)
	}
	// Real writes still go through.
	if _, err := api.Apply(ctx, corev1ac.ServiceAccount("new", "default"), metav1.ApplyOptions{FieldManager: "irsa-sync"}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Get(ctx, "new", metav1.GetOptions{}); err != nil {
		t.Errorf("a real apply did not create the object: %v", err)
	}
}
