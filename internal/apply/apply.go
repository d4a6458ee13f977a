// Package apply carries out a plan: every write irsa-sync makes goes through
// here, in dependency order, with one result per change.
package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Clients are the writers for each account (by account id) and cluster (by
// name) a plan touches.
type Clients struct {
	IAM  map[string]awsapi.IAM
	Kube map[string]corev1client.CoreV1Interface
	// EKS writes Pod Identity associations, by cluster name.
	EKS map[string]awsapi.EKS
}

// Options tune how a plan is applied.
type Options struct {
	// Parallelism bounds the changes in flight at once in each account and
	// in each cluster; 0 means 10.
	Parallelism int
	// WritesPerSecond bounds IAM writes per account, so a large apply stays
	// under IAM's throttling instead of leaning on retries; 0 means 10. IAM
	// throttles each account on its own, so accounts are written at this
	// rate each, at the same time.
	WritesPerSecond float64
	// CallTimeout bounds each write once started, even after ctx is
	// cancelled, so an interrupted run finishes what is in flight; 0 means
	// one minute.
	CallTimeout time.Duration
	// OnResult, when set, is called as each change finishes (serialised).
	OnResult func(Result)
}

// Result, Status and Report are the plan package's plain outcome types, so
// that render can show an apply without importing this package's SDKs.
type (
	// Result is the outcome of one change.
	Result = plan.Result
	// Status says whether a change was applied, failed or skipped.
	Status = plan.Status
	// Report is the outcome of a run, one Result per change.
	Report = plan.Report
)

// Outcomes of a change.
const (
	Applied = plan.Applied
	Failed  = plan.Failed
	Skipped = plan.Skipped
)

// ErrBlocked is returned, before any write, for a plan with conflicts or errors.
var ErrBlocked = errors.New("the plan has conflicts or errors: nothing was applied")

// Run applies the plan's changes. Every ServiceAccount change is first
// dry-run in its cluster, so a refusal there stops the run before any write.
// Changes then run as a dependency graph (see dependencies): a provider
// before the roles trusting it, a policy before the roles attaching it, a
// role before its ServiceAccounts, and the reverse for deletes. Each account
// and each cluster has its own queue of Parallelism workers (see schedule).
// A failed change skips only the changes that depend on it, directly or
// not, each saying which failure it waited on; everything else still runs,
// and a rerun converges. Cancelling ctx starts no new write; writes in
// flight finish or time out. The report holds one result per change, in
// plan order.
func Run(ctx context.Context, p *plan.Plan, clients Clients, opts Options) (*Report, error) {
	if p.Blocked() {
		return &Report{}, ErrBlocked
	}
	for _, c := range p.Changes {
		if err := c.Check(); err != nil {
			return &Report{}, fmt.Errorf("%w: nothing was applied", err)
		}
	}
	r := newRunner(clients, opts)
	r.owner = p.Owner
	report := &Report{Results: make([]Result, len(p.Changes))}
	if err := r.preflight(ctx, p.Changes); err != nil {
		for i, c := range p.Changes {
			report.Results[i] = skipped(c, "")
		}
		return report, err
	}
	newSchedule(r, p.Changes, report.Results).run(ctx)
	failed := report.Count(Failed)
	switch {
	case ctx.Err() != nil:
		return report, fmt.Errorf("interrupted: %d of %d changes applied, %d failed, %d not started", report.Count(Applied), len(p.Changes), failed, report.Count(Skipped))
	case failed > 0:
		return report, fmt.Errorf("%d of %d changes failed, %d not started; %d applied: fix the cause and run apply again", failed, len(p.Changes), report.Count(Skipped), report.Count(Applied))
	}
	return report, nil
}

// skipped is the result of a change not started: waitedOn is the address
// of the failed change it depended on, "" when the run was interrupted.
func skipped(c plan.Change, waitedOn string) Result {
	return Result{Address: c.Address, Action: c.Action, Kind: c.Kind, Status: Skipped, WaitedOn: waitedOn}
}

type runner struct {
	// owner is the plan's owner: the only one whose objects are changed.
	owner    string
	clients  Clients
	opts     Options
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func newRunner(clients Clients, opts Options) *runner {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.WritesPerSecond <= 0 {
		opts.WritesPerSecond = 10
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = time.Minute
	}
	return &runner{clients: clients, opts: opts, limiters: map[string]*rate.Limiter{}}
}

func (r *runner) runChange(ctx context.Context, c plan.Change) Result {
	start := time.Now()
	w := &writer{runner: r, stop: ctx, change: c}
	var err error
	switch c.Kind {
	case resource.KindProvider:
		err = w.provider()
	case resource.KindPolicy:
		err = w.policy()
	case resource.KindRole:
		err = w.role()
	case resource.KindServiceAccount:
		err = w.serviceAccount()
	case resource.KindAssociation:
		err = w.association()
	case resource.KindConfigMap:
		err = w.configMap()
	default:
		err = fmt.Errorf("unknown kind %q", c.Kind)
	}
	res := Result{Address: c.Address, Action: c.Action, Kind: c.Kind, Status: Applied, Writes: w.writes, Retries: w.retries, Duration: time.Since(start), Notes: c.Notes}
	if err != nil {
		res.Status, res.Error = Failed, err.Error()
		if w.writes == 0 && ctx.Err() != nil {
			res.Status, res.Error = Skipped, ""
		}
	}
	return res
}

func (r *runner) limiter(account string) *rate.Limiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.limiters[account]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(r.opts.WritesPerSecond), 1)
		r.limiters[account] = l
	}
	return l
}

// writer makes the writes of one change, counting them.
type writer struct {
	*runner
	stop    context.Context
	change  plan.Change
	writes  int
	retries int
}

// call runs one write: it starts only while the run is not cancelled, waits
// for the account's rate limit, and then finishes on its own deadline even
// if the run is cancelled meanwhile, so no write is cut off halfway.
func (w *writer) call(account string, what string, fn func(ctx context.Context) error) error {
	if err := w.stop.Err(); err != nil {
		return err
	}
	if account != "" {
		if err := w.limiter(account).Wait(w.stop); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.stop), w.opts.CallTimeout)
	defer cancel()
	w.writes++
	var attempts atomic.Int64
	err := fn(awsapi.WithAttemptCounter(ctx, &attempts))
	if n := int(attempts.Load()); n > 1 {
		w.retries += n - 1
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("%s: no answer within %s (the call timeout); it may or may not have happened, and a rerun reads and settles it: %w", what, w.opts.CallTimeout, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
