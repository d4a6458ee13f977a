package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

type applyOptions struct {
	Output      string
	Prune       bool
	Parallelism int
	Rate        float64
	// SavedPlan is the positional argument: a plan saved by plan --out.
	SavedPlan string
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
second apply of an unchanged file writes nothing. After a partial failure it
prints what was done and what failed and exits 1; running it again converges.

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
	cmd.Flags().IntVar(&o.Parallelism, "parallelism", 10, "writes in flight at once")
	cmd.Flags().Float64Var(&o.Rate, "rate", 10, "IAM writes per second per account, to stay under IAM's throttling")
	return cmd
}

// applyOutput is apply's JSON output: the plan and one result per change.
type applyOutput struct {
	Plan    *plan.Plan   `json:"plan"`
	Results []jsonResult `json:"results"`
	Summary applySummary `json:"summary"`
	Error   string       `json:"error,omitempty"`
}

// jsonResult is one change's result with "error" always present (null when
// the change did not fail), so scripts index every result the same way.
type jsonResult struct {
	apply.Result
	Error *string `json:"error"`
}

type applySummary struct {
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

func runApply(cmd *cobra.Command, g *globalOptions, o *applyOptions, streams IO) (err error) {
	switch {
	case o.Output != "text" && o.Output != "json":
		return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for apply: use text or json", o.Output)}
	case o.Parallelism < 1:
		return &exitError{code: ExitError, err: fmt.Errorf("--parallelism is %d: use 1 or more", o.Parallelism)}
	case o.Rate <= 0:
		return &exitError{code: ExitError, err: fmt.Errorf("--rate is %g: use a positive number of writes per second", o.Rate)}
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
	return applyPlan(ctx, s, p, o, streams)
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
	done, total := 0, len(p.Changes)
	opts := apply.Options{Parallelism: o.Parallelism, WritesPerSecond: o.Rate, OnResult: func(r apply.Result) {
		done++
		logResult(s.log, r)
		if text {
			printResult(s.status, streams.Out, r)
		}
		s.status.Set("Applying: %d of %d changes done", done, total)
	}}
	if text && !p.Empty() && !p.Blocked() {
		fmt.Fprintln(streams.Out, "\nApplying:")
	}
	start := time.Now()
	s.timed.resetAll()
	report, runErr := apply.Run(ctx, p, apply.Clients{IAM: s.clients.IAM, Kube: s.clients.Kube}, opts)
	s.status.Clear()
	logApply(s.log, report, time.Since(start), runErr)
	sum := applySummary{Applied: report.Count(apply.Applied), Failed: report.Count(apply.Failed), Skipped: report.Count(apply.Skipped)}
	if !text {
		out := applyOutput{Plan: p, Results: []jsonResult{}, Summary: sum}
		for _, r := range report.Results {
			jr := jsonResult{Result: r}
			if r.Error != "" {
				jr.Error = &r.Error
			}
			out.Results = append(out.Results, jr)
		}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	switch {
	case errors.Is(runErr, apply.ErrBlocked):
		return &exitError{code: ExitError, err: fmt.Errorf("apply refused: %d conflicts and %d errors in the plan; nothing was written", len(p.Conflicts), len(p.Errors))}
	case runErr != nil:
		if text {
			printFailures(streams.Out, report)
		}
		return &exitError{code: ExitError, err: runErr}
	}
	if text {
		printDone(streams.Out, p, report)
	}
	return nil
}

func printDone(w io.Writer, p *plan.Plan, report *apply.Report) {
	if p.Empty() {
		fmt.Fprintln(w, "\nNothing to apply.")
		return
	}
	s := p.Summary()
	fmt.Fprintf(w, "\nApply complete: %d added, %d changed, %d deleted.\n", s.Add, s.Change, s.Delete)
	if n := report.Retries(); n > 0 {
		fmt.Fprintf(w, "AWS throttled or failed %d calls on the way; the SDK retried each of them.\n", n)
	}
	for _, c := range p.Changes {
		if c.Action == plan.Create && c.Kind == resource.KindRole {
			fmt.Fprintln(w, "Note: a new role can take 10-30 seconds before pods can assume it (IAM is eventually consistent).")
			break
		}
	}
	// The webhook gives credentials only to new pods: say which running
	// pods still hold the old role. irsa-sync restarts nothing itself.
	header := false
	for _, r := range report.Results {
		if r.Kind != resource.KindServiceAccount || r.Status != apply.Applied {
			continue
		}
		for _, n := range r.Notes {
			if strings.Contains(n, "running pod") {
				if !header {
					fmt.Fprintln(w, "Restart these pods to pick up the new role:")
					header = true
				}
				fmt.Fprintf(w, "  %s: %s\n", r.Address, n)
			}
		}
	}
}

// printResult prints one finished change on stdout; the progress line on a
// terminal is cleared first so that the two never share a line.
func printResult(line *statusLine, w io.Writer, r apply.Result) {
	line.Clear()
	mark := map[apply.Status]string{apply.Applied: "done", apply.Failed: "FAILED", apply.Skipped: "skipped"}[r.Status]
	fmt.Fprintf(w, "  %-7s %s %s (%d writes, %s)\n", mark, r.Action, r.Address, r.Writes, r.Duration.Round(time.Millisecond))
	if r.Error != "" {
		fmt.Fprintf(w, "          %s\n", r.Error)
	}
}

// printFailures summarises a partial apply: what was done, what failed, and
// what was not started, so nobody has to reconstruct it from the log.
func printFailures(w io.Writer, report *apply.Report) {
	fmt.Fprintln(w, "\nApply did not finish:")
	for _, st := range []apply.Status{apply.Applied, apply.Failed, apply.Skipped} {
		for _, r := range report.Results {
			if r.Status == st {
				line := fmt.Sprintf("  %-7s %s %s", st, r.Action, r.Address)
				if r.Error != "" {
					line += ": " + r.Error
				}
				fmt.Fprintln(w, line)
			}
		}
	}
}
