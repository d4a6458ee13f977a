package live

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// ConfigMapOptions say which ConfigMaps a cluster's read needs.
type ConfigMapOptions struct {
	// Declared are the file's profile ConfigMaps in this cluster, as
	// "namespace/name".
	Declared []string
	// Required makes a refused list an error: the file declares profile
	// ConfigMaps here. Otherwise a cluster whose RBAC grants no ConfigMaps
	// (irsa-sync needs them only for role chain profiles) is read without
	// them and cl.ConfigMaps stays nil, even with --prune: an identity
	// that may not list ConfigMaps cannot have written any either.
	Required bool
}

// DeclaredConfigMaps are the file's profile ConfigMaps, by cluster, as
// "namespace/name".
func DeclaredConfigMaps(f *config.File) map[string][]string {
	out := map[string][]string{}
	for _, r := range f.Roles {
		for _, src := range r.AssumedFrom {
			if cm := src.ProfileConfigMap; cm != nil {
				out[cm.Cluster] = append(out[cm.Cluster], cm.Namespace+"/"+cm.Name)
			}
		}
	}
	return out
}

// ReadConfigMaps reads the ConfigMaps irsa-sync may manage in a cluster
// into cl.ConfigMaps: one paged list selected by irsa-sync's label (resource.ManagedLabel)
// (never the cluster's other ConfigMaps, whose data irsa-sync has no
// reason to read), plus a GET for each declared one the list did not
// return, so that a ConfigMap of that name made by someone else shows as a
// conflict in the plan rather than at apply. Once irsa-sync has written
// them, the declared ones are in the list and there are no GETs.
func ReadConfigMaps(ctx context.Context, client corev1client.CoreV1Interface, cl *state.Cluster, opts ConfigMapOptions) error {
	found := map[string]state.ConfigMap{}
	list := metav1.ListOptions{Limit: listPageSize, LabelSelector: resource.ManagedLabel + "=" + resource.ManagedValue}
	for {
		cms, err := client.ConfigMaps(metav1.NamespaceAll).List(ctx, list)
		if apierrors.IsForbidden(err) && !opts.Required {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cluster %q: list the ConfigMaps labelled %s=%s: %w", cl.Name, resource.ManagedLabel, resource.ManagedValue, err)
		}
		for i := range cms.Items {
			obj := liveConfigMap(cl.Name, &cms.Items[i])
			found[obj.Key()] = obj
		}
		if list.Continue = cms.Continue; list.Continue == "" {
			break
		}
	}
	for _, key := range opts.Declared {
		if _, ok := found[key]; ok {
			continue
		}
		ns, name, _ := strings.Cut(key, "/")
		cm, err := client.ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cluster %q: read ConfigMap %s: %w", cl.Name, key, err)
		}
		found[key] = liveConfigMap(cl.Name, cm)
	}
	cl.ConfigMaps = found
	return nil
}

func liveConfigMap(cluster string, cm *corev1.ConfigMap) state.ConfigMap {
	managers, owned := managedFields(cm.ManagedFields)
	return state.ConfigMap{
		ConfigMap: resource.ConfigMap{Cluster: cluster, Namespace: cm.Namespace, Name: cm.Name,
			Labels: cm.Labels, Annotations: cm.Annotations, Data: cm.Data},
		Managers: managers,
		Owned:    owned,
	}
}
