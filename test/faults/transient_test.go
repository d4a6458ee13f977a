package faults

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
)

// cleanSnapshot is the state a fault-free apply of the example leaves.
func cleanSnapshot(t *testing.T) []string {
	t.Helper()
	r := newRig(t, example)
	if _, _, err := r.apply(context.Background(), fastApply); err != nil {
		t.Fatalf("clean apply: %v", err)
	}
	return r.snapshot()
}

// coin flips with a fixed seed, safely from concurrent handlers: the runs
// are repeatable up to the order in which concurrent calls arrive.
type coin struct {
	mu  sync.Mutex
	rnd *rand.Rand
	p   float64
}

func newCoin(p float64) *coin { return &coin{rnd: rand.New(rand.NewPCG(5, 5)), p: p} }

func (c *coin) flip() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rnd.Float64() < c.p
}

// throttleCode is the code each service throttles with.
func throttleCode(service string) *emulator.APIError {
	if service == "eks" {
		return &emulator.APIError{Status: 429, Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return &emulator.APIError{Status: 400, Code: "Throttling", Message: "Rate exceeded"}
}

// TestTransientFaultsConverge applies the example from empty while 30% of
// every call (reads and writes, IAM, STS and EKS) fails transiently. Every
// change must be applied in one run, the state must equal a fault-free
// apply's, and apply's count of retries must equal the faults injected into
// its writes.
func TestTransientFaultsConverge(t *testing.T) {
	want := cleanSnapshot(t)
	tests := []struct {
		name string
		api  func(service string) *emulator.APIError // an API error to return
		net  func(c *coin) transportFault            // or a transport fault
	}{
		{name: "throttling", api: throttleCode},
		{name: "http 500", api: func(string) *emulator.APIError {
			return &emulator.APIError{Status: 500, Code: "ServiceFailure", Message: "internal error"}
		}},
		{name: "http 503", api: func(string) *emulator.APIError {
			return &emulator.APIError{Status: 503, Code: "ServiceUnavailable", Message: "unavailable"}
		}},
		{name: "connection reset", net: func(*coin) transportFault { return transportFault{resetBefore: true} }},
		{name: "response lost after the write", net: func(*coin) transportFault { return transportFault{dropResponse: true} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, example)
			c := newCoin(0.3)
			var mu sync.Mutex
			injected := map[string]int{} // "all" and "writes"
			count := func(act string) {
				mu.Lock()
				injected["all"]++
				if isWrite(act) {
					injected["writes"]++
				}
				mu.Unlock()
			}
			if tt.api != nil {
				r.sb.Emulator.SetFault(func(service, act string) error {
					if !c.flip() {
						return nil
					}
					count(act)
					return tt.api(service)
				})
			} else {
				r.setNetwork(func(_ *http.Request, act string) transportFault {
					if !c.flip() {
						return transportFault{}
					}
					count(act)
					return tt.net(c)
				})
			}
			start := time.Now()
			p, rep, err := r.apply(context.Background(), fastApply)
			if err != nil {
				t.Fatalf("apply at 30%% %s: %v", tt.name, err)
			}
			if got := rep.Count(apply.Applied); got != len(p.Changes) || got == 0 {
				t.Errorf("applied %d of %d changes", got, len(p.Changes))
			}
			r.sb.Emulator.SetFault(nil)
			r.setNetwork(nil)
			if diff := cmp.Diff(want, r.snapshot()); diff != "" {
				t.Errorf("state after faults differs from a clean apply (-clean +faults):\n%s", diff)
			}
			r.mustBeInSync()
			mu.Lock()
			defer mu.Unlock()
			if injected["all"] == 0 {
				t.Fatal("no fault was injected: the test proves nothing")
			}
			// A lost response of a create is retried and meets
			// EntityAlreadyExists, which apply settles by re-reading:
			// those re-reads are apply's own calls, not retries.
			if tt.name != "response lost after the write" && rep.Retries() != injected["writes"] {
				t.Errorf("apply reports %d retries, %d faults were injected into writes", rep.Retries(), injected["writes"])
			}
			t.Logf("RESULT fault=%q rate=30%% changes=%d injected=%d (writes %d) apply-retries=%d time=%s outcome=converged",
				tt.name, len(p.Changes), injected["all"], injected["writes"], rep.Retries(), time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestLatencyConverges adds 25ms to every call.
func TestLatencyConverges(t *testing.T) {
	want := cleanSnapshot(t)
	r := newRig(t, example)
	r.setNetwork(func(*http.Request, string) transportFault { return transportFault{delay: 25 * time.Millisecond} })
	if _, _, err := r.apply(context.Background(), fastApply); err != nil {
		t.Fatalf("apply with latency: %v", err)
	}
	if diff := cmp.Diff(want, r.snapshot()); diff != "" {
		t.Errorf("state differs from a clean apply (-clean +latency):\n%s", diff)
	}
}

// TestHangingCallTimesOut makes the first CreateRole hang past apply's
// CallTimeout: that change fails naming the timeout, the service accounts
// of that role are skipped naming it (those of the other role are
// applied), and a rerun converges.
func TestHangingCallTimesOut(t *testing.T) {
	want := cleanSnapshot(t)
	r := newRig(t, example)
	var once sync.Once
	r.setNetwork(func(_ *http.Request, act string) transportFault {
		hang := false
		if act == "CreateRole" {
			once.Do(func() { hang = true })
		}
		if hang {
			return transportFault{delay: time.Minute}
		}
		return transportFault{}
	})
	opts := fastApply
	opts.CallTimeout = 500 * time.Millisecond
	start := time.Now()
	p, rep, err := r.apply(context.Background(), opts)
	if err == nil {
		t.Fatal("apply with a hanging call succeeded")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("apply took %s: the hang was not bounded by CallTimeout", d)
	}
	var failed []apply.Result
	var failedRole string // its ARN
	for i, res := range rep.Results {
		if res.Status == apply.Failed {
			failed = append(failed, res)
			failedRole = p.Changes[i].Role.After.ARN
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "create role") || !strings.Contains(failed[0].Error, "no answer within 500ms") {
		t.Fatalf("failed changes = %+v, want one create role failing with the call timeout", failed)
	}
	for i, res := range rep.Results {
		if res.Kind != "serviceaccount" {
			continue
		}
		ownRole := p.Changes[i].ServiceAccount.After.Annotations["eks.amazonaws.com/role-arn"] == failedRole
		switch {
		case ownRole && (res.Status != apply.Skipped || res.WaitedOn != failed[0].Address):
			t.Errorf("%s: %s waiting on %q, want skipped waiting on %s", res.Address, res.Status, res.WaitedOn, failed[0].Address)
		case !ownRole && res.Status != apply.Applied:
			t.Errorf("%s: %s, want applied: its role did not fail", res.Address, res.Status)
		}
	}
	r.mustConverge()
	if diff := cmp.Diff(want, r.snapshot()); diff != "" {
		t.Errorf("state after rerun differs from a clean apply (-clean +rerun):\n%s", diff)
	}
}
