package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// importInput writes the accounts and clusters of examples/bindings.yaml,
// with no policies and no roles: what a team starting with import writes.
func importInput(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s, _, ok := strings.Cut(s, "# Customer-managed IAM policies")
	if !ok {
		t.Fatal("examples/bindings.yaml has no policies section to cut")
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportOfAppliedEstate: for an estate irsa-sync applied, import writes
// a file whose plan says "No changes.", and two imports are byte-identical.
func TestImportOfAppliedEstate(t *testing.T) {
	t.Parallel()
	sb := filepath.Join(t.TempDir(), "sb")
	mustRun(t, 0, "apply", "-f", example, "--sandbox", sb)
	in := importInput(t)
	outA := filepath.Join(t.TempDir(), "a", "bindings.yaml")
	outB := filepath.Join(t.TempDir(), "b", "bindings.yaml")
	mustRun(t, 0, "import", "-f", in, "--sandbox", sb, "--out", outA)
	mustRun(t, 0, "import", "-f", in, "--sandbox", sb, "--out", outB)
	// Clean, pruning included: a role import left out would be pruneable.
	planClean(t, sb, outA)
	sameTree(t, filepath.Dir(outA), filepath.Dir(outB))
	stdout := mustRun(t, 0, "import", "-f", in, "--sandbox", sb)
	if a := readFile(t, outA); stdout != a {
		t.Errorf("import to stdout differs from --out:\n%s", cmp.Diff(a, stdout))
	}
}

// The guide's documents, with $account_id and $oidc_provider filled in.
const (
	guideTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::ACCOUNT:oidc-provider/HOST"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:NS:NAME"}}}]}`
	// The guide: "Replace StringEquals with StringLike and replace
	// $service_account with *".
	guideWildcardTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::ACCOUNT:oidc-provider/HOST"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:NS:*"}}}]}`
	// A second principal: not a binding.
	otherPrincipalTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::ACCOUNT:oidc-provider/HOST"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:NS:NAME"}}},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"sts:AssumeRole"}]}`
	guidePolicy         = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-pod-secrets-bucket"}]}`
)

// handMade builds an estate the guide's way, through the emulator's API with
// the real SDK and through the in-memory cluster's API, as kubectl would.
type handMade struct {
	t       *testing.T
	ctx     context.Context
	sb      *sandbox.Sandbox
	iam     map[string]*iam.Client // by account name
	ids     map[string]string
	issuer  string // host of prod-use1's issuer
	cluster string
}

