package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/internal/verify"
)

type applyOptions struct {
	Output      string
	Prune       bool
	Parallelism int
	Rate        float64
	// SavedPlan is the positional argument: a plan saved by plan --out.
	SavedPlan string
	// Verify runs verify (verify.go) after a successful apply.
	Verify bool
}

func newApplyCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [SAVED-PLAN]",
		Short: "Make the live state match the bindings file",
		Long: `apply computes the plan, prints it, and applies it without prompting (it is
meant for CI jobs and CronJobs). It refuses to start, writing nothing, when the
plan has conflicts or errors. Writes run in dependency order (OIDC provider,
policy, role, attachments, ServiceAccount; the reverse for deletes), and a
second apply of an unchanged file writes nothing. A failed change holds back
only the changes that depend on it (its role's ServiceAccounts, say); the rest
still run. After a partial failure it prints what was done, what failed and
what each skipped change waited on, and exits 1; running it again converges.

Given a plan saved by "plan --out FILE", apply reads the bindings file (the
saved plan's path, or -f) and the live state again, and applies exactly the
saved changes; it refuses, exit 1 and nothing written, naming what moved, if
the file or any live object a change was computed from changed since.`,
		Example: `  irsa-sync apply -f bindings.yaml
  irsa-sync apply -f examples/bindings.yaml --sandbox .sandbox
  irsa-sync apply --prune --output json --log-format json
  irsa-sync plan --out plan.json && irsa-sync apply plan.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.SavedPlan = args[0]
			}
			return runApply(cmd, g, o, streams)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.Prune, "prune", false, "delete this owner's objects the file no longer declares")
	cmd.Flags().IntVar(&o.Parallelism, "parallelism", 10, "changes in flight at once in each account and in each cluster")
	cmd.Flags().Float64Var(&o.Rate, "rate", 10, "IAM writes per second per account, to stay under IAM's throttling")
	cmd.Flags().BoolVar(&o.Verify, "verify", false, "after a successful apply, prove every binding as verify does (needs create on serviceaccounts/token); with --output json its document follows apply's")
	return cmd
}

func runApply(cmd *cobra.Command, g *globalOptions, o *applyOptions, streams IO) (err error) {
	switch {
	case o.Output != "text" && o.Output != "json":
		return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for apply: use text or json", o.Output)}
	case o.Parallelism < 1:
		return &exitError{code: ExitError, err: fmt.Errorf("--parallelism is %d: use 1 or more", o.Parallelism)}
	case !(o.Rate > 0) || math.IsInf(o.Rate, 1):
		// !(> 0) also catches NaN, which compares false with everything.
		return &exitError{code: ExitError, err: fmt.Errorf("--rate is %g: use a positive, finite number of writes per second", o.Rate)}
	}
	var sp *savedRun
	if o.SavedPlan != "" {
		if sp, err = loadSavedRun(cmd, g, o); err != nil {
			return err
		}
	}
	ctx, cancel := withTimeout(cmd.Context(), g.Timeout)
	defer cancel()
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var p *plan.Plan
	if sp != nil {
		p, err = sp.plan(ctx, s, streams)
	} else {
		p, err = s.plan(ctx, reconcile.Options{Prune: o.Prune})
	}
	if err != nil {
		return err
	}
	if err := applyPlan(ctx, s, p, o, streams); err != nil || !o.Verify {
		return err
	}
	if o.Output == "text" {
		fmt.Fprintln(streams.Out, "\nVerifying:")
	}
	return s.verify(ctx, &verifyOptions{Output: o.Output, Wait: verify.DefaultWait}, streams)
}

// applyPlan prints p, applies it and reports, as text or as one JSON object.
func applyPlan(ctx context.Context, s *session, p *plan.Plan, o *applyOptions, streams IO) error {
	text := o.Output == "text"
	if text {
		r, _ := render.For("text", render.Options{Color: colorful(streams.Out)})
		if err := r.Render(streams.Out, p); err != nil {
			return err
		}
	}
	progress := newApplyProgress(len(p.Changes), time.Now)
	opts := apply.Options{Parallelism: o.Parallelism, WritesPerSecond: o.Rate, OnResult: func(r apply.Result) {
		progress.add(r)
		logResult(s.log, r)
		if text {
			printResult(s.status, streams.Out, r)
		}
		s.status.Set("%s", progress.figures().line())
	}}
	if text && !p.Empty() && !p.Blocked() {
		fmt.Fprintln(streams.Out, "\nApplying:")
	}
	start := time.Now()
	s.timed.resetAll()
	stopLog := logProgressEvery(s.log, progress, progressLogInterval)
	report, runErr := apply.Run(ctx, p, apply.Clients{IAM: s.clients.IAM, Kube: s.clients.Kube, EKS: s.clients.EKS}, opts)
	stopLog()
	s.status.Clear()
	logApply(s.log, report, time.Since(start), runErr)
	if !text {
		if err := render.ApplyJSON(streams.Out, p, report, runErr); err != nil {
			return err
		}
	}
	switch {
	case errors.Is(runErr, apply.ErrBlocked):
		return &exitError{code: ExitError, err: fmt.Errorf("apply refused: %d conflicts and %d errors in the plan; nothing was written", len(p.Conflicts), len(p.Errors))}
	case runErr != nil:
		if text {
			fmt.Fprint(streams.Out, render.ApplyFailures(report))
		}
		return &exitError{code: ExitError, err: runErr}
	}
	if text {
		fmt.Fprint(streams.Out, render.ApplyDone(p, report))
	}
	return nil
}

// printResult prints one finished change on stdout; the progress line on a
// terminal is cleared first so that the two never share a line.
func printResult(line *statusLine, w io.Writer, r apply.Result) {
	line.Clear()
	fmt.Fprint(w, render.ResultLine(r))
}
