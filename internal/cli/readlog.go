package cli

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
)

// callTimer measures the calls made for one account or cluster: how many,
// and the span from the first start to the last end, which is the time its
// read took while accounts and clusters are read concurrently.
type callTimer struct {
	mu          sync.Mutex
	calls       int
	first, last time.Time
}

func (t *callTimer) track() func() {
	start := time.Now()
	return func() {
		end := time.Now()
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.calls == 0 || start.Before(t.first) {
			t.first = start
		}
		if end.After(t.last) {
			t.last = end
		}
		t.calls++
	}
}

// take returns the calls and span so far and starts over, so that the read
// phase and the write phase are measured apart.
func (t *callTimer) take() (int, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, d := t.calls, t.last.Sub(t.first)
	t.calls, t.first, t.last = 0, time.Time{}, time.Time{}
	return n, d
}

// timedConnector wraps a Connector so that every AWS call of an account and
// every Kubernetes list of a cluster is timed: the read phase is then
// logged per account and cluster without the readers knowing about logs.
type timedConnector struct {
	connect.Connector
	accounts map[string]*callTimer // by account name
	clusters map[string]*callTimer // by cluster name
}

func newTimedConnector(conn connect.Connector, f *config.File) *timedConnector {
	t := &timedConnector{Connector: conn, accounts: map[string]*callTimer{}, clusters: map[string]*callTimer{}}
	for _, a := range f.Accounts {
		t.accounts[a.Name] = &callTimer{}
	}
	for _, c := range f.Clusters {
		t.clusters[c.Name] = &callTimer{}
	}
	return t
}

// AWS adds a middleware timing each call made with the account's
// configuration (IAM, STS, and EKS for the account's clusters).
func (t *timedConnector) AWS(ctx context.Context, a config.Account) (aws.Config, error) {
	cfg, err := t.Connector.AWS(ctx, a)
	if err != nil {
		return cfg, err
	}
	timer := t.accounts[a.Name]
	if timer == nil {
		return cfg, nil
	}
	// A copy: the slice may be shared with configurations of other accounts.
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("irsa-sync/timing",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				defer timer.track()()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
	return cfg, nil
}

// Kube wraps the cluster's client so that its list calls are timed.
func (t *timedConnector) Kube(ctx context.Context, c config.Cluster, awsCfg aws.Config) (typedcorev1.CoreV1Interface, error) {
	k, err := t.Connector.Kube(ctx, c, awsCfg)
	if err != nil || t.clusters[c.Name] == nil {
		return k, err
	}
	return timedCore{CoreV1Interface: k, timer: t.clusters[c.Name]}, nil
}

// logReads logs the read of each account and cluster, in file order, and
// resets the timers.
func (t *timedConnector) logReads(l *slog.Logger, f *config.File) {
	for _, a := range f.Accounts {
		n, d := t.accounts[a.Name].take()
		l.Info("read account", "account", a.Name, "id", a.ID, "calls", n, "durationMs", ms(d))
	}
	for _, c := range f.Clusters {
		n, d := t.clusters[c.Name].take()
		l.Info("read cluster", "cluster", c.Name, "calls", n, "durationMs", ms(d))
	}
}

// timedCore times the list calls the live reader makes; every other call
// goes to the wrapped client untouched.
type timedCore struct {
	typedcorev1.CoreV1Interface
	timer *callTimer
}

func (c timedCore) Namespaces() typedcorev1.NamespaceInterface {
	return timedNamespaces{NamespaceInterface: c.CoreV1Interface.Namespaces(), timer: c.timer}
}

func (c timedCore) ServiceAccounts(ns string) typedcorev1.ServiceAccountInterface {
	return timedServiceAccounts{ServiceAccountInterface: c.CoreV1Interface.ServiceAccounts(ns), timer: c.timer}
}

func (c timedCore) Pods(ns string) typedcorev1.PodInterface {
	return timedPods{PodInterface: c.CoreV1Interface.Pods(ns), timer: c.timer}
}

type timedNamespaces struct {
	typedcorev1.NamespaceInterface
	timer *callTimer
}

func (n timedNamespaces) List(ctx context.Context, opts metav1.ListOptions) (*corev1.NamespaceList, error) {
	defer n.timer.track()()
	return n.NamespaceInterface.List(ctx, opts)
}

type timedServiceAccounts struct {
	typedcorev1.ServiceAccountInterface
	timer *callTimer
}

func (s timedServiceAccounts) List(ctx context.Context, opts metav1.ListOptions) (*corev1.ServiceAccountList, error) {
	defer s.timer.track()()
	return s.ServiceAccountInterface.List(ctx, opts)
}

type timedPods struct {
	typedcorev1.PodInterface
	timer *callTimer
}

func (p timedPods) List(ctx context.Context, opts metav1.ListOptions) (*corev1.PodList, error) {
	defer p.timer.track()()
	return p.PodInterface.List(ctx, opts)
}

// resetAll forgets the calls timed so far, at the end of the read phase.
func (t *timedConnector) resetAll() {
	for _, c := range t.accounts {
		c.take()
	}
	for _, c := range t.clusters {
		c.take()
	}
}
