package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// withProfileConfigMaps chains n pairs of roles (role 2k+1 assumed from
// role 2k, in the other account), each with a profileConfigMap in the
// namespace of the source's first service account, and returns how many
// ConfigMaps each cluster got.
func withProfileConfigMaps(f *config.File, n int) map[string]int {
	per := map[string]int{}
	for k := 0; k < n && 2*k+1 < len(f.Roles); k++ {
		source, target := f.Roles[2*k], &f.Roles[2*k+1]
		sa := source.ServiceAccounts[0]
		target.AssumedFrom = append(target.AssumedFrom, config.ChainSource{Role: source.Name, Account: source.Account,
			ProfileConfigMap: &config.ProfileConfigMap{Cluster: sa.Cluster, Namespace: sa.Namespace, Name: target.Name + "-aws"}})
		per[sa.Cluster]++
	}
	return per
}

// configMapCalls keeps the ConfigMap calls of a run, by cluster.
func configMapCalls(c counts) map[string]map[string]int {
	out := map[string]map[string]int{}
	for cluster, calls := range c.kube {
		for call, n := range calls {
			if verb, res, _ := strings.Cut(call, " "); res == "configmaps" && !isKubeWrite(call) {
				if out[cluster] == nil {
					out[cluster] = map[string]int{}
				}
				out[cluster][verb] += n
			}
		}
	}
	return out
}

// exactServiceAccounts counts each cluster's exact bindings of f.
func exactServiceAccounts(f *config.File) map[string]int {
	out := map[string]int{}
	for _, r := range f.Roles {
		for _, sa := range r.ServiceAccounts {
			if !strings.ContainsAny(sa.Namespace+sa.Name, "*?") {
				out[sa.Cluster]++
			}
		}
	}
	return out
}

// TestNoOpPlanCallBudgetProfileConfigMaps: the ConfigMap reads of a plan
// are one labelled list per cluster, whatever the file declares, plus,
// before irsa-sync has written them, one GET per declared ConfigMap (to
// find one of that name someone else made); once written, the list returns
// them and a no-op plan makes no GET at all, and stays within the budget
// of every no-op plan. Two estates of 200 and 400 roles with the same 20
// chains read the same.
func TestNoOpPlanCallBudgetProfileConfigMaps(t *testing.T) {
	const chains = 20
	type run struct{ first, noOp counts }
	measure := func(t *testing.T, roles int) (run, map[string]int, *config.File) {
		f := gen.File(gen.Params{Roles: roles})
		per := withProfileConfigMaps(f, chains)
		if ds := config.Validate(f); ds != nil {
			t.Fatalf("the chained estate is not valid:\n%v", ds)
		}
		e := openEstate(t, "", f, emulator.Options{})
		var r run
		if _, _, err := e.plan(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.first = e.takeCounts()
		p, _, err := e.planAndApply(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		created := 0
		for _, c := range p.Changes {
			if c.Kind == resource.KindConfigMap {
				created++
			}
		}
		if created != chains {
			t.Fatalf("apply from empty has %d ConfigMap changes, want %d", created, chains)
		}
		writes := 0
		for call, n := range writesOf(e.takeCounts()) {
			if strings.HasSuffix(call, " configmaps") {
				writes += n
			}
		}
		if writes != chains {
			t.Errorf("apply from empty made %d ConfigMap writes, want one per ConfigMap (%d)", writes, chains)
		}
		p, _, err = e.plan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() {
			t.Fatalf("no-op plan has %d changes, first %s", len(p.Changes), p.Changes[0].Address)
		}
		r.noOp = e.takeCounts()
		return r, per, f
	}
	want := func(f *config.File, gets map[string]int) map[string]map[string]int {
		out := map[string]map[string]int{}
		for _, c := range f.Clusters {
			out[c.Name] = map[string]int{"list": 1}
			if gets[c.Name] > 0 {
				out[c.Name]["get"] = gets[c.Name]
			}
		}
		return out
	}
	small, per, f := measure(t, 200)
	if d := cmp.Diff(want(f, per), configMapCalls(small.first)); d != "" {
		t.Errorf("first plan: ConfigMap calls (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want(f, nil), configMapCalls(small.noOp)); d != "" {
		t.Errorf("no-op plan: ConfigMap calls (-want +got):\n%s", d)
	}
	for _, v := range budgetViolations(small.noOp, exactServiceAccounts(f)) {
		t.Error(v)
	}
	large, _, _ := measure(t, 400)
	if d := cmp.Diff(configMapCalls(small.noOp), configMapCalls(large.noOp)); d != "" {
		t.Errorf("ConfigMap calls grew with roles (-200 +400):\n%s", d)
	}
	t.Logf("%d profile ConfigMaps over %d clusters; first plan %v, no-op %v", chains, len(per), configMapCalls(small.first), configMapCalls(small.noOp))
}
