package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// TestAccountQuotasBlockThePlan checks the per-account quotas on the
// sandbox: a plan that would take an account past RolesQuota (as
// GetAccountSummary reports it) or past its OIDC providers quota (IAM's
// default of 100, or settings.oidcProvidersQuota) is an error naming the
// account and by how much, and applying it writes nothing.
func TestAccountQuotasBlockThePlan(t *testing.T) {
	t.Parallel()
	exampleText, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		settings string
		seed     func(h *harness)
		want     []plan.Problem
	}{
		{name: "roles: one under the quota", seed: func(h *harness) {
			// data holds the role irsa-sync assumes; the plan creates one.
			h.sb.Emulator.SetQuota(dataID, "RolesQuota", 2)
		}},
		{name: "roles: one over the quota", seed: func(h *harness) {
			h.sb.Emulator.SetQuota(dataID, "RolesQuota", 1)
		}, want: []plan.Problem{{Address: "account/data", Message: "the plan creates 1 role (and deletes 0) in account 444455556666, which holds 1: 2, 1 over its RolesQuota of 1;"}}},
		{name: "providers: 98 held, 2 created, default quota 100", seed: func(h *harness) { seedProviders(h, "prod", 98) }},
		{name: "providers: 99 held, 2 created, default quota 100", seed: func(h *harness) { seedProviders(h, "prod", 99) },
			want: []plan.Problem{{Address: "account/prod", Message: "the plan creates 2 OIDC providers (and deletes 0) in account 111122223333, which holds 99: 101, 1 over its OIDC providers per account quota of 100;"}}},
		{name: "providers: a raised quota declared in settings", settings: "settings: {oidcProvidersQuota: 101}\n", seed: func(h *harness) {
			seedProviders(h, "prod", 99)
			h.sb.Emulator.SetQuota(prodID, "OpenIdConnectProvidersQuota", 101)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sandbox.Options{}).use(string(exampleText) + tt.settings)
			tt.seed(h)
			h.resetCalls()
			p := h.plan(plan.Options{})
			got := append([]plan.Problem(nil), p.Errors...)
			trim := cmp.Transformer("prefix", func(ps []plan.Problem) []plan.Problem {
				out := make([]plan.Problem, len(ps))
				for i, e := range ps {
					msg, _, _ := strings.Cut(e.Message, ";")
					out[i] = plan.Problem{Address: e.Address, Message: msg + ";"}
				}
				return out
			})
			if diff := cmp.Diff(tt.want, got, trim); diff != "" {
				t.Fatalf("plan errors (-want +got):\n%s", diff)
			}
			if len(tt.want) > 0 {
				if !p.Blocked() {
					t.Fatal("a plan over a quota is not blocked")
				}
				if _, err := h.run(p); !errors.Is(err, apply.ErrBlocked) {
					t.Errorf("apply of a plan over a quota: err = %v, want ErrBlocked", err)
				}
				if w := h.writes(); len(w) != 0 {
					t.Errorf("plan and apply wrote: %v", w)
				}
				return
			}
			if _, report := h.apply(plan.Options{}); report.Count(plan.Failed) > 0 {
				t.Fatalf("apply within the quota failed: %+v", report)
			}
		})
	}
}

// seedProviders creates n OIDC providers of other issuers in an account, as
// other clusters or tools would hold them.
func seedProviders(h *harness, account string, n int) {
	h.t.Helper()
	for i := range n {
		_, err := h.iam(account).CreateOpenIDConnectProvider(context.Background(), &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String(fmt.Sprintf("https://oidc.example.com/seeded-%d", i)), ClientIDList: []string{"sts.amazonaws.com"},
		})
		if err != nil {
			h.t.Fatalf("seed provider %d: %v", i, err)
		}
	}
}
