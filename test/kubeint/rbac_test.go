package kubeint

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// decodeExample reads a file of examples/rbac strictly into out: a field the
// API type does not have is an error, as kubectl apply would report it.
func decodeExample(t *testing.T, name string, out any) {
	t.Helper()
	b, err := os.ReadFile("../../examples/rbac/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, out); err != nil {
		t.Fatalf("examples/rbac/%s: %v", name, err)
	}
}

// bindExampleRole creates the example ClusterRole and binds it, through the
// example binding's roleRef, to user instead of the CronJob's
// ServiceAccount.
func bindExampleRole(t *testing.T, admin kubernetes.Interface, user string) {
	t.Helper()
	bindExample(t, admin, "clusterrole.yaml", "clusterrolebinding.yaml", user)
}

// bindExample creates the ClusterRole of examples/rbac/roleFile and binds
// it to user through the roleRef of examples/rbac/bindingFile, whose
// subject must be the CronJob's ServiceAccount; it returns the role, for
// callers that check its rules.
func bindExample(t *testing.T, admin kubernetes.Interface, roleFile, bindingFile, user string) rbacv1.ClusterRole {
	t.Helper()
	ctx := context.Background()
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	decodeExample(t, roleFile, &role)
	decodeExample(t, bindingFile, &binding)
	if binding.RoleRef.Name != role.Name || binding.RoleRef.Kind != "ClusterRole" {
		t.Fatalf("examples/rbac/%s refers to %s %q, not the ClusterRole %q of %s", bindingFile, binding.RoleRef.Kind, binding.RoleRef.Name, role.Name, roleFile)
	}
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "irsa-sync", Namespace: "irsa-sync"}}
	if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" {
		t.Errorf("subjects of examples/rbac/%s (-want +got):\n%s", bindingFile, diff)
	}
	binding.Subjects = []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, &role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create the ClusterRole of %s: %v", roleFile, err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create the ClusterRoleBinding of %s: %v", bindingFile, err)
	}
	t.Cleanup(func() {
		_ = admin.RbacV1().ClusterRoleBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{})
		_ = admin.RbacV1().ClusterRoles().Delete(ctx, role.Name, metav1.DeleteOptions{})
	})
	return role
}

// TestLeastPrivilege: an identity bound to exactly examples/rbac can read,
// list pods, and apply creates, updates (to a Helm-made ServiceAccount) and
// prune deletes; one without it is refused with the verb, resource and
// namespace named, and nothing is written.
func TestLeastPrivilege(t *testing.T) {
	env := testenv.Shared(t)
	admin := env.Clientset(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	bindExampleRole(t, admin, "irsa-sync-least")
	allowed := env.AddUser(t, "irsa-sync-least", nil)
	refused := env.AddUser(t, "irsa-sync-nobody", nil)

	sa := func(name string, extra string) string {
		return "{cluster: c1, namespace: " + ns + ", name: " + name + extra + "}"
	}
	const owner = "rbac"
	r := newRig(t, bindings(owner, []string{"c1"}, roleYAML("app", sa("app", ""), sa("old", ""))), fromConfig(allowed))
	r.converge(plan.Options{})
	if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "helm", Labels: map[string]string{"app.kubernetes.io/managed-by": "Helm"}}}, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}

	// One plan with a create, two updates and a prune delete.
	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", sa("app", ", stsRegionalEndpoints: true"), sa("helm", ""), sa("new", ""))))
	p := r.plan(plan.Options{Prune: true})
	prefix := "cluster/c1/serviceaccount/" + ns + "/"
	wantChanges := []string{"update " + prefix + "app", "update " + prefix + "helm", "create " + prefix + "new", "delete " + prefix + "old"}
	if diff := cmp.Diff(wantChanges, kubeChanges(p)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	before := snapshot(t, admin, ns)

	// Without the role: the read is refused, naming verb and resource...
	nobody, err := corev1client.NewForConfig(refused)
	if err != nil {
		t.Fatal(err)
	}
	_, err = live.ReadCluster(ctx, nobody, "c1", "https://issuer.invalid")
	assertForbidden(t, err, `cannot list resource "namespaces"`)
	_, err = live.PodsUsing(ctx, nobody, []resource.ServiceAccount{{Cluster: "c1", Namespace: ns, Name: "app"}})
	assertForbidden(t, err, `cannot list resource "pods"`, `in the namespace "`+ns+`"`)
	// ...and so is every write: the dry run of each ServiceAccount change
	// is refused before the first write, so nothing is applied at all, the
	// role's trust (IAM, written first otherwise) included.
	report, err := apply.Run(ctx, p, apply.Clients{IAM: r.clients.IAM, Kube: map[string]corev1client.CoreV1Interface{"c1": nobody}}, apply.Options{})
	if !errors.Is(err, apply.ErrPreflight) {
		t.Fatalf("apply without the role: err = %v, want apply.ErrPreflight", err)
	}
	for _, res := range report.Results {
		if res.Status != apply.Skipped || res.Writes != 0 {
			t.Errorf("%s: status %s with %d writes, want skipped with none", res.Address, res.Status, res.Writes)
		}
	}
	for _, verb := range []string{"patch", "delete"} {
		assertForbidden(t, err, `cannot `+verb+` resource "serviceaccounts"`, `in the namespace "`+ns+`"`, `User "irsa-sync-nobody"`)
	}
	if again := r.plan(plan.Options{Prune: true}); len(again.Changes) != len(p.Changes) {
		t.Errorf("after the refused apply the plan has %d changes, want the same %d (nothing applied)", len(again.Changes), len(p.Changes))
	}
	if diff := cmp.Diff(before, snapshot(t, admin, ns)); diff != "" {
		t.Fatalf("the refused apply changed service accounts (-before +after):\n%s", diff)
	}

	// With the role: reads, pod lists and every write go through.
	if _, err := live.PodsUsing(ctx, r.clients.Kube["c1"], []resource.ServiceAccount{{Cluster: "c1", Namespace: ns, Name: "app"}}); err != nil {
		t.Fatalf("PodsUsing with the example role: %v", err)
	}
	if _, err := r.apply(p); err != nil {
		t.Fatalf("apply with the example role: %v", err)
	}
	if _, err := admin.CoreV1().ServiceAccounts(ns).Get(ctx, "old", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("pruned service account: get = %v, want NotFound", err)
	}
	if again := r.plan(plan.Options{Prune: true}); !again.Empty() {
		t.Errorf("plan after apply with the example role: %v", addresses(again.Changes))
	}
}

func assertForbidden(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want a refusal containing %q", want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
}

// snapshot is every ServiceAccount of ns with its annotations and labels.
func snapshot(t *testing.T, kube kubernetes.Interface, ns string) map[string]corev1.ServiceAccount {
	t.Helper()
	list, err := kube.CoreV1().ServiceAccounts(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]corev1.ServiceAccount{}
	for _, sa := range list.Items {
		out[sa.Name] = corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa.Name, ResourceVersion: sa.ResourceVersion, Labels: sa.Labels, Annotations: sa.Annotations}}
	}
	return out
}
