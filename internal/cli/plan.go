package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/render"
)

type planOptions struct {
	Output           string
	DetailedExitcode bool
	Prune            bool
}

func newPlanCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would create, change and delete",
		Long: `plan reads the live IAM, EKS and Kubernetes state and prints, field by field,
what apply would change so that it matches the bindings file. It writes nothing.

Exit codes: 0 success; 1 error (or conflicts that block apply); with
--detailed-exitcode, 2 when there are changes, for drift checks.`,
		Example: `  irsa-sync plan -f bindings.yaml
  irsa-sync plan --output markdown > plan.md
  irsa-sync plan --output json --detailed-exitcode   # 0 in sync, 2 drift, 1 error`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd, g, o, streams)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
	cmd.Flags().BoolVar(&o.Prune, "prune", false, "plan deletes of this owner's objects the file no longer declares")
	return cmd
}

func runPlan(cmd *cobra.Command, g *globalOptions, o *planOptions, streams IO) (err error) {
	r, err := render.For(o.Output, render.Options{Color: colorful(streams.Out)})
	if err != nil {
		return &exitError{code: ExitError, err: err}
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
	if err := r.Render(streams.Out, p); err != nil {
		return err
	}
	switch {
	case p.Blocked():
		return &exitError{code: ExitError, err: fmt.Errorf("the plan has %d conflicts and %d errors: apply would refuse to start", len(p.Conflicts), len(p.Errors))}
	case o.DetailedExitcode && !p.Empty():
		return &exitError{code: ExitChanges}
	}
	return nil
}

// colorful reports whether w is a terminal that wants colour: pipes and
// files never get escape codes, and NO_COLOR turns them off.
func colorful(w any) bool {
	f, ok := w.(*os.File)
	return render.WantColor(ok && term.IsTerminal(int(f.Fd())), os.Getenv)
}
