package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// chainFile is the AWS guide's pattern B: the pod's role app in account pods
// chains to reader in account data. The target's address sorts before the
// source's, so only the chain order puts the source first, as IAM needs:
// a trust naming a role that does not exist yet is refused.
const chainFile = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: pods, id: "111122223333"}
  - {name: data, id: "444455556666", assumeRoleArn: "arn:aws:iam::444455556666:role/irsa-sync"}
clusters:
  - {name: c1, account: pods, region: us-east-1}
roles:
  - name: SOURCE
    account: pods
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: app}
  - name: TARGET
    account: data
    CHAIN
`

func chainYAML(source, target, chain string) string {
	return strings.NewReplacer("SOURCE", source, "TARGET", target, "CHAIN", chain).Replace(chainFile)
}

const (
	pods = "111122223333"
	data = "444455556666"
)

// liveTrust and liveInline read a role's documents straight from IAM.
func liveTrust(t *testing.T, h *harness, account, role string) policy.Document {
	t.Helper()
	out, err := h.iam(account).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("get role %s: %v", role, err)
	}
	return decodeDoc(t, aws.ToString(out.Role.AssumeRolePolicyDocument))
}

func liveInlineNames(t *testing.T, h *harness, account, role string) []string {
	t.Helper()
	out, err := h.iam(account).ListRolePolicies(context.Background(), &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("list role policies of %s: %v", role, err)
	}
	return out.PolicyNames
}

func liveInline(t *testing.T, h *harness, account, role, name string) policy.Document {
	t.Helper()
	out, err := h.iam(account).GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		t.Fatalf("get inline policy %s of %s: %v", name, role, err)
	}
	return decodeDoc(t, aws.ToString(out.PolicyDocument))
}

func decodeDoc(t *testing.T, s string) policy.Document {
	t.Helper()
	text, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func chainTrust(source string, tagSession bool) policy.Document {
	action := `"sts:AssumeRole"`
	if tagSession {
		action = `["sts:AssumeRole","sts:TagSession"]`
	}
	return policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + source + `"},"Action":` + action + `}]}`)
}

