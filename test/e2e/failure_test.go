package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// TestPartialFailureThenRerunConverges makes every iam:AttachRolePolicy
// fail (persistently, since the SDK retries a 500) while the example is
// applied from empty. Apply reports what was applied, what failed and what
// was not started; once the fault is cleared a rerun converges to exactly
// the state a clean apply leaves.
func TestPartialFailureThenRerunConverges(t *testing.T) {
	h := newHarness(t, sandbox.Options{}).useFile(example)
	use1 := issuerHost(h, "prod-use1")
	h.sb.Emulator.SetFault(func(service, action string) error {
		if service == "iam" && action == "AttachRolePolicy" {
			return &emulator.APIError{Status: 500, Code: "ServiceFailure", Message: "injected"}
		}
		return nil
	})
	p := h.plan(plan.Options{})
	report, err := h.run(p)
	if err == nil || errors.Is(err, apply.ErrBlocked) {
		t.Fatalf("apply with a failing AttachRolePolicy: %v, want a failure", err)
	}
	h.sb.Emulator.SetFault(nil)

	type outcome struct{ Address, Status, Error, WaitedOn string }
	var got []outcome
	for _, r := range report.Results {
		o := outcome{Address: r.Address, Status: string(r.Status), WaitedOn: r.WaitedOn}
		if r.Error != "" {
			// The part of the message that names the object and the step.
			o.Error, _, _ = strings.Cut(r.Error, ": ")
		}
		got = append(got, o)
	}
	want := []outcome{
		{"account/data/oidc-provider/" + use1, "applied", "", ""},
		{"account/prod/oidc-provider/" + euw1, "applied", "", ""},
		{"account/prod/oidc-provider/" + use1, "applied", "", ""},
		{"account/prod/policy/my-policy", "applied", "", ""},
		{"account/data/role/analytics-reader", "failed", `attach policy arn:aws:iam::aws:policy/AmazonAthenaFullAccess of role "analytics-reader"`, ""},
		{"account/prod/role/my-role", "failed", `attach policy arn:aws:iam::111122223333:policy/my-policy of role "my-role"`, ""},
		// web-frontend attaches nothing: it and everything naming it apply.
		{"account/prod/role/web-frontend", "applied", "", ""},
		{"cluster/prod-euw1/serviceaccount/default/my-service-account", "skipped", "", "account/prod/role/my-role"},
		{"cluster/prod-euw1/serviceaccount/web/frontend", "applied", "", ""},
		{"cluster/prod-use1/pod-identity-association/jobs/nightly", "applied", "", ""},
		{"cluster/prod-use1/pod-identity-association/web/frontend", "applied", "", ""},
		{"cluster/prod-use1/serviceaccount/analytics/reader", "skipped", "", "account/data/role/analytics-reader"},
		{"cluster/prod-use1/serviceaccount/default/my-service-account", "skipped", "", "account/prod/role/my-role"},
		{"cluster/prod-use1/serviceaccount/jobs/nightly", "applied", "", ""},
		{"cluster/prod-use1/serviceaccount/web/frontend", "applied", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results of the failed apply (-want +got):\n%s", diff)
	}
	for _, r := range report.Results {
		if strings.Contains(r.Address, "/role/") && r.Status == "failed" && r.Writes != 2 {
			t.Errorf("%s: %d writes, want 2 (CreateRole, then the failed attach)", r.Address, r.Writes)
		}
	}
	if !strings.Contains(err.Error(), "2 of 15 changes failed, 3 not started; 10 applied") {
		t.Errorf("apply error %q does not count what happened", err)
	}

	// The rerun sees the roles irsa-sync created (tagged in CreateRole) and
	// finishes them instead of meeting a conflict.
	h.resetCalls()
	p, _ = h.apply(plan.Options{})
	wantRerun := []string{
		"update account/data/role/analytics-reader [managedPolicies]",
		"update account/prod/role/my-role [managedPolicies]",
		"create cluster/prod-euw1/serviceaccount/default/my-service-account",
		"create cluster/prod-use1/serviceaccount/analytics/reader",
		"create cluster/prod-use1/serviceaccount/default/my-service-account",
	}
	if diff := cmp.Diff(wantRerun, changeLines(p.Changes)); diff != "" {
		t.Errorf("rerun changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"iam:AttachRolePolicy": 3, "k8s:patch serviceaccounts": 3}, h.writes()); diff != "" {
		t.Errorf("rerun writes (-want +got):\n%s", diff)
	}
	if again := h.plan(plan.Options{}); !again.Empty() {
		t.Errorf("plan after the rerun: %v", changeLines(again.Changes))
	}

	clean := newHarness(t, sandbox.Options{}).useFile(example)
	clean.apply(plan.Options{})
	if diff := cmp.Diff(clean.read(live.Options{}), h.read(live.Options{}), cmpLive); diff != "" {
		t.Errorf("state after failure and rerun differs from a clean apply's (-clean +rerun):\n%s", diff)
	}
}
