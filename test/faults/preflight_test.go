package faults

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// TestPreflightRefusalWritesNothing has one cluster refuse every dry run of
// a ServiceAccount write, as an API server does for an identity without
// RBAC on serviceaccounts or behind an admission webhook that rejects the
// object. apply must stop with apply.ErrPreflight before its first write,
// to AWS or to any cluster: ServiceAccounts are written last, so a refusal
// found only at the real write would leave the IAM changes half applied.
// test/kubeint proves the same against a real kube-apiserver; this test
// runs without one, so `make test-short` catches a preflight that checks
// nothing.
func TestPreflightRefusalWritesNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t, example)
	refused := r.file.Clusters[0].Name
	var dryRuns atomic.Int64
	var refuse atomic.Bool
	refuse.Store(true)
	r.sb.Cluster(refused).PrependReactor("*", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if !refuse.Load() || !sandbox.IsDryRun(a) {
			return false, nil, nil
		}
		dryRuns.Add(1)
		gr := schema.GroupResource{Resource: "serviceaccounts"}
		return true, nil, apierrors.NewForbidden(gr, "", errors.New(`User "irsa-sync" cannot patch resource "serviceaccounts"`))
	})
	var awsWrites, kubeWrites atomic.Int64
	r.sb.Emulator.SetFault(func(_, act string) error {
		if isWrite(act) {
			awsWrites.Add(1)
		}
		return nil
	})
	r.onKubeWrite(func(string) { kubeWrites.Add(1) })

	_, rep, err := r.apply(context.Background(), fastApply)
	if !errors.Is(err, apply.ErrPreflight) {
		t.Fatalf("apply with a cluster refusing dry runs: err = %v, want apply.ErrPreflight", err)
	}
	if !strings.Contains(err.Error(), "(dry run)") || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("error %q does not say which dry run the cluster refused and why", err)
	}
	if dryRuns.Load() == 0 {
		t.Fatalf("cluster %q was never asked for a dry run: the example plans no ServiceAccount change there", refused)
	}
	if n := awsWrites.Load(); n != 0 {
		t.Errorf("apply made %d AWS writes after a refused dry run, want 0", n)
	}
	if n := kubeWrites.Load(); n != 0 {
		t.Errorf("apply made %d Kubernetes writes after a refused dry run, want 0", n)
	}
	if rep != nil {
		if n := rep.Count(apply.Applied); n != 0 {
			t.Errorf("report counts %d applied changes after a refused dry run, want 0", n)
		}
	}

	// The refusal left nothing half done: with the cluster fixed, one apply
	// converges.
	refuse.Store(false)
	r.mustConverge()
}