func newHandMade(t *testing.T, dir, in string) *handMade {
	t.Helper()
	f, err := config.Load(in)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Open(dir, f, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &handMade{t: t, ctx: context.Background(), sb: sb, iam: map[string]*iam.Client{}, ids: map[string]string{}, cluster: "prod-use1"}
	for _, a := range f.Accounts {
		cfg, err := sb.AWS(h.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		h.iam[a.Name], h.ids[a.Name] = iam.NewFromConfig(cfg), a.ID
	}
	clients, err := connect.Open(h.ctx, f, sb)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := live.Issuer(h.ctx, clients.EKS[h.cluster], h.cluster)
	if err != nil {
		t.Fatal(err)
	}
	h.issuer = resource.IssuerHost(issuer)
	return h
}

func (h *handMade) fill(doc, account, ns, name string) string {
	return strings.NewReplacer("ACCOUNT", h.ids[account], "HOST", h.issuer, "NS", ns, "NAME", name).Replace(doc)
}

func (h *handMade) must(_ any, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *handMade) provider(account string) {
	h.must(h.iam[account].CreateOpenIDConnectProvider(h.ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://" + h.issuer), ClientIDList: []string{"sts.amazonaws.com"}}))
}

func (h *handMade) role(account, name, trust, description string, policies ...string) {
	h.must(h.iam[account].CreateRole(h.ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(description)}))
	for _, p := range policies {
		h.must(h.iam[account].AttachRolePolicy(h.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}))
	}
}

// serviceAccount is kubectl create namespace, apply -f my-service-account.yaml
// and annotate serviceaccount, each under kubectl's own field manager.
func (h *handMade) serviceAccount(ns, name, roleARN string) {
	kube := h.sb.Cluster(h.cluster).CoreV1()
	if _, err := kube.Namespaces().Get(h.ctx, ns, metav1.GetOptions{}); err != nil {
		h.must(kube.Namespaces().Create(h.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{FieldManager: "kubectl-create"}))
	}
	h.must(kube.ServiceAccounts(ns).Create(h.ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}))
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{resource.AnnotationRoleARN: roleARN}}})
	h.must(kube.ServiceAccounts(ns).Patch(h.ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-annotate"}))
}

// TestImportOfHandMadeEstate: an estate made the guide's way (a wildcard
// StringLike trust and a cross-account role among it) imports; its plan is
// only the adoption; apply, and the plan is clean. What the file cannot say
// is reported.
func TestImportOfHandMadeEstate(t *testing.T) {
	t.Parallel()
	in := importInput(t)
	dir := filepath.Join(t.TempDir(), "sb")
	h := newHandMade(t, dir, in)
	h.provider("prod")
	h.provider("data") // pattern A: cluster prod-use1's issuer in account data
	out, err := h.iam["prod"].CreatePolicy(h.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("my-policy"), PolicyDocument: aws.String(guidePolicy)})
	if err != nil {
		t.Fatal(err)
	}
	h.role("prod", "my-role", h.fill(guideTrust, "prod", "default", "my-service-account"), "my-role-description", aws.ToString(out.Policy.Arn))
	h.role("prod", "batch", h.fill(guideWildcardTrust, "prod", "batch", ""), "batch jobs", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
	h.role("data", "reader", h.fill(guideTrust, "data", "analytics", "reader"), "cross-account reader", "arn:aws:iam::aws:policy/AmazonAthenaFullAccess")
	h.role("prod", "mixed", h.fill(otherPrincipalTrust, "prod", "default", "mixed"), "")
	h.role("prod", "unrelated", strings.ReplaceAll(h.fill(guideTrust, "prod", "x", "y"), h.issuer, "oidc.example.com/id/OTHER"), "")
	h.serviceAccount("default", "my-service-account", "arn:aws:iam::"+h.ids["prod"]+":role/my-role")
	h.serviceAccount("analytics", "reader", "arn:aws:iam::"+h.ids["data"]+":role/reader")
	h.serviceAccount("default", "mixed", "arn:aws:iam::"+h.ids["prod"]+":role/mixed")
	h.serviceAccount("default", "gone", "arn:aws:iam::"+h.ids["prod"]+":role/deleted-by-hand")
	if err := h.sb.Close(); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", dir, "--out", file)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"unrepresentable: prod/role mixed: a trust statement names the principal {\"AWS\":",
		"unrepresentable: prod/role mixed: left out of the file",
		"not-imported: prod-use1/default/gone: annotated with arn:aws:iam::" + h.ids["prod"] + ":role/deleted-by-hand, but no such role exists",
		"not-imported: prod-use1/default/mixed: annotated with",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	text := readFile(t, file)
	for _, want := range []string{"name: my-role", "name: batch", "name: reader", "documentFile: policies/prod/my-policy.json"} {
		if !strings.Contains(text, want) {
			t.Errorf("imported file lacks %q:\n%s", want, text)
		}
	}
	for _, absent := range []string{"name: mixed", "unrelated"} {
		if strings.Contains(text, absent) {
			t.Errorf("imported file has %q:\n%s", absent, text)
		}
	}

	got := adoptionOnly(t, dir, file)
	want := []string{"account/data/role/reader", "account/prod/policy/my-policy", "account/prod/role/batch", "account/prod/role/my-role",
		"cluster/prod-use1/serviceaccount/analytics/reader", "cluster/prod-use1/serviceaccount/default/my-service-account"}
	if diff := cmp.Diff(sorted(want), got); diff != "" {
		t.Errorf("adopted objects (-want +got):\n%s", diff)
	}
	mustRun(t, 0, "apply", "-f", file, "--sandbox", dir)
	if out := mustRun(t, 0, "plan", "-f", file, "--sandbox", dir); !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply:\n%s", out)
	}
}

// TestImportKeepsUnrepresentable: --include-unrepresentable keeps the role
// with a comment on what the next apply changes.
func TestImportKeepsUnrepresentable(t *testing.T) {
	t.Parallel()
	in := importInput(t)
	dir := filepath.Join(t.TempDir(), "sb")
	h := newHandMade(t, dir, in)
	h.provider("prod")
	h.role("prod", "mixed", h.fill(otherPrincipalTrust, "prod", "default", "mixed"), "")
	if err := h.sb.Close(); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, 0, "import", "-f", in, "--sandbox", dir, "--include-unrepresentable")
	for _, want := range []string{
		"  # irsa-sync import kept this role though the file cannot express its live trust:\n  # - a trust statement names the principal {\"AWS\":",
		"  # The next apply replaces the trust",
		"  - name: mixed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// adoptionOnly plans file against the sandbox in dir and fails unless every
// change is an update that only takes ownership (the owner tag, the owner
// annotation); it returns the changed addresses, sorted.
func adoptionOnly(t *testing.T, dir, file string) []string {
	t.Helper()
	p := sandboxPlan(t, dir, file)
	if len(p.Conflicts)+len(p.Errors) > 0 {
		t.Fatalf("plan has conflicts %v and errors %v", p.Conflicts, p.Errors)
	}
	var got []string
	for _, ch := range p.Changes {
		got = append(got, ch.Address)
		if ch.Action != plan.Update || !ch.Adopt {
			t.Errorf("%s: %s (adopt %v), want an update that adopts", ch.Address, ch.Action, ch.Adopt)
		}
		for _, fl := range ch.Fields {
			ownerTag := fl.Name == plan.FieldTags
			// The pod-identity mark is ownership too: it tells the reader
			// which ServiceAccounts hold this owner's associations.
			ownerAnn := fl.Name == plan.FieldAnnotation && (fl.Key == resource.OwnerAnnotation || fl.Key == resource.PodIdentityAnnotation)
			if !ownerTag && !ownerAnn {
				t.Errorf("%s: changes %s %s, more than ownership", ch.Address, fl.Name, fl.Key)
			}
		}
	}
	return sorted(got)
}

// sandboxPlan loads and validates file and plans it against the sandbox
// in dir (without the pods' notes), failing the test on any error.
func sandboxPlan(t *testing.T, dir, file string) *plan.Plan {
	t.Helper()
	f, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Validate(f); d != nil {
		t.Fatalf("imported file is not valid:\n%v", d)
	}
	sb, err := sandbox.Open(dir, f, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	clients, err := connect.Open(context.Background(), f, sb)
	if err != nil {
		t.Fatal(err)
	}
	res, err := reconcile.Plan(context.Background(), f, clients, reconcile.Options{SkipPods: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Plan
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameTree fails unless two directories hold the same files, byte for byte.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	files := func(root string) map[string]string {
		m := map[string]string{}
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				m[rel] = readFile(t, p)
			}
			return err
		})
		return m
	}
	if diff := cmp.Diff(files(a), files(b)); diff != "" {
		t.Errorf("two imports differ (-first +second):\n%s", diff)
	}
}
