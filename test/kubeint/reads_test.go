package kubeint

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// TestNoOpPlanReadsInBulk: a no-op plan of a cluster with many
// ServiceAccounts in several namespaces makes exactly one namespace list and
// one ServiceAccount list, never a GET per object.
func TestNoOpPlanReadsInBulk(t *testing.T) {
	env := testenv.Shared(t)
	namespaces := []string{env.Namespace(t), env.Namespace(t), env.Namespace(t)}
	var roles []string
	n := 0
	for i := range 8 {
		var sas []string
		for j := range 6 {
			ns := namespaces[(i+j)%len(namespaces)]
			sas = append(sas, fmt.Sprintf("{cluster: c1, namespace: %s, name: sa-%d-%d}", ns, i, j))
			n++
		}
		roles = append(roles, roleYAML(fmt.Sprintf("role-%d", i), sas...))
	}
	var counter requestCounter
	r := newRig(t, bindings("reads", []string{"c1"}, roles...), fromConfig(counter.counting(env.Config)))
	first := r.converge(plan.Options{})
	if got := len(kubeChanges(first)); got != n {
		t.Fatalf("first plan has %d service account changes, want %d", got, n)
	}

	counter.take()
	if p := r.plan(plan.Options{}); !p.Empty() {
		t.Fatalf("plan is not empty: %v", addresses(p.Changes))
	}
	// The ConfigMap list is selected by irsa-sync's managed-by label: one
	// call whatever the number of ConfigMaps.
	want := map[string]int{"GET /api/v1/namespaces": 1, "GET /api/v1/serviceaccounts": 1, "GET /api/v1/configmaps": 1}
	if diff := cmp.Diff(want, counter.take()); diff != "" {
		t.Errorf("requests of a no-op plan of %d service accounts (-want +got):\n%s", n, diff)
	}
}
