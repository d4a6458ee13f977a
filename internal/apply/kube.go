package apply

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func (w *writer) serviceAccount() error {
	c := w.change
	sa := changedServiceAccount(c)
	client := w.clients.Kube[sa.Cluster]
	if client == nil {
		return fmt.Errorf("no Kubernetes client for cluster %q", sa.Cluster)
	}
	return w.call("", describeSA(c, sa), func(ctx context.Context) error {
		return writeServiceAccount(ctx, client, c, sa, false)
	})
}

// changedServiceAccount is the object a ServiceAccount change writes: the
// desired one, or for a delete the live one.
func changedServiceAccount(c plan.Change) *resource.ServiceAccount {
	if c.Action == plan.Delete {
		return c.ServiceAccount.Before
	}
	return c.ServiceAccount.After
}

func describeSA(c plan.Change, sa *resource.ServiceAccount) string {
	what := map[plan.Action]string{plan.Create: "create", plan.Update: "annotate", plan.Delete: "delete"}[c.Action]
	return fmt.Sprintf("%s service account %s/%s in cluster %q", what, sa.Namespace, sa.Name, sa.Cluster)
}

// writeServiceAccount makes one ServiceAccount change, or with dryRun asks
// the API server to check it (authorization, admission, validation) without
// persisting anything.
func writeServiceAccount(ctx context.Context, client corev1client.CoreV1Interface, c plan.Change, sa *resource.ServiceAccount, dryRun bool) error {
	api := client.ServiceAccounts(sa.Namespace)
	var dry []string
	if dryRun {
		dry = []string{metav1.DryRunAll}
	}
	if c.Action == plan.Delete {
		err := api.Delete(ctx, sa.Name, metav1.DeleteOptions{DryRun: dry})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	cfg := corev1ac.ServiceAccount(sa.Name, sa.Namespace)
	if len(sa.Annotations) > 0 {
		cfg = cfg.WithAnnotations(sa.Annotations)
	}
	// Force only where the file adopts the object: it takes the annotations
	// over from whichever manager set them. Two applies creating the same
	// ServiceAccount race in the API server; the loser sees AlreadyExists or
	// Conflict, and applying again (server-side apply is idempotent)
	// settles it.
	var err error
	for range 3 {
		_, err = api.Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: resource.FieldManager, Force: c.Adopt, DryRun: dry})
		if !apierrors.IsAlreadyExists(err) && !apierrors.IsConflict(err) {
			break
		}
	}
	return err
}
