package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// podIdentityRoles bind service accounts in every via, a role of another
// account through a source role, and two chains (with and without session
// tags), on the example's accounts and clusters.
const podIdentityRoles = `
roles:
  - name: app
    account: prod
    serviceAccounts:
      - {cluster: prod-use1, namespace: default, name: app}
      - {cluster: prod-use1, namespace: web, name: frontend, via: podIdentity}
      - {cluster: prod-use1, namespace: jobs, name: nightly, via: both}
  - name: pods-only
    account: prod
    path: /irsa/
    serviceAccounts:
      - {cluster: prod-use1, namespace: web, name: api, via: podIdentity}
  - name: reader
    account: data
    sourceRole: reader-source
    serviceAccounts:
      - {cluster: prod-use1, namespace: analytics, name: reader, via: podIdentity}
      - {cluster: prod-use1, namespace: analytics, name: both-reader, via: both}
  - name: warehouse-writer
    account: data
    assumedFrom:
      - {role: app}
  - name: tagger
    account: data
    assumedFrom:
      - {role: app, tagSession: true}
      - {role: pods-only}
`

// TestImportOfPodIdentityAndChains: an estate irsa-sync applied from a file
// binding via podIdentity and both, a cross-account role through a source
// role, and chains, imports to a file whose plan changes nothing and prunes
// nothing (a role left out would be pruneable), byte-identical twice.
func TestImportOfPodIdentityAndChains(t *testing.T) {
	t.Parallel()
	in := importInput(t)
	estate := filepath.Join(t.TempDir(), "estate.yaml")
	if err := os.WriteFile(estate, []byte(readFile(t, in)+podIdentityRoles), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := filepath.Join(t.TempDir(), "sb")
	mustRun(t, 0, "apply", "-f", estate, "--sandbox", sb)
	outA := filepath.Join(t.TempDir(), "a", "bindings.yaml")
	outB := filepath.Join(t.TempDir(), "b", "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", sb, "--out", outA)
	if code != 0 || stderr != "" {
		t.Fatalf("import: exit %d, reports:\n%s", code, stderr)
	}
	mustRun(t, 0, "import", "-f", in, "--sandbox", sb, "--out", outB)
	sameTree(t, filepath.Dir(outA), filepath.Dir(outB))
	planClean(t, sb, outA)
	t.Log(readFile(t, outA))
}

// planClean plans file against the sandbox in dir and fails unless it
// changes nothing and has nothing to prune.
func planClean(t *testing.T, dir, file string) {
	t.Helper()
	if out := mustRun(t, 0, "plan", "-f", file, "--sandbox", dir); !strings.Contains(out, "No changes.") {
		t.Errorf("plan of the imported file:\n%s", out)
	}
	p := sandboxPlan(t, dir, file)
	var got []string
	for _, ch := range append(append([]plan.Change(nil), p.Changes...), p.Pruneable...) {
		got = append(got, string(ch.Action)+" "+ch.Address)
	}
	for _, c := range append(append([]plan.Problem(nil), p.Conflicts...), p.Errors...) {
		got = append(got, c.Address+": "+c.Message)
	}
	if len(got) > 0 {
		t.Errorf("plan of the imported file changes, prunes or fails:\n%s", strings.Join(got, "\n"))
	}
}

// The guide's Pod Identity trust (EKS user guide, pod-id-role), narrowed
// with the condition keys it lists, as irsa-sync narrows it.
const (
	guidePodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:SourceAccount":"ACCOUNT","aws:RequestTag/kubernetes-namespace":"NS","aws:RequestTag/kubernetes-service-account":"NAME"},"ArnEquals":{"aws:SourceArn":"arn:aws:eks:us-east-1:ACCOUNT:cluster/prod-use1"}}}]}`
	// The guide's trust as its first example writes it: no condition.
	barePodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	// Without sts:TagSession: the association must disable session tags.
	untaggedPodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"ACCOUNT"}}}]}`
)

// podTrust fills a Pod Identity trust; with irsa, the guide's IRSA
// statement for the same service account is added (a binding via both).
func (h *handMade) podTrust(doc, account, ns, name string, irsa bool) string {
	doc = h.fill(doc, account, ns, name)
	if irsa {
		stmt := h.fill(guideTrust, account, ns, name)
		stmt = stmt[strings.Index(stmt, `"Statement":[`)+len(`"Statement":[`) : len(stmt)-2]
		doc = doc[:len(doc)-2] + "," + stmt + "]}"
	}
	return doc
}

// associate is aws eks create-pod-identity-association, with the real SDK.
func (h *handMade) associate(ns, name, roleARN string, disableTags bool) {
	h.t.Helper()
	cfg, err := h.sb.AWS(h.ctx, config.Account{Name: "prod", ID: h.ids["prod"]})
	if err != nil {
		h.t.Fatal(err)
	}
	client := eks.NewFromConfig(cfg, func(o *eks.Options) { o.Region = "us-east-1" })
	h.must(client.CreatePodIdentityAssociation(h.ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(h.cluster),
		Namespace: aws.String(ns), ServiceAccount: aws.String(name), RoleArn: aws.String(roleARN), DisableSessionTags: aws.Bool(disableTags)}))
}

// plainServiceAccount is kubectl create serviceaccount: Pod Identity needs
// no annotation.
func (h *handMade) plainServiceAccount(ns, name string) {
	kube := h.sb.Cluster(h.cluster).CoreV1()
	if _, err := kube.Namespaces().Get(h.ctx, ns, metav1.GetOptions{}); err != nil {
		h.must(kube.Namespaces().Create(h.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{FieldManager: "kubectl-create"}))
	}
	h.must(kube.ServiceAccounts(ns).Create(h.ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}, metav1.CreateOptions{FieldManager: "kubectl-create"}))
}

func (h *handMade) roleARN(account, name string) string {
	return "arn:aws:iam::" + h.ids[account] + ":role/" + name
}

// TestImportOfHandMadePodIdentity: associations made by hand (the guide's
// narrowed trust, create-pod-identity-association) import as bindings via
// podIdentity, and via both where the trust also admits the service account
// through OIDC; the plan is only the adoption; apply, and it is clean.
func TestImportOfHandMadePodIdentity(t *testing.T) {
	t.Parallel()
	in := importInput(t)
	dir := filepath.Join(t.TempDir(), "sb")
	h := newHandMade(t, dir, in)
	h.provider("prod")
	h.role("prod", "pi-app", h.podTrust(guidePodTrust, "prod", "shop", "cart", false), "cart service", "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
	h.role("prod", "pi-both", h.podTrust(guidePodTrust, "prod", "shop", "billing", true), "")
	h.plainServiceAccount("shop", "cart")
	h.serviceAccount("shop", "billing", h.roleARN("prod", "pi-both"))
	h.associate("shop", "cart", h.roleARN("prod", "pi-app"), false)
	h.associate("shop", "billing", h.roleARN("prod", "pi-both"), false)
	if err := h.sb.Close(); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", dir, "--out", file)
	if code != 0 || stderr != "" {
		t.Fatalf("import: exit %d, reports:\n%s", code, stderr)
	}
	text := readFile(t, file)
	for _, want := range []string{
		"  - name: pi-app\n    account: prod\n    description: cart service\n",
		"        namespace: shop\n        name: cart\n        adopt: true\n        via: podIdentity\n",
		"        namespace: shop\n        name: billing\n        adopt: true\n        via: both\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("imported file lacks %q:\n%s", want, text)
		}
	}
	got := adoptionOnly(t, dir, file)
	want := []string{"account/prod/role/pi-app", "account/prod/role/pi-both",
		"cluster/prod-use1/pod-identity-association/shop/billing", "cluster/prod-use1/pod-identity-association/shop/cart",
		"cluster/prod-use1/serviceaccount/shop/billing", "cluster/prod-use1/serviceaccount/shop/cart"}
	if diff := cmp.Diff(sorted(want), got); diff != "" {
		t.Errorf("adopted objects (-want +got):\n%s", diff)
	}
	mustRun(t, 0, "apply", "-f", file, "--sandbox", dir)
	planClean(t, dir, file)
}

// TestImportReportsPodIdentity: an add-on's association is reported, not
// imported; so are roles whose Pod Identity statement irsa-sync does not
// generate (no condition; no sts:TagSession), and their associations.
func TestImportReportsPodIdentity(t *testing.T) {
	t.Parallel()
	in := importInput(t)
	dir := filepath.Join(t.TempDir(), "sb")
	h := newHandMade(t, dir, in)
	h.role("prod", "ebs-csi", h.fill(barePodTrust, "prod", "", ""), "")
	h.role("prod", "bare", h.fill(barePodTrust, "prod", "", ""), "")
	h.role("prod", "untagged", h.fill(untaggedPodTrust, "prod", "", ""), "")
	addon := "arn:aws:eks:us-east-1:" + h.ids["prod"] + ":addon/prod-use1/aws-ebs-csi-driver/1"
	if _, err := h.sb.Emulator.SeedPodIdentityAssociation(h.ids["prod"], "us-east-1", h.cluster, emulator.AssociationSeed{
		Namespace: "kube-system", ServiceAccount: "ebs-csi-controller-sa", RoleArn: h.roleARN("prod", "ebs-csi"), OwnerArn: addon}); err != nil {
		t.Fatal(err)
	}
	h.associate("default", "bare", h.roleARN("prod", "bare"), false)
	h.associate("default", "untagged", h.roleARN("prod", "untagged"), true)
	if err := h.sb.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "import", "-f", in, "--sandbox", dir)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"not-imported: prod-use1/kube-system/ebs-csi-controller-sa: EKS Pod Identity association ",
		"is owned by the EKS add-on " + addon,
		"unrepresentable: prod/role bare: a trust statement trusts pods.eks.amazonaws.com with no condition",
		"unrepresentable: prod/role bare: left out of the file",
		"unrepresentable: prod/role untagged: a trust statement trusting pods.eks.amazonaws.com allows sts:AssumeRole; EKS Pod Identity needs exactly sts:AssumeRole and sts:TagSession",
		"not-imported: prod-use1/default/bare: EKS Pod Identity association ",
		"not-imported: prod-use1/default/untagged: EKS Pod Identity association ",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, absent := range []string{"ebs-csi", "bare", "untagged"} {
		if strings.Contains(out, absent) {
			t.Errorf("imported file has %q:\n%s", absent, out)
		}
	}
}
