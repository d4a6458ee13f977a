// Package cli is irsa-sync's command line: one options struct, constructor
// and run function per command, as in the GitHub CLI, so flag parsing and
// run logic are tested apart.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// Exit codes. Plan's --detailed-exitcode uses ExitChanges for "changes
// pending", as terraform plan does, so CI can tell drift from failure.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2
)

// exitError carries an exit code through cobra; its message, if any, has
// already been printed or is printed by Main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// IO are a command's streams; Stdout may be a terminal.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
}

// globalOptions are the flags every command shares, and the logger and
// progress line built from them before any command runs.
type globalOptions struct {
	// Files are the -f arguments: bindings files, or directories of them,
	// merged into one desired state.
	Files []string
	// Connections is the connections file (--connections, else
	// IRSA_SYNC_CONNECTIONS); empty means the bindings file's own fields.
	Connections string
	Sandbox     string
	Kubeconfig  string
	Timeout     time.Duration
	LogFormat   string
	LogLevel    string

	// mode is the command's: apply writes with the apply credentials;
	// every other command reads with the plan credentials.
	mode config.Mode

	log  *slog.Logger
	line *statusLine
}

// ConnectionsEnv names the connections file when --connections is not
// given, so that a CronJob or CI job sets it once for every command.
const ConnectionsEnv = "IRSA_SYNC_CONNECTIONS"

// logger is the run's logger; one that discards when none was set up.
func (g *globalOptions) logger() *slog.Logger {
	if g.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.log
}

// status is the run's progress line; a disabled one when none was set up.
func (g *globalOptions) status() *statusLine {
	if g.line == nil {
		return &statusLine{w: io.Discard}
	}
	return g.line
}

// setUp builds the logger and the progress line on stderr, before any
// command runs.
func (g *globalOptions) setUp(cmd *cobra.Command, errOut io.Writer) error {
	if g.Timeout < 0 {
		// 0 is documented as no limit; a negative duration is a mistake,
		// not another way to say it.
		return &exitError{code: ExitError, err: fmt.Errorf("--timeout is %s: use a positive duration such as 10m, or 0 for no limit", g.Timeout)}
	}
	g.mode = config.ModePlan
	if cmd.Name() == "apply" {
		g.mode = config.ModeApply
	}
	if !cmd.Flags().Changed("connections") {
		g.Connections = os.Getenv(ConnectionsEnv)
	}
	g.line = newStatusLine(errOut)
	level := g.LogLevel
	if !cmd.Flags().Changed("log-level") && g.line.on {
		// On a terminal the progress line and the plan say what the info
		// records would; they stay for CI logs and the CronJob.
		level = "warn"
	}
	l, err := newLogger(g.LogFormat, level, g.line)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	g.log = l
	return nil
}

// Main runs irsa-sync with args and returns the process exit code.
// SIGINT and SIGTERM cancel the run: no new write starts, writes in flight
// finish, and a summary of what was done is printed.
func Main(args []string, in io.Reader, out, errOut io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := NewRootCmd(IO{In: in, Out: out, ErrOut: errOut})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(errOut, "Error:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(errOut, "Error:", err)
	return ExitError
}

// NewRootCmd builds the irsa-sync command tree.
func NewRootCmd(streams IO) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "irsa-sync",
		Short: "Keep EKS IAM roles for service accounts exactly as a bindings file says",
		Long: `irsa-sync reads a bindings file (accounts, clusters, policies, roles and the
service accounts bound to them), reads the live IAM, EKS and Kubernetes state,
and shows or applies the difference: OIDC providers, customer-managed policies,
roles with generated trust policies, and annotated ServiceAccounts.`,
		Example: `  irsa-sync validate -f bindings.yaml
  irsa-sync plan -f bindings.yaml
  irsa-sync plan -f irsa/ --connections irsa/connections/ci.yaml
  irsa-sync apply -f examples/bindings.yaml --sandbox .sandbox`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return g.setUp(cmd, streams.ErrOut)
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	pf := root.PersistentFlags()
	pf.StringArrayVarP(&g.Files, "file", "f", []string{"bindings.yaml"}, "bindings file to read, or a directory of them (every *.yaml in it); repeat -f to merge several files into one desired state")
	pf.StringVar(&g.Connections, "connections", "", "connections `FILE`: how to reach each account (for plan and for apply apart) and cluster, over the bindings file's own fields (default $"+ConnectionsEnv+")")
	pf.StringVar(&g.Sandbox, "sandbox", "", "run against the embedded sandbox (AWS emulator and in-memory clusters) with state kept in `DIR`")
	pf.StringVar(&g.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
	pf.DurationVar(&g.Timeout, "timeout", 30*time.Minute, "bound the whole run; 0 means no limit")
	pf.StringVar(&g.LogFormat, "log-format", LogText, "log format on stderr: text or json (JSON lines, for the CronJob)")
	pf.StringVar(&g.LogLevel, "log-level", "info", "least level logged: debug, info, warn or error (warn by default on a terminal)")
	root.AddCommand(
		newValidateCmd(g, streams),
		newPlanCmd(g, streams),
		newApplyCmd(g, streams),
		newExplainCmd(g, streams),
		newImportCmd(g, streams),
		newVerifyCmd(g, streams),
		newVersionCmd(streams),
	)
	addCompletionExamples(root)
	return root
}
