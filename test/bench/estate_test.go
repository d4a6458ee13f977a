package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stesting "k8s.io/client-go/testing"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// applyOptions are the apply options of every benchmark: the CLI's default
// parallelism, and a per-account write rate far above what ten writers at
// 50 ms can reach (200 calls/s in all), so that the client-side limiter is
// not what is measured. docs/performance.md says what the default rate of
// 10 writes/s per account costs instead.
var applyOptions = apply.Options{Parallelism: 10, WritesPerSecond: 10000}

// estate is one generated bindings file on one sandbox.
type estate struct {
	tb   testing.TB
	file *config.File
	sb   *sandbox.Sandbox
}

// openEstate opens a sandbox for f on the state in dir ("" keeps it in
// memory, starting empty).
func openEstate(tb testing.TB, dir string, f *config.File, opts emulator.Options) *estate {
	tb.Helper()
	sb, err := sandbox.Open(dir, f, sandbox.Options{Emulator: opts})
	if err != nil {
		tb.Fatal(err)
	}
	e := &estate{tb: tb, file: f, sb: sb}
	tb.Cleanup(e.close)
	// IAM's default is 1,000 roles per account; an estate of 10,000 roles
	// in two accounts needs the quota raised, as a real one would have,
	// with room for the roles the sandbox seeds (assumeRoleArn targets).
	perAccount := map[string]int{}
	for _, r := range f.Roles {
		perAccount[r.Account]++
	}
	for _, a := range f.Accounts {
		if n := perAccount[a.Name]; n > 900 {
			sb.Emulator.SetQuota(a.ID, "RolesQuota", int32(n+100))
		}
	}
	e.takeCounts() // seeding is setup, not part of a run
	return e
}

func (e *estate) close() {
	if e.sb == nil {
		return
	}
	if err := e.sb.Close(); err != nil {
		e.tb.Errorf("close sandbox: %v", err)
	}
	e.sb = nil
}

// plan does what `irsa-sync plan` does before rendering: validate, open
// the clients (each run assumes its roles afresh), read, build, compute.
func (e *estate) plan(ctx context.Context) (*plan.Plan, *connect.Clients, error) {
	if diags := config.Validate(e.file); diags != nil {
		return nil, nil, diags
	}
	cl, err := connect.Open(ctx, e.file, e.sb)
	if err != nil {
		return nil, nil, err
	}
	res, err := reconcile.Plan(ctx, e.file, cl, reconcile.Options{})
	if err != nil {
		return nil, nil, err
	}
	return res.Plan, cl, nil
}

// planAndApply does what `irsa-sync apply` does, without printing.
func (e *estate) planAndApply(ctx context.Context) (*plan.Plan, *apply.Report, error) {
	p, cl, err := e.plan(ctx)
	if err != nil {
		return nil, nil, err
	}
	if p.Blocked() {
		return p, nil, fmt.Errorf("plan blocked: conflicts %v, errors %v", p.Conflicts, p.Errors)
	}
	report, err := apply.Run(ctx, p, apply.Clients{IAM: cl.IAM, Kube: cl.Kube, EKS: cl.EKS}, applyOptions)
	if err != nil && report != nil {
		for _, r := range report.Results {
			if r.Status == apply.Failed {
				return p, report, fmt.Errorf("%w; first failure: %s: %s", err, r.Address, r.Error)
			}
		}
	}
	return p, report, err
}

// counts are the calls made since the last takeCounts.
type counts struct {
	aws       map[string]int            // "iam:CreateRole"
	awsWrites map[string]int            // the mutating subset of aws
	kube      map[string]map[string]int // cluster -> "list serviceaccounts"
}

// takeCounts returns the calls made since the last call and forgets them
// (the fake clientset otherwise keeps every action, patches included, for
// the whole benchmark).
func (e *estate) takeCounts() counts {
	c := counts{aws: e.sb.Emulator.Calls(), awsWrites: e.sb.Emulator.Writes(), kube: map[string]map[string]int{}}
	e.sb.Emulator.ResetCalls()
	for _, cl := range e.file.Clusters {
		fake := e.sb.Cluster(cl.Name)
		m := map[string]int{}
		for _, a := range fake.Actions() {
			m[verbOf(a)+" "+a.GetResource().Resource]++
		}
		fake.ClearActions()
		c.kube[cl.Name] = m
	}
	return c
}

// verbOf is the action's verb, prefixed "dryrun-" for a dry run: apply
// checks every ServiceAccount change with one before its first write, and
// a dry run persists nothing, so it is a call but not a write.
func verbOf(a k8stesting.Action) string {
	var dry []string
	switch a := a.(type) {
	case interface{ GetPatchOptions() metav1.PatchOptions }:
		dry = a.GetPatchOptions().DryRun
	case interface{ GetCreateOptions() metav1.CreateOptions }:
		dry = a.GetCreateOptions().DryRun
	case interface{ GetUpdateOptions() metav1.UpdateOptions }:
		dry = a.GetUpdateOptions().DryRun
	case interface{ GetDeleteOptions() metav1.DeleteOptions }:
		dry = a.GetDeleteOptions().DryRun
	}
	if len(dry) > 0 {
		return "dryrun-" + a.GetVerb()
	}
	return a.GetVerb()
}

// appliedStates holds, per generated estate, a sandbox directory where that
// estate is fully applied, built once per process at no latency.
var appliedStates struct {
	sync.Mutex
	root string
	dirs map[gen.Params]string
}

// appliedCopy returns a fresh copy of a sandbox directory holding p's estate
// fully applied, so a benchmark can change it without spoiling the next.
func appliedCopy(tb testing.TB, p gen.Params) string {
	tb.Helper()
	appliedStates.Lock()
	defer appliedStates.Unlock()
	if appliedStates.root == "" {
		root, err := os.MkdirTemp("", "irsa-sync-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		appliedStates.root, appliedStates.dirs = root, map[gen.Params]string{}
	}
	src, ok := appliedStates.dirs[p]
	if !ok {
		src = filepath.Join(appliedStates.root, fmt.Sprintf("applied-%d-%d", p.Roles, len(appliedStates.dirs)))
		buildApplied(tb, src, p)
		appliedStates.dirs[p] = src
	}
	dst, err := os.MkdirTemp(appliedStates.root, "copy-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := copyDir(src, dst); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dst) })
	return dst
}

func buildApplied(tb testing.TB, dir string, p gen.Params) {
	tb.Helper()
	e := openEstate(tb, dir, gen.File(p), emulator.Options{})
	if _, _, err := e.planAndApply(context.Background()); err != nil {
		tb.Fatalf("apply the %d-role estate: %v", p.Roles, err)
	}
	if again, _, err := e.plan(context.Background()); err != nil || !again.Empty() {
		tb.Fatalf("the %d-role estate does not converge: %d changes after apply (err %v)", p.Roles, len(again.Changes), err)
	}
	e.close() // saves the state to dir
}

// removeAppliedStates deletes the directories appliedCopy made.
func removeAppliedStates() {
	appliedStates.Lock()
	defer appliedStates.Unlock()
	if appliedStates.root != "" {
		_ = os.RemoveAll(appliedStates.root)
	}
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	removeAppliedStates()
	os.Exit(code)
}
