// Package e2e runs the whole pipeline (load, read, plan, apply) through the
// real AWS SDK against the sandbox emulator and in-memory clusters.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// harness is one sandbox (kept in a directory, so several files can share
// it in turn) and the file currently run against it.
type harness struct {
	t    *testing.T
	dir  string
	opts sandbox.Options
	sb   *sandbox.Sandbox
	file *config.File
	cl   *connect.Clients
}

func newHarness(t *testing.T, opts sandbox.Options) *harness {
	t.Helper()
	return &harness{t: t, dir: t.TempDir(), opts: opts}
}

// use switches to a bindings file given as YAML text, reopening the sandbox
// on the same state directory.
func (h *harness) use(yaml string) *harness {
	h.t.Helper()
	path := filepath.Join(h.t.TempDir(), "bindings.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		h.t.Fatal(err)
	}
	return h.useFile(path)
}

func (h *harness) useFile(path string) *harness {
	h.t.Helper()
	f, err := config.Load(path)
	if err != nil {
		h.t.Fatalf("load %s: %v", path, err)
	}
	if diags := config.Validate(f); len(diags) > 0 {
		h.t.Fatalf("validate %s: %v", path, diags)
	}
	h.close()
	h.file = f
	if h.sb, err = sandbox.Open(h.dir, f, h.opts); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(h.close)
	if h.cl, err = connect.Open(context.Background(), f, h.sb); err != nil {
		h.t.Fatal(err)
	}
	return h
}

func (h *harness) close() {
	if h.sb != nil {
		if err := h.sb.Close(); err != nil {
			h.t.Errorf("close sandbox: %v", err)
		}
		h.sb = nil
	}
}

func (h *harness) plan(opts plan.Options) *plan.Plan {
	h.t.Helper()
	res, err := reconcile.Plan(context.Background(), h.file, h.cl, reconcile.Options{Prune: opts.Prune})
	if err != nil {
		h.t.Fatalf("plan: %v", err)
	}
	return res.Plan
}

// apply plans and applies, failing the test on any error.
func (h *harness) apply(opts plan.Options) (*plan.Plan, *apply.Report) {
	h.t.Helper()
	p := h.plan(opts)
	report, err := h.run(p)
	if err != nil {
		h.t.Fatalf("apply: %v\nplan: %+v", err, p)
	}
	return p, report
}

// run applies a plan as the apply command does, returning its error.
func (h *harness) run(p *plan.Plan) (*apply.Report, error) {
	return apply.Run(context.Background(), p, apply.Clients{IAM: h.cl.IAM, Kube: h.cl.Kube, EKS: h.cl.EKS}, apply.Options{})
}

// read returns the live state as the planner sees it.
func (h *harness) read(opts live.Options) *state.Live {
	h.t.Helper()
	have, err := live.Read(context.Background(), h.file, h.cl, opts)
	if err != nil {
		h.t.Fatalf("read live state: %v", err)
	}
	return have
}

// accountID returns the id of the current file's account of that name.
func (h *harness) accountID(name string) string {
	h.t.Helper()
	for _, a := range h.file.Accounts {
		if a.Name == name {
			return a.ID
		}
	}
	h.t.Fatalf("no account %q in the file", name)
	return ""
}

// iam returns the real SDK client for an account of the current file, to
// inspect state or to act as "someone else" would.
func (h *harness) iam(account string) *iam.Client {
	h.t.Helper()
	c, ok := h.cl.IAM[h.accountID(account)].(*iam.Client)
	if !ok {
		h.t.Fatalf("account %q: IAM client is %T, not the SDK's", account, h.cl.IAM[h.accountID(account)])
	}
	return c
}

// resetCalls forgets the calls made so far, in AWS and every cluster.
func (h *harness) resetCalls() {
	h.sb.Emulator.ResetCalls()
	for _, c := range h.file.Clusters {
		h.sb.Cluster(c.Name).ClearActions()
	}
}

// writes counts write calls since the last reset: AWS by action, plus
// Kubernetes writes as "k8s:VERB resource".
func (h *harness) writes() map[string]int {
	out := map[string]int{}
	for k, v := range h.sb.Emulator.Writes() {
		out[k] += v
	}
	for _, c := range h.file.Clusters {
		for _, a := range h.sb.Cluster(c.Name).Actions() {
			if verb := a.GetVerb(); verb != "get" && verb != "list" && verb != "watch" && !sandbox.IsDryRun(a) {
				out["k8s:"+verb+" "+a.GetResource().Resource]++
			}
		}
	}
	return out
}

// addresses lists a plan's changes as "action address".
func addresses(cs []plan.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Action) + " " + c.Address
	}
	return out
}

func fieldNames(c plan.Change) string {
	var names []string
	for _, f := range c.Fields {
		names = append(names, f.Path())
	}
	return strings.Join(names, ",")
}
