// Package reconcile is irsa-sync's one pipeline entry point: read the live
// state, build the desired state from the file, compute the plan, and name
// the running pods a change leaves on an old role. The CLI's plan, apply,
// explain and saved-plan check, and every test rig, call Plan, so tests run
// the path users run and the steps cannot drift apart (as external-dns has
// controller.RunOnce).
package reconcile

import (
	"context"
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// Options tune one run of the pipeline.
type Options struct {
	// Prune turns deletes of objects this owner holds and the file no
	// longer declares into changes.
	Prune bool
	// Read tunes the live readers.
	Read live.Options
	// SkipPods leaves out the pod listing that names the pods keeping an
	// old role; for callers that only need the trusts (explain).
	SkipPods bool
}

// Result is a plan with the desired and live states it was computed from.
type Result struct {
	Plan    *plan.Plan
	Desired *desired.State
	Live    *state.Live
}

// ReadError is a failure to read the live state: nothing was written.
type ReadError struct{ Err error }

func (e *ReadError) Error() string {
	return "read the live state (nothing was written): " + e.Err.Error()
}
func (e *ReadError) Unwrap() error { return e.Err }

// Plan runs the pipeline for f through clients. It writes nothing.
func Plan(ctx context.Context, f *config.File, clients *connect.Clients, opts Options) (*Result, error) {
	have, err := live.Read(ctx, f, clients, opts.Read)
	if err != nil {
		return nil, &ReadError{Err: err}
	}
	want, err := desired.Build(f, have.Issuers(), have.Partitions())
	if err != nil {
		return nil, err
	}
	p := plan.Compute(want, have, plan.Options{Prune: opts.Prune, MaxTrustedNamespaces: f.Settings.MaxTrustedNamespaces})
	if !opts.SkipPods {
		if err := notePods(ctx, clients, p); err != nil {
			return nil, err
		}
	}
	return &Result{Plan: p, Desired: want, Live: have}, nil
}

// notePods names, on each ServiceAccount whose role changes, the running
// pods that keep the old role until restarted: the webhook sets credentials
// only on pods it creates. Pods are listed only in the namespaces of those
// ServiceAccounts, one paged list per namespace.
func notePods(ctx context.Context, clients *connect.Clients, p *plan.Plan) error {
	pods := map[string]map[string][]string{}
	for cluster, sas := range plan.RoleChanges(p) {
		got, err := live.PodsUsing(ctx, clients.Kube[cluster], sas)
		if err != nil {
			return &ReadError{Err: fmt.Errorf("cluster %q: %w", cluster, err)}
		}
		pods[cluster] = got
	}
	plan.NotePods(p, pods)
	return nil
}
