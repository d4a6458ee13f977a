package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/importer"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

type importOptions struct {
	Out                    string
	PoliciesDir            string
	IncludeUnrepresentable bool
}

func newImportCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write the bindings file that declares an existing estate",
		Long: `import reads the accounts and clusters of a bindings file (its roles and
policies may be empty, partial or missing) and writes a complete bindings file
declaring what is live: every role of those accounts whose trust names an OIDC
provider of those clusters or that their EKS Pod Identity associations name,
with its policies, tags and service accounts (via irsa, podIdentity or both),
the roles chained from them (assumedFrom) with the profile ConfigMaps
irsa-sync wrote for those chains (profileConfigMap), and adopt: true on every
object irsa-sync does not own yet. Customer-managed
policies' documents are written as files under --policies-dir.

A role whose trust the file cannot express (another principal, a condition
irsa-sync does not generate) is reported on stderr and left out, unless
--include-unrepresentable keeps it with a comment saying what the next apply
would change. So are service accounts annotated with a role the file does not
declare, associations it does not bind (an EKS add-on's among them), and
profile ConfigMaps of no chain it writes. import reads like plan (a few bulk
calls per account) and writes nothing to AWS or Kubernetes; its output is the
same for the same estate.`,
		Example: `  irsa-sync import -f accounts.yaml --out bindings.yaml
  irsa-sync plan -f bindings.yaml       # only the adoption
  irsa-sync apply -f bindings.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImport(cmd, g, o, streams)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "", "write the bindings file to `FILE` (default: stdout)")
	cmd.Flags().StringVar(&o.PoliciesDir, "policies-dir", "", "write policy documents under `DIR` (default: policies/ next to the output)")
	cmd.Flags().BoolVar(&o.IncludeUnrepresentable, "include-unrepresentable", false, "keep roles whose trust the file cannot express, with a comment on what apply would change")
	return cmd
}

func runImport(cmd *cobra.Command, g *globalOptions, o *importOptions, streams IO) (err error) {
	outDir := "."
	if o.Out != "" {
		outDir = filepath.Dir(o.Out)
	}
	polDir := o.PoliciesDir
	if polDir == "" {
		polDir = filepath.Join(outDir, "policies")
	}
	rel, err := filepath.Rel(outDir, polDir)
	if err != nil || !filepath.IsLocal(rel) {
		return &exitError{code: ExitError, err: fmt.Errorf("--policies-dir %s is not inside %s, the output's directory: a bindings file names its documents relative to itself and inside its directory; choose a directory under it", polDir, outDir)}
	}
	if len(g.Files) != 1 {
		return &exitError{code: ExitError, err: fmt.Errorf("import reads one file of accounts and clusters, and -f names %d: give -f once", len(g.Files))}
	}
	path := g.Files[0]
	f, err := config.Load(path)
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read:\n%w", path, err)}
	}
	if diags := config.ValidateForImport(f); len(diags) > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%s is not valid; nothing was read:\n%w", path, diags)}
	}
	conns, err := loadConnections(g.Connections, f)
	if err != nil {
		return err
	}
	// import only reads: the plan ways to reach each account and cluster.
	f, _ = config.Resolve(f, conns, g.mode)
	ctx, cancel := withTimeout(cmd.Context(), g.Timeout)
	defer cancel()
	var conn connect.Connector = &connect.Real{Kubeconfig: g.Kubeconfig, Regions: connect.AccountRegions(f)}
	if g.Sandbox != "" {
		sb, err := openSandbox(g.Sandbox, f, sandbox.Options{})
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, sb.Close()) }()
		conn = sb
	}
	clients, err := connect.Open(ctx, f, conn)
	if err != nil {
		return err
	}
	have, err := live.Read(ctx, f, clients, live.Options{PodIdentity: true})
	if err != nil {
		return fmt.Errorf("read the live state: %w", err)
	}
	opts := importer.Options{PoliciesDir: filepath.ToSlash(rel), IncludeUnrepresentable: o.IncludeUnrepresentable}
	res := importer.Build(f, have, opts)
	if len(res.UnknownTags) > 0 {
		// The bulk read leaves out the tags of policies attached to roles
		// of other owners; those to be declared need them.
		for _, id := range resource.SortedKeys(res.UnknownTags) {
			if err := live.ReadPolicyTags(ctx, clients.IAM[id], have.Accounts[id], res.UnknownTags[id]); err != nil {
				return fmt.Errorf("read the live state: account %s: %w", id, err)
			}
		}
		res = importer.Build(f, have, opts)
	}
	return writeImport(streams, o, outDir, res)
}

func writeImport(streams IO, o *importOptions, outDir string, res *importer.Result) error {
	text, err := importer.YAML(res)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("write the bindings file: %w", err)}
	}
	for _, rel := range resource.SortedKeys(res.Documents) {
		p := filepath.Join(outDir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("write policy document: %w", err)}
		}
		if err := os.WriteFile(p, res.Documents[rel], 0o644); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("write policy document: %w", err)}
		}
	}
	if o.Out == "" {
		_, err = streams.Out.Write(text)
	} else {
		err = os.WriteFile(o.Out, text, 0o644)
	}
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("write the bindings file: %w", err)}
	}
	for _, r := range res.Reports {
		fmt.Fprintf(streams.ErrOut, "import: %s: %s\n", r.Kind, r)
	}
	return nil
}
