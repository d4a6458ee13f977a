package faults

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/apply"
)

// writeCounter counts writes to AWS (the emulator's fault hook) and to the
// clusters (the sandbox clusters' reactors) in one sequence, and runs a
// function at the k-th.
type writeCounter struct {
	n    atomic.Int64
	at   int64
	fire func()
}

func (w *writeCounter) install(r *rig) {
	r.sb.Emulator.SetFault(func(_, act string) error {
		if isWrite(act) {
			w.hit()
		}
		return nil
	})
	r.onKubeWrite(func(string) { w.hit() })
}

func (w *writeCounter) hit() {
	if w.n.Add(1) == w.at && w.fire != nil {
		w.fire()
	}
}

// TestCrashAtEveryWrite stops an apply of the example right after its k-th
// write, for every k a clean apply makes, and reruns apply without faults:
// the state must equal a clean apply's every time. Cancelling the context
// from the write's own hook is the worst moment: the write is in flight,
// and apply must let it finish and start nothing after it.
func TestCrashAtEveryWrite(t *testing.T) {
	clean := newRig(t, example)
	counter := &writeCounter{}
	counter.install(clean)
	if _, _, err := clean.apply(context.Background(), fastApply); err != nil {
		t.Fatalf("clean apply: %v", err)
	}
	writes := int(counter.n.Load())
	want := clean.snapshot()
	// docs/reliability.md cites this number of crash points: update it too
	// when the example or apply's writes change.
	if writes != 19 {
		t.Fatalf("a clean apply of the example made %d writes, want 19", writes)
	}
	for k := 1; k <= writes; k++ {
		r := newRig(t, example)
		ctx, cancel := context.WithCancel(context.Background())
		wc := &writeCounter{at: int64(k), fire: cancel}
		wc.install(r)
		_, rep, err := r.apply(ctx, fastApply)
		cancel()
		made := int(wc.n.Load())
		if k < writes && err == nil {
			t.Errorf("k=%d: apply cancelled at write %d reported success", k, k)
		}
		// The write in flight finishes; writes in flight in parallel
		// with it may too, but nothing starts after the cancel.
		if made < k || made > k+parallelWrites(rep) {
			t.Errorf("k=%d: %d writes were made after cancelling at write %d", k, made, k)
		}
		r.mustConverge()
		if diff := cmp.Diff(want, r.snapshot()); diff != "" {
			t.Errorf("k=%d: state after crash and rerun differs from a clean apply (-clean +rerun):\n%s", k, diff)
		}
	}
	t.Logf("RESULT crash points=%d, all converged to the clean state", writes)
}

// parallelWrites bounds the writes that may have been in flight with the
// cancelled one: one per change that was running.
func parallelWrites(rep *apply.Report) int {
	if rep == nil {
		return 0
	}
	n := 0
	for _, res := range rep.Results {
		if res.Writes > 0 {
			n++
		}
	}
	return n
}

// TestConcurrentApplies runs two applies of the example at once on the same
// sandbox, each with its own clients, both planned from the empty state so
// that both try every create. Both must succeed (the loser of each race
// re-reads and finishes), and the state must equal a single clean apply's.
func TestConcurrentApplies(t *testing.T) {
	want := cleanSnapshot(t)
	r := newRig(t, example)
	type run struct {
		rep *apply.Report
		err error
	}
	var wg sync.WaitGroup
	var results [2]run
	start := make(chan struct{})
	for i := range 2 {
		c := r.clients()
		p, err := r.plan(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rep, err := apply.Run(context.Background(), p, apply.Clients{IAM: c.IAM, Kube: c.Kube, EKS: c.EKS}, fastApply)
			results[i] = run{rep, err}
		}()
	}
	close(start)
	wg.Wait()
	for i, res := range results {
		if res.err != nil {
			t.Errorf("apply %d: %v", i+1, res.err)
		}
	}
	calls := r.sb.Emulator.Calls()
	if calls["iam:CreateRole"] < 4 || calls["iam:CreatePolicy"] < 2 {
		t.Errorf("the two applies did not both create (CreateRole %d, CreatePolicy %d): there was no race to test", calls["iam:CreateRole"], calls["iam:CreatePolicy"])
	}
	if diff := cmp.Diff(want, r.snapshot()); diff != "" {
		t.Errorf("state after two concurrent applies differs from one clean apply (-clean +concurrent):\n%s", diff)
	}
	r.mustBeInSync()
	t.Logf("RESULT concurrent applies=2, creates raced: CreateRole %d, CreatePolicy %d, CreateOpenIDConnectProvider %d; both succeeded, state equals a clean apply",
		calls["iam:CreateRole"], calls["iam:CreatePolicy"], calls["iam:CreateOpenIDConnectProvider"])
}

// TestLostCreateResponses drops the answer of the first create of each kind
// after IAM made the object: the SDK retries, meets EntityAlreadyExists,
// and apply finishes the change from what it re-reads.
func TestLostCreateResponses(t *testing.T) {
	want := cleanSnapshot(t)
	r := newRig(t, example)
	var mu sync.Mutex
	dropped := map[string]bool{}
	r.setNetwork(func(_ *http.Request, act string) transportFault {
		mu.Lock()
		defer mu.Unlock()
		switch act {
		case "CreateRole", "CreatePolicy", "CreateOpenIDConnectProvider":
			if !dropped[act] {
				dropped[act] = true
				return transportFault{dropResponse: true}
			}
		}
		return transportFault{}
	})
	if _, _, err := r.apply(context.Background(), fastApply); err != nil {
		t.Fatalf("apply with lost create responses: %v", err)
	}
	if len(dropped) != 3 {
		t.Fatalf("dropped responses of %v, want all three creates", dropped)
	}
	if diff := cmp.Diff(want, r.snapshot()); diff != "" {
		t.Errorf("state differs from a clean apply (-clean +lost):\n%s", diff)
	}
}
