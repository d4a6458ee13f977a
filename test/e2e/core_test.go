package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const example = "../../examples/bindings.yaml"

func TestExampleFromEmptyThenNoChanges(t *testing.T) {
	h := newHarness(t, sandbox.Options{}).useFile(example)
	p, report := h.apply(plan.Options{})
	want := []string{
		"create account/data/oidc-provider/" + issuerHost(h, "prod-use1"),
		"create account/prod/oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
		"create account/prod/oidc-provider/" + issuerHost(h, "prod-use1"),
		"create account/prod/policy/my-policy",
		"create account/data/role/analytics-reader",
		"create account/prod/role/my-role",
		"create account/prod/role/web-frontend",
		"create cluster/prod-euw1/serviceaccount/default/my-service-account",
		"create cluster/prod-euw1/serviceaccount/web/frontend",
		"create cluster/prod-use1/pod-identity-association/jobs/nightly",
		"create cluster/prod-use1/pod-identity-association/web/frontend",
		"create cluster/prod-use1/serviceaccount/analytics/reader",
		"create cluster/prod-use1/serviceaccount/default/my-service-account",
		"create cluster/prod-use1/serviceaccount/jobs/nightly",
		"create cluster/prod-use1/serviceaccount/web/frontend",
	}
	if diff := cmp.Diff(want, addresses(p.Changes)); diff != "" {
		t.Errorf("changes from empty (-want +got):\n%s", diff)
	}
	if n := report.Count("applied"); n != len(want) {
		t.Errorf("applied %d changes, want %d", n, len(want))
	}
	h.resetCalls()
	again, _ := h.apply(plan.Options{})
	if !again.Empty() {
		t.Errorf("second plan is not empty: %v", addresses(again.Changes))
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("second apply wrote: %v", w)
	}
}

func issuerHost(h *harness, cluster string) string {
	for _, c := range h.file.Clusters {
		if c.Name == cluster {
			if c.OIDCIssuer != "" {
				return c.OIDCIssuer[len("https://"):]
			}
			id := ""
			for _, a := range h.file.Accounts {
				if a.Name == c.Account {
					id = a.ID
				}
			}
			return sandbox.Issuer(id, c.Region, c.Name)[len("https://"):]
		}
	}
	h.t.Fatalf("no cluster %q", cluster)
	return ""
}
