package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// withPodIdentity binds the first n exact service accounts whose cluster is
// in their role's account via podIdentity, and returns how many each
// cluster got.
func withPodIdentity(f *config.File, n int) map[string]int {
	account := map[string]string{}
	for _, c := range f.Clusters {
		account[c.Name] = c.Account
	}
	per := map[string]int{}
	for i := range f.Roles {
		r := &f.Roles[i]
		for j := range r.ServiceAccounts {
			sa := &r.ServiceAccounts[j]
			if n == 0 || account[sa.Cluster] != r.Account || strings.ContainsAny(sa.Namespace+sa.Name, "*?") {
				continue
			}
			sa.Via, sa.StsRegionalEndpoints, sa.Audience, sa.TokenExpiration = config.ViaPodIdentity, false, "", 0
			per[sa.Cluster]++
			n--
		}
	}
	return per
}

// eksCalls keeps the EKS Pod Identity reads of a run.
func eksCalls(c counts) map[string]int {
	out := map[string]int{}
	for k, v := range c.aws {
		if strings.HasPrefix(k, "eks:") && k != "eks:DescribeCluster" {
			out[k] = v
		}
	}
	return out
}

// TestNoOpPlanCallBudgetPodIdentity: a no-op plan's Pod Identity reads are,
// per cluster with such bindings, one DescribeAddon, one
// ListFargateProfiles, one ListPodIdentityAssociations per page and one
// DescribePodIdentityAssociation per association the file touches: they
// grow with pages and touched associations, never with roles (two estates
// of 200 and 400 roles with the same 60 bindings read the same).
func TestNoOpPlanCallBudgetPodIdentity(t *testing.T) {
	const bound = 60
	measure := func(t *testing.T, roles int, opts emulator.Options) (counts, map[string]int) {
		f := gen.File(gen.Params{Roles: roles})
		per := withPodIdentity(f, bound)
		e := openEstate(t, "", f, opts)
		if _, _, err := e.planAndApply(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.takeCounts()
		p, _, err := e.plan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() {
			t.Fatalf("no-op plan has %d changes, first %s", len(p.Changes), p.Changes[0].Address)
		}
		return e.takeCounts(), per
	}
	want := func(per map[string]int, pageSize int) map[string]int {
		out := map[string]int{}
		for _, n := range per {
			out["eks:DescribeAddon"]++
			out["eks:ListFargateProfiles"]++
			out["eks:ListPodIdentityAssociations"] += max(1, (n+pageSize-1)/pageSize)
			out["eks:DescribePodIdentityAssociation"] += n
		}
		return out
	}
	small, per := measure(t, 200, emulator.Options{})
	if d := cmp.Diff(want(per, 100), eksCalls(small)); d != "" {
		t.Errorf("200 roles: EKS calls (-want +got):\n%s", d)
	}
	large, per2 := measure(t, 400, emulator.Options{})
	if d := cmp.Diff(eksCalls(small), eksCalls(large)); d != "" || fmt.Sprint(per) != fmt.Sprint(per2) {
		t.Errorf("EKS calls grew with roles (-200 +400):\n%s", d)
	}
	paged, per3 := measure(t, 200, emulator.Options{PageSize: 7})
	if d := cmp.Diff(want(per3, 7), eksCalls(paged)); d != "" {
		t.Errorf("pages of 7: EKS calls (-want +got):\n%s", d)
	}
	t.Logf("EKS calls, %d bindings via podIdentity over %d clusters: %v; pages of 7: %v", bound, len(per), eksCalls(small), eksCalls(paged))
}
