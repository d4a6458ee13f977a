package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// preflight asks each cluster's API server to dry-run every ServiceAccount
// write of the plan before the first real write of the run. ServiceAccounts
// are written last, after the IAM objects they name; without this, an
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
		if c.Kind != resource.KindServiceAccount {
			continue
		}
		sa := changedServiceAccount(c)
		client := r.clients.Kube[sa.Cluster]
		if client == nil {
			// Under the lock: dry runs started above append concurrently.
			mu.Lock()
			errs = append(errs, fmt.Errorf("no Kubernetes client for cluster %q", sa.Cluster))
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
			if err := writeServiceAccount(cctx, client, c, sa, true); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s (dry run): %w", describeSA(c, sa), err))
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

// ErrPreflight is returned, before any write, when a cluster refuses a dry
// run of a ServiceAccount write the plan needs.
var ErrPreflight = errors.New("a cluster refused a ServiceAccount change in a dry run, so nothing was written")
