package cli

import (
	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/internal/saved"
)

type showOptions struct {
	Output  string
	Verbose bool
}

func newShowCmd(streams IO) *cobra.Command {
	o := &showOptions{}
	cmd := &cobra.Command{
		Use:   "show SAVED-PLAN",
		Short: "Print a saved plan again, as it was printed when saved",
		Long: `show prints a plan saved with "irsa-sync plan --out FILE" in any output
format, exactly as plan printed it when it was saved: the changes, the risks,
the access section and the warnings. It reads neither the bindings file nor
the live state, and needs no credentials; it says nothing about whether the
plan is still current ("irsa-sync apply FILE" checks that before writing).`,
		Example: `  irsa-sync plan -f bindings.yaml --out plan.json
  irsa-sync show plan.json
  irsa-sync show plan.json -o markdown > plan.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShow(o, args[0], streams)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.Verbose, "verbose", false, "also show issuers, trust documents and wildcard bindings of a plan without changes")
	return cmd
}

func runShow(o *showOptions, path string, streams IO) error {
	r, err := render.For(o.Output, render.Options{Color: colorful(streams.Out), Verbose: o.Verbose})
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	sp, err := saved.Read(path)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	p, err := sp.Plan()
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	return r.Render(streams.Out, p)
}
