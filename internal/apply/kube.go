package apply

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func (w *writer) serviceAccount() error {
	c := w.change
	obj := c.After
	if c.Action == plan.Delete {
		obj = c.Before
	}
	sa := obj.(*resource.ServiceAccount)
	client := w.clients.Kube[sa.Cluster]
	if client == nil {
		return fmt.Errorf("no Kubernetes client for cluster %q", sa.Cluster)
	}
	api := client.CoreV1().ServiceAccounts(sa.Namespace)
	if c.Action == plan.Delete {
		return w.call("", fmt.Sprintf("delete service account %s/%s in cluster %q", sa.Namespace, sa.Name, sa.Cluster), func(ctx context.Context) error {
			err := api.Delete(ctx, sa.Name, metav1.DeleteOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return err
		})
	}
	what := "annotate"
	if c.Action == plan.Create {
		what = "create"
	}
	return w.call("", fmt.Sprintf("%s service account %s/%s in cluster %q", what, sa.Namespace, sa.Name, sa.Cluster), func(ctx context.Context) error {
		cfg := corev1ac.ServiceAccount(sa.Name, sa.Namespace)
		if len(sa.Annotations) > 0 {
			cfg = cfg.WithAnnotations(sa.Annotations)
		}
		// Force only where the file adopts the object: it takes the
		// annotations over from whichever manager set them.
		// Two applies creating the same ServiceAccount race in the API
		// server; the loser sees AlreadyExists or Conflict, and applying
		// again (server-side apply is idempotent) settles it.
		var err error
		for range 3 {
			_, err = api.Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: resource.FieldManager, Force: c.Adopt})
			if !apierrors.IsAlreadyExists(err) && !apierrors.IsConflict(err) {
				break
			}
		}
		return err
	})
}
