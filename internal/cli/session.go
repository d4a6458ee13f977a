package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/saved"
)

// session is one run's file, clients and, in sandbox mode, the sandbox
// whose state is saved when the session closes.
type session struct {
	file    *config.File
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
func openSession(ctx context.Context, g *globalOptions) (*session, error) {
	f, err := loadFile(g.File)
	if err != nil {
		return nil, err
	}
	d, err := saved.DigestFile(g.File, f)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	s := &session{file: f, digest: d, log: g.logger(), status: g.status()}
	var conn connect.Connector = &connect.Real{Kubeconfig: g.Kubeconfig}
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

// plan reads the live state and computes the plan.
func (s *session) plan(ctx context.Context, opts plan.Options) (*plan.Plan, error) {
	s.status.Set("Reading %d accounts and %d clusters...", len(s.file.Accounts), len(s.file.Clusters))
	start := time.Now()
	have, err := live.Read(ctx, s.file, s.clients, live.Options{})
	s.status.Clear()
	s.timed.logReads(s.log, s.file)
	if err != nil {
		s.log.Error("read the live state", "durationMs", ms(time.Since(start)), "error", err.Error())
		return nil, fmt.Errorf("read the live state (nothing was written): %w", err)
	}
	s.log.Info("read the live state", "accounts", len(s.file.Accounts), "clusters", len(s.file.Clusters), "durationMs", ms(time.Since(start)))
	opts.MaxTrustedNamespaces = s.file.Settings.MaxTrustedNamespaces
	want, err := desired.Build(s.file, have.Issuers())
	if err != nil {
		return nil, err
	}
	p := plan.Compute(want, have, opts)
	if err := s.notePods(ctx, p); err != nil {
		return nil, err
	}
	logPlan(s.log, p)
	return p, nil
}

// notePods names, on each ServiceAccount whose role changes, the running
// pods that keep the old role until restarted: the webhook sets credentials
// only on pods it creates. Pods are listed only in the namespaces of those
// ServiceAccounts.
func (s *session) notePods(ctx context.Context, p *plan.Plan) error {
	pods := map[string]map[string][]string{}
	for cluster, sas := range plan.RoleChanges(p) {
		got, err := live.PodsUsing(ctx, s.clients.Kube[cluster], sas)
		if err != nil {
			return fmt.Errorf("read the live state (nothing was written): cluster %q: %w", cluster, err)
		}
		pods[cluster] = got
	}
	plan.NotePods(p, pods)
	return nil
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
