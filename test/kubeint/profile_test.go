package kubeint

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// chainRoles are a source role bound to ns/app and a target role reached
// from it by chaining, with extra YAML on the assumedFrom entry.
func chainRoles(ns, profile string) string {
	return roleYAML("app", "{cluster: c1, namespace: "+ns+", name: app}") +
		"  - name: reader\n    account: prod\n    assumedFrom: [{role: app" + profile + "}]\n"
}

func getCM(t *testing.T, kube kubernetes.Interface, ns, name string) *corev1.ConfigMap {
	t.Helper()
	cm, err := kube.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get ConfigMap %s/%s: %v", ns, name, err)
	}
	return cm
}

// cmManagers lists a ConfigMap's field managers as "manager/operation".
func cmManagers(cm *corev1.ConfigMap) []string {
	var out []string
	for _, mf := range cm.ManagedFields {
		out = append(out, mf.Manager+"/"+string(mf.Operation))
	}
	slices.Sort(out)
	return out
}

// TestProfileConfigMapRoundTrip: the profile ConfigMap of a chain, as a
// real API server stores it: created by server-side apply under irsa-sync's
// field manager with the guide's profiles; a second run only reads; a hand
// edit of the profile is taken back while another manager's label stays;
// removing the chain strips only irsa-sync's fields from the ConfigMap
// others now manage too; and one only irsa-sync manages is deleted.
func TestProfileConfigMapRoundTrip(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	const owner = "profiles"
	var counter requestCounter
	profile := ", profileConfigMap: {cluster: c1, namespace: " + ns + ", name: reader-aws}"
	r := newRig(t, bindings(owner, []string{"c1"}, chainRoles(ns, profile)), fromConfig(counter.counting(env.Config)))
	r.converge(plan.Options{})

	cm := getCM(t, kube, ns, "reader-aws")
	want := map[string]string{
		resource.ProfileConfigKey: desired.ProfileConfig("reader", roleARN("reader"), "app", roleARN("app"), true),
		resource.ProfileNameKey:   "reader",
	}
	if diff := cmp.Diff(want, cm.Data); diff != "" {
		t.Errorf("data as the API server stores it (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{resource.FieldManager + "/Apply"}, cmManagers(cm)); diff != "" {
		t.Errorf("managers (-want +got):\n%s", diff)
	}
	wantMeta := map[string]string{resource.OwnerAnnotation: owner, resource.CreatedAnnotation: "true"}
	if diff := cmp.Diff(wantMeta, cm.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if cm.Labels[resource.ManagedLabel] != resource.ManagedValue {
		t.Errorf("labels %v: want %s=%s", cm.Labels, resource.ManagedLabel, resource.ManagedValue)
	}

	counter.take()
	if p := r.plan(plan.Options{}); !p.Empty() {
		t.Fatalf("second plan: %v", addresses(p.Changes))
	}
	for call := range counter.take() {
		if !strings.HasPrefix(call, "GET ") {
			t.Errorf("a run with nothing to change wrote: %s", call)
		}
		if strings.HasPrefix(call, "GET /api/v1/namespaces/"+ns+"/configmaps/") {
			t.Errorf("the read of a written ConfigMap is a GET of its own: %s (the labelled list holds it)", call)
		}
	}

	// Someone labels it with kubectl apply and edits the profile by hand.
	patch := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"reader-aws","labels":{"team":"data"}}}`
	if _, err := kube.CoreV1().ConfigMaps(ns).Patch(ctx, "reader-aws", types.ApplyPatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl"}); err != nil {
		t.Fatal(err)
	}
	cm = getCM(t, kube, ns, "reader-aws")
	cm.Data[resource.ProfileConfigKey] = strings.ReplaceAll(cm.Data[resource.ProfileConfigKey], "role/reader", "role/admin")
	if _, err := kube.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	p := r.plan(plan.Options{})
	if len(p.Changes) != 1 || p.Changes[0].Kind != resource.KindConfigMap || len(p.Changes[0].Fields) != 1 || p.Changes[0].Fields[0].Path() != "data.config" {
		t.Fatalf("plan after the edit: %+v, want the one data.config update", p.Changes)
	}
	r.converge(plan.Options{})
	cm = getCM(t, kube, ns, "reader-aws")
	if cm.Data[resource.ProfileConfigKey] != want[resource.ProfileConfigKey] || cm.Labels["team"] != "data" {
		t.Errorf("after apply: data %v labels %v, want the profile restored and kubectl's label kept", cm.Data, cm.Labels)
	}

	// The chain goes, with a ConfigMap others manage too: only irsa-sync's
	// fields leave it.
	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", "{cluster: c1, namespace: "+ns+", name: app}")))
	p = r.plan(plan.Options{})
	wantPrune := []string{"update cluster/c1/configmap/" + ns + "/reader-aws", "delete account/prod/role/reader"}
	if diff := cmp.Diff(wantPrune, addresses(p.Pruneable)); diff != "" {
		t.Fatalf("pruneable (-want +got), want the ConfigMap stripped of irsa-sync's fields:\n%s", diff)
	}
	r.converge(plan.Options{Prune: true})
	cm = getCM(t, kube, ns, "reader-aws")
	if len(cm.Data) != 0 || cm.Annotations[resource.OwnerAnnotation] != "" || cm.Labels[resource.ManagedLabel] != "" || cm.Labels["team"] != "data" {
		t.Errorf("after pruning: data %v annotations %v labels %v, want only kubectl's label left", cm.Data, cm.Annotations, cm.Labels)
	}

	// A chain whose ConfigMap only irsa-sync manages: pruning deletes it.
	profile2 := ", profileConfigMap: {cluster: c1, namespace: " + ns + ", name: reader-aws-2}"
	r.setFile(bindings(owner, []string{"c1"}, chainRoles(ns, profile2)))
	r.converge(plan.Options{Prune: true})
	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", "{cluster: c1, namespace: "+ns+", name: app}")))
	r.converge(plan.Options{Prune: true})
	if _, err := kube.CoreV1().ConfigMaps(ns).Get(ctx, "reader-aws-2", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap after pruning the chain: err = %v, want NotFound", err)
	}
}

// TestProfileConfigMapAdoption: a ConfigMap of that name made by hand is a
// conflict until the file adopts it; adopted, it holds the profile, keeps
// its other keys, and the hand-made field manager keeps those keys.
func TestProfileConfigMapAdoption(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	const owner = "profiles-adopt"
	hand := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "aws", Namespace: ns},
		Data: map[string]string{resource.ProfileConfigKey: "[default]\nregion = us-east-1\n", "app.properties": "x=1"}}
	if _, err := kube.CoreV1().ConfigMaps(ns).Create(ctx, hand, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
	profile := ", profileConfigMap: {cluster: c1, namespace: " + ns + ", name: aws}"
	r := newRig(t, bindings(owner, []string{"c1"}, chainRoles(ns, profile)), fromConfig(env.Config))
	p := r.plan(plan.Options{})
	if len(p.Conflicts) != 1 || !strings.Contains(p.Conflicts[0].Address, "/configmap/"+ns+"/aws") {
		t.Fatalf("conflicts %+v, want the hand-made ConfigMap", p.Conflicts)
	}
	if _, err := r.apply(p); err == nil {
		t.Fatal("apply of a plan with a conflict succeeded")
	}
	if got := getCM(t, kube, ns, "aws"); got.Data[resource.ProfileConfigKey] != hand.Data[resource.ProfileConfigKey] {
		t.Fatalf("a refused apply changed the ConfigMap: %v", got.Data)
	}

	r.setFile(bindings(owner, []string{"c1"}, chainRoles(ns, strings.Replace(profile, "name: aws}", "name: aws, adopt: true}", 1))))
	r.converge(plan.Options{})
	cm := getCM(t, kube, ns, "aws")
	if cm.Data["app.properties"] != "x=1" || cm.Data[resource.ProfileNameKey] != "reader" || !strings.Contains(cm.Data[resource.ProfileConfigKey], "[profile reader]") {
		t.Errorf("adopted ConfigMap data: %v", cm.Data)
	}
	if cm.Annotations[resource.OwnerAnnotation] != owner {
		t.Errorf("adopted ConfigMap annotations: %v", cm.Annotations)
	}
	if diff := cmp.Diff([]string{"irsa-sync/Apply", "kubectl-create/Update"}, cmManagers(cm)); diff != "" {
		t.Errorf("managers (-want +got):\n%s", diff)
	}
}

// TestProfileConfigMapLeastPrivilege: with exactly the example roles, the
// ConfigMap of a chain is created, updated and pruned; with the base role
// only, a file without profileConfigMaps plans as before (irsa-sync reads
// no ConfigMaps), and one with a profileConfigMap stops at the read, naming
// the refused permission, before anything is written.
func TestProfileConfigMapLeastPrivilege(t *testing.T) {
	env := testenv.Shared(t)
	admin := env.Clientset(t)
	ns := env.Namespace(t)
	bindExampleRole(t, admin, "irsa-sync-profiles")
	role := bindExample(t, admin, "profiles-clusterrole.yaml", "profiles-clusterrolebinding.yaml", "irsa-sync-profiles")
	wantRules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "create", "patch", "delete"}}}
	if diff := cmp.Diff(wantRules, role.Rules); diff != "" {
		t.Errorf("rules of the profiles ClusterRole (-want +got):\n%s", diff)
	}
	allowed := env.AddUser(t, "irsa-sync-profiles", nil)
	baseOnly := env.AddUser(t, "irsa-sync-no-profiles", nil)
	// The same example ClusterRole, bound to a second identity as well.
	second := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "irsa-sync-no-profiles"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "irsa-sync"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "irsa-sync-no-profiles"}}}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(context.Background(), second, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.RbacV1().ClusterRoleBindings().Delete(context.Background(), second.Name, metav1.DeleteOptions{})
	})

	const owner = "profiles-rbac"
	withProfile := func(name string) string {
		return bindings(owner, []string{"c1"}, chainRoles(ns, ", profileConfigMap: {cluster: c1, namespace: "+ns+", name: "+name+"}"))
	}
	r := newRig(t, withProfile("reader-aws"), fromConfig(allowed))
	r.converge(plan.Options{})
	r.setFile(withProfile("reader-aws-2"))
	p := r.converge(plan.Options{Prune: true})
	wantCMs := []string{"create cluster/c1/configmap/" + ns + "/reader-aws-2", "delete cluster/c1/configmap/" + ns + "/reader-aws"}
	var got []string
	for _, c := range p.Changes {
		if c.Kind == resource.KindConfigMap {
			got = append(got, string(c.Action)+" "+c.Address)
		}
	}
	if diff := cmp.Diff(wantCMs, got); diff != "" {
		t.Errorf("ConfigMap changes (-want +got):\n%s", diff)
	}

	plain := newRig(t, bindings(owner+"-plain", []string{"c1"}, roleYAML("app", "{cluster: c1, namespace: "+ns+", name: plain}")), fromConfig(baseOnly))
	plain.converge(plan.Options{})
	refused := newRig(t, withProfile("reader-aws-3"), fromConfig(baseOnly))
	_, err := refused.tryPlan(plan.Options{})
	assertForbidden(t, err, `cannot list resource "configmaps"`, `User "irsa-sync-no-profiles"`)
}
