package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/internal/saved"
)

type planOptions struct {
	Output           string
	DetailedExitcode bool
	Prune            bool
	Out              string
	MarkdownMaxBytes int
}

func newPlanCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would create, change and delete",
		Long: `plan reads the live IAM, EKS and Kubernetes state and prints, field by field,
what apply would change so that it matches the bindings file. It writes nothing
to AWS or Kubernetes.

With --out FILE it also saves the plan: its changes, a digest of the bindings
file and of the policy files it references, and a fingerprint of every live
object a change was computed from. "irsa-sync apply FILE" then applies exactly
those changes, or refuses, writing nothing, when the file or any of those
objects changed since.

Exit codes: 0 success; 1 error (or conflicts that block apply); with
--detailed-exitcode, 2 when there are changes, for drift checks.`,
		Example: `  irsa-sync plan -f bindings.yaml
  irsa-sync plan --output markdown > plan.md
  irsa-sync plan --output json --detailed-exitcode   # 0 in sync, 2 drift, 1 error
  irsa-sync plan -f bindings.yaml --out plan.json && irsa-sync apply plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd, g, o, streams)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
	cmd.Flags().BoolVar(&o.Prune, "prune", false, "plan deletes of this owner's objects the file no longer declares")
	cmd.Flags().StringVar(&o.Out, "out", "", "also save the plan to `FILE`, for \"irsa-sync apply FILE\"")
	// For tests and for comments that must leave room for other text; the
	// default keeps a comment under GitHub's limit.
	cmd.Flags().IntVar(&o.MarkdownMaxBytes, "markdown-max-bytes", 0, "bound the Markdown plan to this many bytes (0: GitHub's comment limit)")
	_ = cmd.Flags().MarkHidden("markdown-max-bytes")
	return cmd
}

func runPlan(cmd *cobra.Command, g *globalOptions, o *planOptions, streams IO) (err error) {
	r, err := render.For(o.Output, render.Options{Color: colorful(streams.Out), MaxBytes: o.MarkdownMaxBytes})
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if o.MarkdownMaxBytes < 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("--markdown-max-bytes is %d: use a positive number, or 0 for the default", o.MarkdownMaxBytes)}
	}
	if err := refuseInputAsOut(o.Out, g.Files); err != nil {
		return err
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
	p, err := s.plan(ctx, reconcile.Options{Prune: o.Prune})
	if err != nil {
		return err
	}
	if err := r.Render(streams.Out, p); err != nil {
		return err
	}
	if p.Blocked() {
		what := "apply would refuse to start"
		if o.Out != "" {
			what += "; the plan was not saved"
		}
		return &exitError{code: ExitError, err: fmt.Errorf("the plan has %d conflicts and %d errors: %s", len(p.Conflicts), len(p.Errors), what)}
	}
	if o.Out != "" {
		if err := savePlan(s, o, p); err != nil {
			return &exitError{code: ExitError, err: err}
		}
		g.logger().Info("plan saved", "path", o.Out, "changes", len(p.Changes))
	}
	if o.DetailedExitcode && !p.Empty() {
		return &exitError{code: ExitChanges}
	}
	return nil
}

// savePlan writes the plan to o.Out. The digest is of the file as it is
// after planning, and must equal the one of the file that was loaded: an
// edit in between would pair a plan with a file it was not made from.
func savePlan(s *session, o *planOptions, p *plan.Plan) error {
	d, err := saved.DigestFiles(s.paths, s.file)
	if err != nil {
		return err
	}
	if !d.Equal(s.digest) {
		return fmt.Errorf("%s changed while the plan was computed; the plan was not saved: run plan again", d.Names())
	}
	sp, err := saved.New(p, d, saved.Options{Prune: o.Prune})
	if err != nil {
		return err
	}
	return sp.Write(o.Out)
}
