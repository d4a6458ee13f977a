package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

func newValidateCmd(g *globalOptions, streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check a bindings file without reading or writing anything",
		Long: `validate checks the bindings file's syntax, schema and rules (names, ARNs,
references, duplicates, trust safety, documents, quotas at their defaults) and
lists every problem with its place in the file. It needs no credentials.`,
		Example: `  irsa-sync validate -f bindings.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := loadFile(g.File)
			if err != nil {
				return err
			}
			bindings := 0
			for _, r := range f.Roles {
				bindings += len(r.ServiceAccounts)
			}
			fmt.Fprintf(streams.Out, "%s is valid: %d accounts, %d clusters, %d policies, %d roles, %d service account bindings.\n",
				g.File, len(f.Accounts), len(f.Clusters), len(f.Policies), len(f.Roles), bindings)
			return nil
		},
	}
}

// loadFile reads and validates the bindings file; every problem is returned
// at once, each naming its place in the file.
func loadFile(path string) (*config.File, error) {
	f, err := config.Load(path)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read or written:\n%w", path, err)}
	}
	if diags := config.Validate(f); len(diags) > 0 {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read or written:\n%w", path, diags)}
	}
	return f, nil
}
