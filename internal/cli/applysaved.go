package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/saved"
)

// savedRun is an apply of a saved plan.
type savedRun struct {
	path string
	sp   *saved.Plan
}

// loadSavedRun reads the saved plan before anything else, so that a bad
// plan file is reported before any credentials are needed. The bindings
// file is the saved plan's unless -f names another (a checkout elsewhere);
// --prune is the saved plan's, and giving it again is refused rather than
// silently ignored.
func loadSavedRun(cmd *cobra.Command, g *globalOptions, o *applyOptions) (*savedRun, error) {
	sp, err := saved.Read(o.SavedPlan)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%w; nothing was read or written", err)}
	}
	if cmd.Flags().Changed("prune") {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--prune cannot be given with a saved plan: the plan was saved with prune=%t, and apply uses exactly that", sp.Options.Prune)}
	}
	if !cmd.Flags().Changed("file") {
		g.Files = sp.File.Paths
	}
	o.Prune = sp.Options.Prune
	return &savedRun{path: o.SavedPlan, sp: sp}, nil
}

// plan reads the live state again, checks that nothing the saved plan was
// computed from moved and that every saved change is exactly what irsa-sync
// computes now, and returns those freshly computed changes to apply: what
// runs is never read from the file.
func (r *savedRun) plan(ctx context.Context, s *session, streams IO) (*plan.Plan, error) {
	if err := r.sp.CheckOwner(s.file); err != nil {
		return nil, r.refuse(err)
	}
	fresh, err := s.plan(ctx, reconcile.Options{Prune: r.sp.Options.Prune})
	if err != nil {
		return nil, err
	}
	p, err := saved.Check(r.sp, s.digest, fresh)
	if err != nil {
		var stale *saved.StaleError
		if errors.As(err, &stale) {
			for _, m := range stale.Moved {
				s.log.Error("saved plan is stale", "plan", r.path, "moved", m)
			}
		}
		return nil, r.refuse(err)
	}
	if extra := saved.Extra(r.sp, fresh); len(extra) > 0 {
		// Not a reason to refuse: what was reviewed is still exactly
		// right. The rest waits for the next plan.
		s.log.Warn("the live state has differences the saved plan does not include", "plan", r.path, "changes", strings.Join(extra, ", "))
		fmt.Fprintf(streams.ErrOut, "Note: %d more differences since the plan was saved are not applied (%s); plan again to review them.\n", len(extra), strings.Join(extra, ", "))
	}
	s.log.Info("applying saved plan", "plan", r.path, "changes", len(p.Changes))
	return p, nil
}

func (r *savedRun) refuse(err error) error {
	return &exitError{code: ExitError, err: fmt.Errorf("apply %s refused; nothing was written:\n%w\nRun `irsa-sync plan --out %s` again and review the new plan", r.path, err, r.path)}
}
