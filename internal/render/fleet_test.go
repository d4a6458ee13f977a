package render_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/test/gen"
	"github.com/irsa-sync/irsa-sync/test/golden"
)

// The fleet tests render plans of generated estates (test/gen) at 10,
// 1,000 and 10,000 roles. The plans are computed directly from the file and
// a live state built from it, without the sandbox, so that 10,000 roles
// take seconds: what is tested is the rendering at that scale.

func issuers(f *config.File) map[string]string {
	out := map[string]string{}
	for _, c := range f.Clusters {
		out[c.Name] = "https://oidc.eks." + c.Region + ".amazonaws.com/id/" + strings.ToUpper(strings.ReplaceAll(c.Name, "-", ""))
	}
	return out
}

func build(t testing.TB, f *config.File) *desired.State {
	t.Helper()
	want, err := desired.Build(f, issuers(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// compute plans f against live through the pipeline's pure half.
func compute(t testing.TB, f *config.File, live *state.Live) *plan.Plan {
	t.Helper()
	res, err := reconcile.Compute(f, live, reconcile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Plan
}

// applied is the live state once want was applied.
func applied(f *config.File, want *desired.State) *state.Live {
	live := &state.Live{Accounts: map[string]*state.Account{}, Clusters: map[string]*state.Cluster{}}
	for _, a := range want.Accounts {
		live.Accounts[a.ID] = &state.Account{ID: a.ID, Quotas: state.DefaultQuotas,
			Roles: map[string]resource.Role{}, Policies: map[string]state.Policy{}, Providers: map[string]resource.Provider{}}
	}
	for _, p := range want.Providers {
		live.Accounts[p.AccountID].Providers[p.ARN] = p.Provider
	}
	for _, p := range want.Policies {
		live.Accounts[p.AccountID].Policies[strings.ToLower(p.Name)] = state.Policy{Policy: p.Policy, DefaultVersion: "v1",
			Versions: []state.PolicyVersion{{ID: "v1", Default: true}}, TagsKnown: true}
	}
	for _, r := range want.Roles {
		live.Accounts[r.AccountID].Roles[strings.ToLower(r.Name)] = r.Role
	}
	for name, issuer := range issuers(f) {
		live.Clusters[name] = &state.Cluster{Name: name, Issuer: issuer, ServiceAccounts: map[string]state.ServiceAccount{}}
	}
	for _, sa := range want.ServiceAccounts {
		owned := resource.SortedKeys(sa.Annotations)
		sort.Strings(owned)
		live.Clusters[sa.Cluster].ServiceAccounts[sa.Key()] = state.ServiceAccount{ServiceAccount: sa.ServiceAccount,
			Managers: []string{resource.FieldManager}, Owned: owned}
	}
	return live
}

// empty is the live state of f's estate before anything was applied: the
// clusters exist (with their issuers), nothing in IAM does.
func empty(f *config.File) *state.Live {
	live := &state.Live{Accounts: map[string]*state.Account{}, Clusters: map[string]*state.Cluster{}}
	for name, issuer := range issuers(f) {
		live.Clusters[name] = &state.Cluster{Name: name, Issuer: issuer, ServiceAccounts: map[string]state.ServiceAccount{}}
	}
	return live
}

func markdown(t testing.TB, p *plan.Plan) string {
	t.Helper()
	r, err := render.For("markdown", render.Options{FullPlanAt: "the job summary and the plan artifact"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFleet(t *testing.T) {
	for _, tc := range []struct {
		roles, changed int
		base           bool // plan the change against the applied base estate
	}{
		{roles: 10},
		{roles: 1000, changed: 100, base: true},
		{roles: 1000},
		{roles: 10000, changed: 1000, base: true},
	} {
		name := fmt.Sprintf("%d-roles-%d-changed", tc.roles, tc.changed)
		if !tc.base {
			name = fmt.Sprintf("%d-roles-first-plan", tc.roles)
		}
		t.Run(name, func(t *testing.T) {
			if testing.Short() && tc.roles > 1000 {
				t.Skip("10,000 roles in -short")
			}
			live := empty(gen.File(gen.Params{Roles: tc.roles}))
			if tc.base {
				base := gen.File(gen.Params{Roles: tc.roles})
				live = applied(base, build(t, base))
				// Checked where it is cheap: the builder does not depend on size.
				if p := compute(t, base, live); tc.roles <= 1000 && !p.Empty() {
					t.Fatalf("the base estate against its own live state plans %d changes: the live state is built wrong", len(p.Changes))
				}
			}
			f := gen.File(gen.Params{Roles: tc.roles, Changed: tc.changed})
			p := compute(t, f, live)
			out := markdown(t, p)
			golden.Check(t, "testdata/fleet-"+name+".markdown.golden", out)
			if len(out) > render.DefaultMarkdownMaxBytes {
				t.Errorf("comment is %d bytes, over %d", len(out), render.DefaultMarkdownMaxBytes)
			}
			if p.Widens() && !strings.Contains(out, "> [!WARNING]\n> This plan needs a careful review: **access widens**") {
				t.Error("the plan widens access and the comment has no banner")
			}
			if len(p.Access) > 0 && !strings.Contains(out, "\n#### Access\n") {
				t.Error("the access section is gone")
			}
			if !strings.Contains(out, "| :-- | --: | --: | --: |\n| Account acct-0") {
				t.Error("the summary table is gone")
			}
			_, rest, _ := strings.Cut(out, "| role | gains |")
			table, _, _ := strings.Cut(rest, "\n\n")
			kept := strings.Count(table, "\n| `")
			if tc.base && kept != len(p.Access) {
				t.Errorf("the comment keeps %d of %d roles' access: a change's access section must stay whole", kept, len(p.Access))
			}
			if len(out) > 60000 && !strings.Contains(out, "the full plan is in the job summary and the plan artifact") {
				t.Error("a cut comment does not say where the full plan is")
			}
		})
	}
}
