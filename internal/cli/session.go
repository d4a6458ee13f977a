package cli

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/saved"
)

// session is one run's file, clients and, in sandbox mode, the sandbox
// whose state is saved when the session closes.
type session struct {
	file *config.File
	// paths are the -f arguments the file was read from.
	paths   []string
	clients *connect.Clients
	sandbox *sandbox.Sandbox
	// digest is of the file and its documents as loaded, for saved plans.
	digest saved.Digest
	timed  *timedConnector
	log    *slog.Logger
	status *statusLine
}

// openSandbox opens the sandbox of --sandbox; tests replace it to reach the
// emulator and the in-memory clusters of a run (to count their writes).
var openSandbox = sandbox.Open

// openSession validates the file, then builds clients: nothing is read from
// AWS or Kubernetes before the whole file is known to be valid.
//
// The file's ways to reach accounts and clusters are those of the run's
// mode (see config.Resolve): a plan never holds the apply credentials.
func openSession(ctx context.Context, g *globalOptions) (*session, error) {
	desired, err := loadFile(g.Files)
	if err != nil {
		return nil, err
	}
	d, err := saved.DigestFiles(g.Files, desired)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	conns, err := loadConnections(g.Connections, desired)
	if err != nil {
		return nil, err
	}
	f, origins := config.Resolve(desired, conns, g.mode)
	for _, o := range origins {
		g.logger().Debug("connection", "mode", string(g.mode), "to", o.Kind+" "+o.Name, "how", o.How, "from", o.From)
	}
	s := &session{file: f, paths: g.Files, digest: d, log: g.logger(), status: g.status()}
	var conn connect.Connector = &connect.Real{Kubeconfig: g.Kubeconfig, Regions: connect.AccountRegions(f)}
	if g.Sandbox != "" {
		if s.sandbox, err = openSandbox(g.Sandbox, f, sandbox.Options{}); err != nil {
			return nil, err
		}
		conn = s.sandbox
	}
	s.timed = newTimedConnector(conn, f)
	if s.clients, err = connect.Open(ctx, f, s.timed); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// plan runs the pipeline (reconcile.Plan) and logs what it read and found.
func (s *session) plan(ctx context.Context, opts reconcile.Options) (*plan.Plan, error) {
	s.status.Set("Reading %d accounts and %d clusters...", len(s.file.Accounts), len(s.file.Clusters))
	start := time.Now()
	res, err := reconcile.Plan(ctx, s.file, s.clients, opts)
	s.status.Clear()
	s.timed.logReads(s.log, s.file)
	if err != nil {
		s.log.Error("read the live state", "durationMs", ms(time.Since(start)), "error", err.Error())
		return nil, err
	}
	s.log.Info("read the live state", "accounts", len(s.file.Accounts), "clusters", len(s.file.Clusters), "durationMs", ms(time.Since(start)))
	logPlan(s.log, res.Plan)
	return res.Plan, nil
}

func (s *session) close() error {
	if s.sandbox == nil {
		return nil
	}
	return s.sandbox.Close()
}

// withTimeout bounds a run by --timeout.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