func chainPermission(targets ...string) policy.Document {
	var stmts []string
	for _, t := range targets {
		stmts = append(stmts, `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+t+`"}`)
	}
	return policy.MustParse(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
}

// TestChainFromEmptyThenNoChanges applies a chain from nothing: the source
// role is created before the target whose trust names it, the target's trust
// names exactly the source with sts:AssumeRole, the source may assume exactly
// the target, and a second apply writes nothing.
func TestChainFromEmptyThenNoChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", "assumedFrom: [{role: app}]"))
	p, _ := h.apply(plan.Options{})
	want := []string{"create account/pods/oidc-provider/" + resource.IssuerHost(sandbox.Issuer(pods, "us-east-1", "c1")),
		"create account/pods/role/app", "create account/data/role/reader", "create cluster/c1/serviceaccount/apps/app"}
	if diff := cmp.Diff(want, addresses(p.Changes)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	source, target := resource.RoleARN("aws", pods, "/", "app"), resource.RoleARN("aws", data, "/", "reader")
	if got := liveTrust(t, h, "data", "reader"); !got.Equal(chainTrust(source, false)) {
		t.Errorf("target trust = %s, want only the source's sts:AssumeRole", got)
	}
	if got := liveInline(t, h, "pods", "app", resource.ChainPolicyName); !got.Equal(chainPermission(target)) {
		t.Errorf("source permission = %s, want sts:AssumeRole on exactly %s", got, target)
	}
	h.resetCalls()
	p, _ = h.apply(plan.Options{})
	if !p.Empty() {
		t.Errorf("second plan has changes: %v", addresses(p.Changes))
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("second apply wrote: %v", w)
	}
}

// TestChainFollowsRenames renames the source, then the target, then adds
// sts:TagSession: each time both halves follow in one apply, the old role is
// pruned, and the next plan is empty.
func TestChainFollowsRenames(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", "assumedFrom: [{role: app}]"))
	h.apply(plan.Options{})

	h.use(chainYAML("app2", "reader", "assumedFrom: [{role: app2}]"))
	p, _ := h.apply(plan.Options{Prune: true})
	want := []string{"create account/pods/role/app2", "update account/data/role/reader", "update cluster/c1/serviceaccount/apps/app", "delete account/pods/role/app"}
	if diff := cmp.Diff(want, addresses(p.Changes)); diff != "" {
		t.Errorf("renaming the source: changes (-want +got):\n%s", diff)
	}
	target := resource.RoleARN("aws", data, "/", "reader")
	if got := liveTrust(t, h, "data", "reader"); !got.Equal(chainTrust(resource.RoleARN("aws", pods, "/", "app2"), false)) {
		t.Errorf("target trust after renaming the source = %s", got)
	}
	if got := liveInline(t, h, "pods", "app2", resource.ChainPolicyName); !got.Equal(chainPermission(target)) {
		t.Errorf("new source's permission = %s", got)
	}
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() {
		t.Errorf("plan after renaming the source: %v", addresses(p.Changes))
	}

	h.use(chainYAML("app2", "reader2", "assumedFrom: [{role: app2, tagSession: true}]"))
	p, _ = h.apply(plan.Options{Prune: true})
	want = []string{"update account/pods/role/app2", "create account/data/role/reader2", "delete account/data/role/reader"}
	if diff := cmp.Diff(want, addresses(p.Changes)); diff != "" {
		t.Errorf("renaming the target: changes (-want +got):\n%s", diff)
	}
	if got := liveTrust(t, h, "data", "reader2"); !got.Equal(chainTrust(resource.RoleARN("aws", pods, "/", "app2"), true)) {
		t.Errorf("renamed target's trust = %s, want sts:AssumeRole and sts:TagSession", got)
	}
	wantPerm := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"` + resource.RoleARN("aws", data, "/", "reader2") + `"}]}`)
	if got := liveInline(t, h, "pods", "app2", resource.ChainPolicyName); !got.Equal(wantPerm) {
		t.Errorf("source's permission after renaming the target = %s", got)
	}
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() {
		t.Errorf("plan after renaming the target: %v", addresses(p.Changes))
	}
}

// TestChainRemoved drops the chain while the target stays, bound to a
// service account of its own: the trust statement and the source's inline
// policy both go in one apply.
func TestChainRemoved(t *testing.T) {
	t.Parallel()
	bound := "serviceAccounts: [{cluster: c1, namespace: apps, name: reader}]\n    "
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", bound+"assumedFrom: [{role: app}]"))
	h.apply(plan.Options{})
	if got := liveInlineNames(t, h, "pods", "app"); !cmp.Equal(got, []string{resource.ChainPolicyName}) {
		t.Fatalf("source's inline policies = %v", got)
	}
	h.use(chainYAML("app", "reader", bound))
	p, _ := h.apply(plan.Options{})
	var fields []string
	for _, c := range p.Changes {
		fields = append(fields, c.Address+" ["+fieldNames(c)+"]")
	}
	want := []string{"account/data/role/reader [trust]", "account/pods/role/app [inlinePolicies." + resource.ChainPolicyName + "]"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("removing the chain: changes (-want +got):\n%s", diff)
	}
	if got := liveInlineNames(t, h, "pods", "app"); len(got) != 0 {
		t.Errorf("source keeps inline policies %v", got)
	}
	if got := liveTrust(t, h, "data", "reader").JSON(); strings.Contains(got, "AWS") || strings.Contains(got, "sts:AssumeRole\"") {
		t.Errorf("target trust keeps the chain: %s", got)
	}
	if p := h.plan(plan.Options{}); !p.Empty() {
		t.Errorf("plan after removing the chain: %v", addresses(p.Changes))
	}
}

// TestChainWithinOneAccountWarns: the plan says a direct binding would do.
func TestChainWithinOneAccountWarns(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(chainYAML("app", "reader", "assumedFrom: [{role: app}]"), "account: data\n", "account: pods\n", 1)
	p := newHarness(t, sandbox.Options{}).use(yaml).plan(plan.Options{})
	var got []string
	for _, w := range p.Warnings {
		if strings.Contains(w.Message, "chaining") {
			got = append(got, w.Address)
		}
	}
	if diff := cmp.Diff([]string{"account/pods/role/reader"}, got); diff != "" {
		t.Errorf("chain warnings (-want +got):\n%s", diff)
	}
}
