package live

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// unfinishedPods selects pods that may still run: the pod identity webhook
// set their credentials when they were created, so until they end they keep
// the role their ServiceAccount named then. Pending pods count too: they
// were mutated already.
const unfinishedPods = "status.phase!=" + string(corev1.PodSucceeded) + ",status.phase!=" + string(corev1.PodFailed)

// PodsUsing returns, for each of the given ServiceAccounts ("ns/name") that
// unfinished pods use, those pods' names, sorted. It lists pods only in the
// namespaces of sas, one paged list per namespace whatever the number of
// ServiceAccounts in it (narrowed to the ServiceAccount by a field selector
// when the namespace has just one), never a call per pod or per
// ServiceAccount. All of sas are of one cluster.
func PodsUsing(ctx context.Context, kube corev1client.CoreV1Interface, sas []resource.ServiceAccount) (map[string][]string, error) {
	out := map[string][]string{}
	if len(sas) == 0 {
		return out, nil
	}
	byNamespace := map[string]map[string]bool{}
	for _, sa := range sas {
		if byNamespace[sa.Namespace] == nil {
			byNamespace[sa.Namespace] = map[string]bool{}
		}
		byNamespace[sa.Namespace][sa.Name] = true
	}
	for _, ns := range resource.SortedKeys(byNamespace) {
		names := byNamespace[ns]
		opts := metav1.ListOptions{Limit: listPageSize, FieldSelector: unfinishedPods}
		if len(names) == 1 {
			opts.FieldSelector += ",spec.serviceAccountName=" + resource.SortedKeys(names)[0]
		}
		for {
			pods, err := kube.Pods(ns).List(ctx, opts)
			if err != nil {
				return nil, fmt.Errorf("cluster %q: list pods in namespace %q (to find those keeping an old role): %w", sas[0].Cluster, ns, err)
			}
			for _, p := range pods.Items {
				// Selectors are checked again here: not every server (the
				// sandbox's in-memory one) applies field selectors.
				if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
					continue
				}
				sa := p.Spec.ServiceAccountName
				if sa == "" {
					sa = "default" // what admission sets when a pod names none
				}
				if names[sa] {
					out[ns+"/"+sa] = append(out[ns+"/"+sa], p.Name)
				}
			}
			if opts.Continue = pods.Continue; opts.Continue == "" {
				break
			}
		}
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out, nil
}
