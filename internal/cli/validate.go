package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

func newValidateCmd(g *globalOptions, streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check a bindings file without reading or writing anything",
		Long: `validate checks the bindings file's syntax, schema and rules (names, ARNs,
references, duplicates, trust safety, documents, quotas at their defaults) and
lists every problem with its place in the file. It needs no credentials.

With --connections (or IRSA_SYNC_CONNECTIONS) it checks the connections file
too, and lists how plan and apply reach each account and cluster, naming the
file and line each way comes from.`,
		Example: `  irsa-sync validate -f bindings.yaml
  irsa-sync validate -f irsa/ --connections irsa/connections.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := loadFile(g.Files)
			if err != nil {
				return err
			}
			conns, err := loadConnections(g.Connections, f)
			if err != nil {
				return err
			}
			bindings := 0
			for _, r := range f.Roles {
				bindings += len(r.ServiceAccounts)
			}
			fmt.Fprintf(streams.Out, "%s is valid: %d accounts, %d clusters, %d policies, %d roles, %d service account bindings.\n",
				f.Source.Name(), len(f.Accounts), len(f.Clusters), len(f.Policies), len(f.Roles), bindings)
			if conns != nil {
				fmt.Fprintf(streams.Out, "%s is valid. How each run reaches its accounts and clusters:\n", conns.Path)
				for _, m := range []config.Mode{config.ModePlan, config.ModeApply} {
					_, origins := config.Resolve(f, conns, m)
					for _, o := range origins {
						fmt.Fprintf(streams.Out, "  %s: %s\n", m, o)
					}
				}
			}
			return nil
		},
	}
}

// loadFile reads, merges and validates the bindings files; every problem
// is returned at once, each naming its file and place.
func loadFile(paths []string) (*config.File, error) {
	names := strings.Join(paths, ", ")
	f, err := config.LoadFiles(paths)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read or written:\n%w", names, err)}
	}
	if diags := config.Validate(f); len(diags) > 0 {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read or written:\n%w", names, diags)}
	}
	return f, nil
}

// loadConnections reads and validates the connections file at path
// against f; "" is no connections file.
func loadConnections(path string, f *config.File) (*config.Connections, error) {
	if path == "" {
		return nil, nil
	}
	conns, err := config.LoadConnections(path)
	if err == nil {
		if diags := config.ValidateConnections(conns, f); len(diags) > 0 {
			err = diags
		}
	}
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read or written:\n%w", path, err)}
	}
	return conns, nil
}
