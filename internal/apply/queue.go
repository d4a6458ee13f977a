package apply

import (
	"context"
	"sync"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// schedule runs a plan's changes as their dependencies allow, through one
// queue per account (IAM) and per cluster (Kubernetes), each with its own
// Parallelism workers. An account's workers wait only on that account's
// rate limiter, so while one account is at its rate another account's work
// goes on: the run takes as long as its busiest account, not the sum.
type schedule struct {
	r       *runner
	changes []plan.Change
	// waitsOn[i] are the changes i waits on; dependents the reverse.
	dependents [][]int
	pending    []int // dependencies of each change not yet applied

	mu        sync.Mutex
	results   []Result
	done      []bool
	remaining int
	queues    map[string]chan int
}

// queueOf names the queue a change runs in: its account, or its cluster.
func queueOf(c plan.Change) string {
	switch c.Kind {
	case resource.KindServiceAccount:
		return "cluster/" + changedServiceAccount(c).Cluster
	case resource.KindConfigMap:
		return "cluster/" + changedConfigMap(c).Cluster
	}
	return "account/" + c.AccountID()
}

func newSchedule(r *runner, cs []plan.Change, results []Result) *schedule {
	s := &schedule{r: r, changes: cs, results: results, dependents: make([][]int, len(cs)), pending: make([]int, len(cs)),
		done: make([]bool, len(cs)), remaining: len(cs), queues: map[string]chan int{}}
	for i, waits := range dependencies(cs) {
		s.pending[i] = len(waits)
		for _, j := range waits {
			s.dependents[j] = append(s.dependents[j], i)
		}
	}
	size := map[string]int{}
	for _, c := range cs {
		size[queueOf(c)]++
	}
	// Each queue can hold all of its changes, so handing one over never
	// blocks whoever finished its last dependency.
	for q, n := range size {
		s.queues[q] = make(chan int, n)
	}
	return s
}

// run applies every change and returns when each has a result. Cancelling
// ctx starts no new change; the ones not started are skipped.
func (s *schedule) run(ctx context.Context) {
	if len(s.changes) == 0 {
		return
	}
	var wg sync.WaitGroup
	for _, q := range s.queues {
		for range min(s.r.opts.Parallelism, cap(q)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range q {
					s.execute(ctx, i)
				}
			}()
		}
	}
	s.mu.Lock()
	for i := range s.changes {
		if s.pending[i] == 0 {
			s.enqueue(i)
		}
	}
	s.mu.Unlock()
	wg.Wait()
}

func (s *schedule) execute(ctx context.Context, i int) {
	c := s.changes[i]
	if ctx.Err() != nil {
		s.finish(i, skipped(c, ""))
		return
	}
	s.finish(i, s.r.runChange(ctx, c))
}

// enqueue hands a change whose dependencies are all applied to its queue.
// It is called with mu held.
func (s *schedule) enqueue(i int) {
	s.queues[queueOf(s.changes[i])] <- i
}

// finish records a result and releases or skips what waited on it: an
// applied change may let its dependents start; any other outcome skips all
// that depend on it, directly or not, naming the failure they waited on.
func (s *schedule) finish(i int, res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(i, res)
	if res.Status == Applied {
		for _, d := range s.dependents[i] {
			s.pending[d]--
			if s.pending[d] == 0 && !s.done[d] {
				s.enqueue(d)
			}
		}
	} else {
		// The failure they waited on: this change if it failed, else the
		// one it waited on; an interrupted run names none.
		cause := res.WaitedOn
		if res.Status == Failed {
			cause = res.Address
		}
		s.skipDependents(i, cause)
	}
	if s.remaining == 0 {
		for _, q := range s.queues {
			close(q)
		}
	}
}

func (s *schedule) skipDependents(i int, cause string) {
	for _, d := range s.dependents[i] {
		if s.done[d] {
			continue
		}
		s.record(d, skipped(s.changes[d], cause))
		s.skipDependents(d, cause)
	}
}

// record stores a result and reports it; with mu held, so OnResult calls
// are serialised.
func (s *schedule) record(i int, res Result) {
	s.results[i] = res
	s.done[i] = true
	s.remaining--
	if s.r.opts.OnResult != nil {
		s.r.opts.OnResult(res)
	}
}
