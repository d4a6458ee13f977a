package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/render"
)

type applyOptions struct {
	Output      string
	Prune       bool
	Parallelism int
}

func newApplyCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Make the live state match the bindings file",
		Long: `apply computes the plan, prints it, and applies it without prompting (it is
meant for CI jobs and CronJobs). It refuses to start, writing nothing, when the
plan has conflicts or errors. Writes run in dependency order (OIDC provider,
policy, role, attachments, ServiceAccount; the reverse for deletes), and a
second apply of an unchanged file writes nothing. After a partial failure it
prints what was done and what failed and exits 1; running it again converges.`,
		Example: `  irsa-sync apply -f bindings.yaml
  irsa-sync apply -f examples/bindings.yaml --sandbox .sandbox
  irsa-sync apply --prune --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApply(cmd, g, o, streams)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.Prune, "prune", false, "delete this owner's objects the file no longer declares")
	cmd.Flags().IntVar(&o.Parallelism, "parallelism", 10, "writes in flight at once")
	return cmd
}

// applyOutput is apply's JSON output: the plan and one result per change.
type applyOutput struct {
	Plan    *plan.Plan     `json:"plan"`
	Results []apply.Result `json:"results"`
	Summary applySummary   `json:"summary"`
	Error   string         `json:"error,omitempty"`
}

type applySummary struct {
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

func runApply(cmd *cobra.Command, g *globalOptions, o *applyOptions, streams IO) (err error) {
	if o.Output != "text" && o.Output != "json" {
		return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for apply: use text or json", o.Output)}
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
	p, err := s.plan(ctx, plan.Options{Prune: o.Prune})
	if err != nil {
		return err
	}
	text := o.Output == "text"
	if text {
		r, _ := render.For("text", render.Options{Color: colorful(streams.Out)})
		if err := r.Render(streams.Out, p); err != nil {
			return err
		}
	}
	opts := apply.Options{Parallelism: o.Parallelism}
	if text {
		opts.OnResult = func(r apply.Result) { printResult(streams.Out, r) }
	}
	if text && !p.Empty() && !p.Blocked() {
		fmt.Fprintln(streams.Out, "\nApplying:")
	}
	report, runErr := apply.Run(ctx, p, apply.Clients{IAM: s.clients.IAM, Kube: s.clients.Kube}, opts)
	sum := applySummary{Applied: report.Count(apply.Applied), Failed: report.Count(apply.Failed), Skipped: report.Count(apply.Skipped)}
	if !text {
		out := applyOutput{Plan: p, Results: report.Results, Summary: sum}
		if out.Results == nil {
			out.Results = []apply.Result{}
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
		s := p.Summary()
		if p.Empty() {
			fmt.Fprintln(streams.Out, "\nNothing to apply.")
		} else {
			fmt.Fprintf(streams.Out, "\nApply complete: %d added, %d changed, %d deleted.\n", s.Add, s.Change, s.Delete)
			for _, c := range p.Changes {
				if c.Action == plan.Create && c.Kind == "role" {
					fmt.Fprintln(streams.Out, "Note: a new role can take 10-30 seconds before pods can assume it (IAM is eventually consistent).")
					break
				}
			}
		}
	}
	return nil
}

func printResult(w io.Writer, r apply.Result) {
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
