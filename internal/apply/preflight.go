package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// preflight asks each cluster's API server to dry-run every ServiceAccount
// and ConfigMap write of the plan before the first real write of the run.
// Kubernetes objects are written last, after the IAM objects they name; without this, an
// identity missing RBAC in one cluster (or an admission webhook refusing the
// object) would be found only after the roles had changed, leaving the run
// half applied. A server-side dry run goes through authorization, admission
// and validation and persists nothing.
func (r *runner) preflight(ctx context.Context, cs []plan.Change) error {
	sem := make(chan struct{}, r.opts.Parallelism)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, c := range cs {
		cluster, what, dryRun := kubeWrite(c)
		if dryRun == nil {
			continue
		}
		client := r.clients.Kube[cluster]
		if client == nil {
			// Under the lock: dry runs started above append concurrently.
			mu.Lock()
			errs = append(errs, fmt.Errorf("no Kubernetes client for cluster %q", cluster))
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
			defer cancel()
			if err := dryRun(cctx, client); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s (dry run): %w", what, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%w", ErrPreflight, errors.Join(errs...))
}

// kubeWrite returns, for a change of a Kubernetes object, its cluster, its
// description and its dry run; dryRun is nil for IAM and EKS changes.
func kubeWrite(c plan.Change) (cluster, what string, dryRun func(context.Context, corev1client.CoreV1Interface) error) {
	switch c.Kind {
	case resource.KindServiceAccount:
		sa := changedServiceAccount(c)
		return sa.Cluster, describeSA(c, sa), func(ctx context.Context, client corev1client.CoreV1Interface) error {
			return writeServiceAccount(ctx, client, c, sa, true)
		}
	case resource.KindConfigMap:
		cm := changedConfigMap(c)
		return cm.Cluster, describeCM(c, cm), func(ctx context.Context, client corev1client.CoreV1Interface) error {
			_, err := writeConfigMap(ctx, client, c, cm, "", true)
			return err
		}
	}
	return "", "", nil
}

// ErrPreflight is returned, before any write, when a cluster refuses a dry
// run of a ServiceAccount write the plan needs.
var ErrPreflight = errors.New("a cluster refused a ServiceAccount or ConfigMap change in a dry run, so nothing was written")
