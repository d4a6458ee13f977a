package apply

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// configMap writes one profile ConfigMap change by server-side apply under
// irsa-sync's field manager, after reading the live object to check, at
// write time, that it is still this owner's (or absent, for a create).
func (w *writer) configMap() error {
	c := w.change
	cm := changedConfigMap(c)
	client := w.clients.Kube[cm.Cluster]
	if client == nil {
		return fmt.Errorf("no Kubernetes client for cluster %q", cm.Cluster)
	}
	live, gone, err := w.liveConfigMap(client, c, cm)
	if err != nil || gone {
		return err
	}
	return w.call("", describeCM(c, cm), func(ctx context.Context) error {
		if c.Action == plan.Delete {
			// Delete exactly the object whose owner was just checked.
			err := client.ConfigMaps(cm.Namespace).Delete(ctx, cm.Name, metav1.DeleteOptions{
				Preconditions: &metav1.Preconditions{UID: &live.UID, ResourceVersion: &live.ResourceVersion}})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return err
		}
		rv := ""
		if live != nil {
			rv = live.ResourceVersion
		}
		written, err := writeConfigMap(ctx, client, c, cm, rv, false)
		if err != nil || live != nil || c.Action != plan.Create {
			return err
		}
		// Server-side apply has no "create only": a ConfigMap someone made
		// between the read above and this write was merged into. Say so,
		// rather than report a clean create; the next plan shows it as
		// shared, and irsa-sync never deletes it (otherManagers).
		if others := otherManagers(written.ManagedFields); len(others) > 0 {
			return fmt.Errorf("ConfigMap %s/%s in cluster %q was created by %s at the same time: irsa-sync's fields were written into it (%w); run plan again", cm.Namespace, cm.Name, cm.Cluster, strings.Join(others, ", "), ErrNotOwned)
		}
		return nil
	})
}

// liveConfigMap reads the ConfigMap a change is about to write and refuses
// the write unless this owner holds it now, or the update adopts it as the
// file asked; a delete also needs irsa-sync to have created it. A create
// needs the name to be free still: a ConfigMap made since the plan is
// someone's, and server-side apply would merge into it silently. gone is
// set for a delete of one already deleted.
func (w *writer) liveConfigMap(client corev1client.CoreV1Interface, c plan.Change, cm *resource.ConfigMap) (live *corev1.ConfigMap, gone bool, err error) {
	what := fmt.Sprintf("ConfigMap %s/%s in cluster %q", cm.Namespace, cm.Name, cm.Cluster)
	err = w.read("read the owner of "+what, func(ctx context.Context) error {
		var err error
		live, err = client.ConfigMaps(cm.Namespace).Get(ctx, cm.Name, metav1.GetOptions{})
		return err
	})
	switch {
	case apierrors.IsNotFound(err) && c.Action == plan.Create:
		return nil, false, nil
	case apierrors.IsNotFound(err) && c.Action == plan.Delete:
		return nil, true, nil
	case apierrors.IsNotFound(err):
		return nil, false, fmt.Errorf("%s no longer exists: run plan again", what)
	case err != nil:
		return nil, false, err
	}
	owner := live.Annotations[resource.OwnerAnnotation]
	if c.Action == plan.Create {
		if owner != w.owner {
			return nil, false, fmt.Errorf("%s was created since the plan, by someone else (owner %q): it is not written (%w); run plan again", what, owner, ErrNotOwned)
		}
		return live, false, nil
	}
	if err := w.ownedOrAdopted(c, what, owner); err != nil {
		return nil, false, err
	}
	if c.Action == plan.Delete {
		if live.Annotations[resource.CreatedAnnotation] != "true" {
			return nil, false, fmt.Errorf("%s was not created by irsa-sync: it is not deleted (%w); run plan again", what, ErrNotOwned)
		}
		// The plan deletes only a ConfigMap nobody else manages a field of;
		// one someone has written to since keeps their fields.
		if others := otherManagers(live.ManagedFields); len(others) > 0 {
			return nil, false, fmt.Errorf("%s now has fields of %s too: it is not deleted (%w); run plan again, which removes only irsa-sync's fields", what, strings.Join(others, ", "), ErrNotOwned)
		}
	}
	return live, false, nil
}

// otherManagers are the field managers other than irsa-sync's, sorted.
func otherManagers(fields []metav1.ManagedFieldsEntry) []string {
	set := map[string]bool{}
	for _, mf := range fields {
		if mf.Manager != resource.FieldManager {
			set[mf.Manager] = true
		}
	}
	return resource.SortedKeys(set)
}

// changedConfigMap is the object a ConfigMap change writes: the desired
// one, or for a delete the live one.
func changedConfigMap(c plan.Change) *resource.ConfigMap {
	if c.Action == plan.Delete {
		return c.ConfigMap.Before
	}
	return c.ConfigMap.After
}

func describeCM(c plan.Change, cm *resource.ConfigMap) string {
	what := map[plan.Action]string{plan.Create: "create", plan.Update: "update", plan.Delete: "delete"}[c.Action]
	return fmt.Sprintf("%s ConfigMap %s/%s in cluster %q", what, cm.Namespace, cm.Name, cm.Cluster)
}

// writeConfigMap makes one ConfigMap change, or with dryRun asks the API
// server to check it without persisting anything. The apply names exactly
// the labels, annotations and data irsa-sync sets: server-side apply
// removes those it set before and no longer names, and leaves every other
// manager's fields alone. A resourceVersion, when given, makes the apply
// fail with a conflict if the object changed since its owner was checked.
func writeConfigMap(ctx context.Context, client corev1client.CoreV1Interface, c plan.Change, cm *resource.ConfigMap, resourceVersion string, dryRun bool) (*corev1.ConfigMap, error) {
	api := client.ConfigMaps(cm.Namespace)
	var dry []string
	if dryRun {
		dry = []string{metav1.DryRunAll}
	}
	if c.Action == plan.Delete {
		err := api.Delete(ctx, cm.Name, metav1.DeleteOptions{DryRun: dry})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	cfg := corev1ac.ConfigMap(cm.Name, cm.Namespace)
	if len(cm.Labels) > 0 {
		cfg = cfg.WithLabels(cm.Labels)
	}
	if len(cm.Annotations) > 0 {
		cfg = cfg.WithAnnotations(cm.Annotations)
	}
	if len(cm.Data) > 0 {
		cfg = cfg.WithData(cm.Data)
	}
	if resourceVersion != "" {
		cfg = cfg.WithResourceVersion(resourceVersion)
	}
	// Force: the owner was checked (this owner's, or adopted as the file
	// says), and the apply names only irsa-sync's own fields, so forcing
	// takes back exactly what someone edited by hand ("the next apply
	// rewrites any edit") and nothing else.
	return api.Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: resource.FieldManager, Force: true, DryRun: dry})
}
