package apply

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
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
	var live *corev1.ServiceAccount
	if c.Action != plan.Create {
		var err error
		if live, err = w.liveServiceAccount(client, c, sa); err != nil || live == nil {
			return err
		}
	}
	return w.call("", describeSA(c, sa), func(ctx context.Context) error {
		if c.Action == plan.Delete {
			// Delete exactly the object whose owner was just checked: a
			// ServiceAccount recreated since by someone else is left alone.
			err := client.ServiceAccounts(sa.Namespace).Delete(ctx, sa.Name, metav1.DeleteOptions{
				Preconditions: &metav1.Preconditions{UID: &live.UID, ResourceVersion: &live.ResourceVersion}})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return err
		}
		return writeServiceAccount(ctx, client, c, sa, false)
	})
}

// liveServiceAccount reads the ServiceAccount an update or delete is about
// to write and refuses it unless this owner holds it now (or the update
// adopts it, as the file asked); a delete also needs irsa-sync to have
// created it. It returns nil, and no error, for a delete of one already
// gone.
func (w *writer) liveServiceAccount(client corev1client.CoreV1Interface, c plan.Change, sa *resource.ServiceAccount) (*corev1.ServiceAccount, error) {
	var live *corev1.ServiceAccount
	err := w.read(fmt.Sprintf("read the owner of service account %s/%s in cluster %q", sa.Namespace, sa.Name, sa.Cluster), func(ctx context.Context) error {
		var err error
		live, err = client.ServiceAccounts(sa.Namespace).Get(ctx, sa.Name, metav1.GetOptions{})
		return err
	})
	if apierrors.IsNotFound(err) {
		if c.Action == plan.Delete {
			return nil, nil
		}
		return nil, fmt.Errorf("service account %s/%s no longer exists in cluster %q: run plan again", sa.Namespace, sa.Name, sa.Cluster)
	}
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("service account %s/%s in cluster %q", sa.Namespace, sa.Name, sa.Cluster)
	if err := w.ownedOrAdopted(c, what, live.Annotations[resource.OwnerAnnotation]); err != nil {
		return nil, err
	}
	if c.Action == plan.Delete && live.Annotations[resource.CreatedAnnotation] != "true" {
		return nil, fmt.Errorf("%s was not created by irsa-sync: it is not deleted (%w); run plan again", what, ErrNotOwned)
	}
	return live, nil
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
