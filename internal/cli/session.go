package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// session is one run's file, clients and, in sandbox mode, the sandbox
// whose state is saved when the session closes.
type session struct {
	file    *config.File
	clients *connect.Clients
	sandbox *sandbox.Sandbox
}

// openSession validates the file, then builds clients: nothing is read from
// AWS or Kubernetes before the whole file is known to be valid.
func openSession(ctx context.Context, g *globalOptions) (*session, error) {
	f, err := loadFile(g.File)
	if err != nil {
		return nil, err
	}
	s := &session{file: f}
	var conn connect.Connector = &connect.Real{Kubeconfig: g.Kubeconfig}
	if g.Sandbox != "" {
		if s.sandbox, err = sandbox.Open(g.Sandbox, f, sandbox.Options{}); err != nil {
			return nil, err
		}
		conn = s.sandbox
	}
	if s.clients, err = connect.Open(ctx, f, conn); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// plan reads the live state and computes the plan.
func (s *session) plan(ctx context.Context, opts plan.Options) (*plan.Plan, error) {
	have, err := live.Read(ctx, s.file, s.clients, live.Options{})
	if err != nil {
		return nil, fmt.Errorf("read the live state (nothing was written): %w", err)
	}
	opts.MaxTrustedNamespaces = s.file.Settings.MaxTrustedNamespaces
	want, err := desired.Build(s.file, have.Issuers())
	if err != nil {
		return nil, err
	}
	return plan.Compute(want, have, opts), nil
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
