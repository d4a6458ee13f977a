package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const profileChain = "assumedFrom: [{role: app, profileConfigMap: {cluster: c1, namespace: apps, name: reader-aws}}]"

// liveConfigMap reads a ConfigMap of cluster c1 straight from its API.
func liveConfigMap(t *testing.T, h *harness, ns, name string) *corev1.ConfigMap {
	t.Helper()
	cm, err := h.sb.Cluster("c1").CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get ConfigMap %s/%s: %v", ns, name, err)
	}
	return cm
}

// TestProfileConfigMapFromEmpty: a chain with a profileConfigMap creates
// the ConfigMap after both roles, holding the guide's two profiles with the
// live ARNs; the second apply writes nothing.
func TestProfileConfigMapFromEmpty(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", profileChain))
	p, _ := h.apply(plan.Options{})
	if got := addresses(p.Changes); !containsString(got, "create cluster/c1/configmap/apps/reader-aws") {
		t.Fatalf("changes %v: no ConfigMap create", got)
	}
	source, target := resource.RoleARN("aws", pods, "/", "app"), resource.RoleARN("aws", data, "/", "reader")
	cm := liveConfigMap(t, h, "apps", "reader-aws")
	wantData := map[string]string{
		resource.ProfileConfigKey: desired.ProfileConfig("reader", target, "app", source, true),
		resource.ProfileNameKey:   "reader",
	}
	if diff := cmp.Diff(wantData, cm.Data); diff != "" {
		t.Errorf("ConfigMap data (-want +got):\n%s", diff)
	}
	for _, want := range []string{"[profile reader]\nrole_arn = " + target + "\nsource_profile = app\n", "[profile app]\nrole_arn = " + source + "\nweb_identity_token_file = " + resource.WebIdentityTokenFile + "\n"} {
		if !strings.Contains(cm.Data[resource.ProfileConfigKey], want) {
			t.Errorf("config lacks %q:\n%s", want, cm.Data[resource.ProfileConfigKey])
		}
	}
	if cm.Labels[resource.ManagedLabel] != resource.ManagedValue || cm.Annotations[resource.OwnerAnnotation] != "team-a" {
		t.Errorf("ConfigMap labels %v, annotations %v: want the managed-by label and the owner", cm.Labels, cm.Annotations)
	}
	var managers []string
	for _, mf := range cm.ManagedFields {
		managers = append(managers, mf.Manager+"/"+string(mf.Operation))
	}
	if diff := cmp.Diff([]string{resource.FieldManager + "/Apply"}, managers); diff != "" {
		t.Errorf("managed fields (-want +got):\n%s", diff)
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

// TestProfileConfigMapRestoresEdits: a hand edit of the profile is shown as
// a data change and the next apply takes it back; a key someone else added
// is theirs and stays.
func TestProfileConfigMapRestoresEdits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", profileChain))
	h.apply(plan.Options{})
	api := h.sb.Cluster("c1").CoreV1().ConfigMaps("apps")
	cm := liveConfigMap(t, h, "apps", "reader-aws")
	want := cm.Data[resource.ProfileConfigKey]
	cm.Data[resource.ProfileConfigKey] = strings.Replace(want, "role/reader", "role/admin", 1)
	cm.Data["note"] = "kept"
	if _, err := api.Update(context.Background(), cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	p, _ := h.apply(plan.Options{})
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Address+" ["+fieldNames(c)+"]")
	}
	if diff := cmp.Diff([]string{"cluster/c1/configmap/apps/reader-aws [data.config]"}, got); diff != "" {
		t.Errorf("plan after the edit (-want +got):\n%s", diff)
	}
	cm = liveConfigMap(t, h, "apps", "reader-aws")
	if cm.Data[resource.ProfileConfigKey] != want || cm.Data["note"] != "kept" {
		t.Errorf("after apply: data %v, want the profile restored and note kept", cm.Data)
	}
	if p := h.plan(plan.Options{}); !p.Empty() {
		t.Errorf("plan after restoring: %v", addresses(p.Changes))
	}
}

// TestProfileConfigMapOfSomeoneElse: a ConfigMap of that name made by hand
// is a conflict; adopt takes it over, leaving its other keys; removing the
// chain then strips only what irsa-sync set, and a ConfigMap irsa-sync
// created is deleted with --prune.
func TestProfileConfigMapOfSomeoneElse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", profileChain))
	hand := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "reader-aws", Namespace: "apps"}, Data: map[string]string{"config": "[default]\n", "other": "x"}}
	if _, err := h.sb.Cluster("c1").CoreV1().ConfigMaps("apps").Create(context.Background(), hand, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
	p := h.plan(plan.Options{})
	if len(p.Conflicts) != 1 || p.Conflicts[0].Address != "cluster/c1/configmap/apps/reader-aws" || !strings.Contains(p.Conflicts[0].Message, "adopt: true") {
		t.Fatalf("conflicts = %+v, want one on the ConfigMap naming adopt", p.Conflicts)
	}
	h.use(chainYAML("app", "reader", strings.Replace(profileChain, "name: reader-aws}", "name: reader-aws, adopt: true}", 1)))
	p, _ = h.apply(plan.Options{})
	var adopted *plan.Change
	for i, c := range p.Changes {
		if c.Kind == resource.KindConfigMap {
			adopted = &p.Changes[i]
		}
	}
	if adopted == nil || adopted.Action != plan.Update || !adopted.Adopt {
		t.Fatalf("ConfigMap change = %+v, want an adopting update", adopted)
	}
	cm := liveConfigMap(t, h, "apps", "reader-aws")
	if cm.Data["other"] != "x" || cm.Annotations[resource.OwnerAnnotation] != "team-a" || !strings.Contains(cm.Data["config"], "[profile reader]") {
		t.Errorf("adopted ConfigMap: data %v, annotations %v", cm.Data, cm.Annotations)
	}
	if _, created := cm.Annotations[resource.CreatedAnnotation]; created {
		t.Errorf("an adopted ConfigMap is marked created: %v", cm.Annotations)
	}

	// The chain goes: the adopted ConfigMap keeps what was not irsa-sync's.
	h.use(chainYAML("app", "reader", "serviceAccounts: [{cluster: c1, namespace: apps, name: reader}]"))
	if p := h.plan(plan.Options{}); len(p.Pruneable) != 1 || p.Pruneable[0].Action != plan.Update || p.Pruneable[0].Kind != resource.KindConfigMap {
		t.Fatalf("pruneable = %v, want the ConfigMap stripped", addresses(p.Pruneable))
	}
	h.apply(plan.Options{Prune: true})
	cm = liveConfigMap(t, h, "apps", "reader-aws")
	if diff := cmp.Diff(map[string]string{"other": "x"}, cm.Data); diff != "" {
		t.Errorf("data after pruning (-want +got):\n%s", diff)
	}
	if cm.Annotations[resource.OwnerAnnotation] != "" || cm.Labels[resource.ManagedLabel] != "" {
		t.Errorf("after pruning: annotations %v labels %v, want irsa-sync's gone", cm.Annotations, cm.Labels)
	}
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() {
		t.Errorf("plan after pruning: %v", addresses(p.Changes))
	}
}

// TestProfileConfigMapPrunedWithChain: removing the chain removes the trust
// statement and the permission at once, and lists the ConfigMap irsa-sync
// created as pruneable; --prune deletes it.
func TestProfileConfigMapPrunedWithChain(t *testing.T) {
	t.Parallel()
	bound := "serviceAccounts: [{cluster: c1, namespace: apps, name: reader}]\n    "
	h := newHarness(t, sandbox.Options{}).use(chainYAML("app", "reader", bound+profileChain))
	h.apply(plan.Options{})
	h.use(chainYAML("app", "reader", bound))
	p := h.plan(plan.Options{})
	if diff := cmp.Diff([]string{"delete cluster/c1/configmap/apps/reader-aws"}, addresses(p.Pruneable)); diff != "" {
		t.Errorf("pruneable (-want +got):\n%s", diff)
	}
	h.resetCalls()
	h.apply(plan.Options{Prune: true})
	if w := h.writes(); w["k8s:delete configmaps"] != 1 {
		t.Errorf("writes %v: want one ConfigMap delete", w)
	}
	if _, err := h.sb.Cluster("c1").CoreV1().ConfigMaps("apps").Get(context.Background(), "reader-aws", metav1.GetOptions{}); err == nil {
		t.Error("the ConfigMap is still there after apply --prune")
	}
	if p := h.plan(plan.Options{Prune: true}); !p.Empty() {
		t.Errorf("plan after pruning: %v", addresses(p.Changes))
	}
}

// TestProfileConfigMapPodIdentitySource: when the source role's pods reach
// it through EKS Pod Identity, the profile takes the source credentials from
// the container provider.
func TestProfileConfigMapPodIdentitySource(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(chainYAML("app", "reader", profileChain), "{cluster: c1, namespace: apps, name: app}", "{cluster: c1, namespace: apps, name: app, via: podIdentity}", 1)
	h := newHarness(t, sandbox.Options{}).use(yaml)
	h.apply(plan.Options{})
	got := liveConfigMap(t, h, "apps", "reader-aws").Data[resource.ProfileConfigKey]
	want := desired.ProfileConfig("reader", resource.RoleARN("aws", data, "/", "reader"), "app", resource.RoleARN("aws", pods, "/", "app"), false)
	if got != want || !strings.Contains(got, "credential_source = EcsContainer") || strings.Contains(got, "web_identity_token_file") {
		t.Errorf("config = %q, want %q", got, want)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestProfileConfigMapOwnershipAtWriteTime plans a ConfigMap change, lets
// someone else act on the ConfigMap behind irsa-sync's back, and applies the
// plan it was given: each write is refused (apply.ErrNotOwned) and the
// ConfigMap stays as they left it.
func TestProfileConfigMapOwnershipAtWriteTime(t *testing.T) {
	t.Parallel()
	bound := "serviceAccounts: [{cluster: c1, namespace: apps, name: reader}]\n    "
	with, without := chainYAML("app", "reader", bound+profileChain), chainYAML("app", "reader", bound)
	ctx := context.Background()
	tests := []struct {
		name   string
		before string // the file applied first, "" for none
		file   string // the file the plan is made of
		prune  bool
		prep   func(t *testing.T, api corev1client.ConfigMapInterface) // before the plan
		act    func(t *testing.T, api corev1client.ConfigMapInterface) // between plan and apply
		check  func(t *testing.T, cm *corev1.ConfigMap)
	}{
		{name: "create, made by someone since", file: with,
			act: func(t *testing.T, api corev1client.ConfigMapInterface) {
				mustCreate(t, api, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "reader-aws"}, Data: map[string]string{"theirs": "1"}})
			},
			check: func(t *testing.T, cm *corev1.ConfigMap) {
				if _, written := cm.Data[resource.ProfileConfigKey]; written || cm.Annotations[resource.OwnerAnnotation] != "" {
					t.Errorf("irsa-sync wrote into their ConfigMap: %v %v", cm.Data, cm.Annotations)
				}
			}},
		{name: "update, owner changed since", before: with, file: with,
			prep: func(t *testing.T, api corev1client.ConfigMapInterface) {
				patch := `{"data":{"` + resource.ProfileNameKey + `":"admin"}}`
				if _, err := api.Patch(ctx, "reader-aws", types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(t *testing.T, api corev1client.ConfigMapInterface) {
				setOwner(t, api, "someone-else")
			},
			check: func(t *testing.T, cm *corev1.ConfigMap) {
				if cm.Annotations[resource.OwnerAnnotation] != "someone-else" || cm.Data[resource.ProfileNameKey] != "admin" {
					t.Errorf("annotations %v, data %v: want the other owner's ConfigMap untouched", cm.Annotations, cm.Data)
				}
			}},
		{name: "delete, someone wrote a key since", before: with, file: without, prune: true,
			act: func(t *testing.T, api corev1client.ConfigMapInterface) {
				patch := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"reader-aws"},"data":{"theirs":"1"}}`
				if _, err := api.Patch(ctx, "reader-aws", types.ApplyPatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl"}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, cm *corev1.ConfigMap) {
				if cm.Data["theirs"] != "1" {
					t.Errorf("data = %v, want their key kept", cm.Data)
				}
			}},
		{name: "delete, owner changed since", before: with, file: without, prune: true,
			act: func(t *testing.T, api corev1client.ConfigMapInterface) {
				setOwner(t, api, "someone-else")
			},
			check: func(t *testing.T, cm *corev1.ConfigMap) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sandbox.Options{})
			if tc.before != "" {
				h.use(tc.before)
				h.apply(plan.Options{})
			}
			h.use(tc.file)
			api := h.sb.Cluster("c1").CoreV1().ConfigMaps("apps")
			if tc.prep != nil {
				tc.prep(t, api)
			}
			p := h.plan(plan.Options{Prune: tc.prune})
			var planned bool
			for _, c := range p.Changes {
				planned = planned || c.Kind == resource.KindConfigMap
			}
			if !planned {
				t.Fatalf("the plan has no ConfigMap change: %v", addresses(p.Changes))
			}
			tc.act(t, api)
			report, err := h.run(p)
			if !errors.Is(err, apply.ErrNotOwned) && !reportSays(report, apply.ErrNotOwned.Error()) {
				t.Fatalf("apply: err %v, report %+v; want the ConfigMap write refused as not this owner's", err, report)
			}
			tc.check(t, liveConfigMap(t, h, "apps", "reader-aws"))
		})
	}
}

func mustCreate(t *testing.T, api corev1client.ConfigMapInterface, cm *corev1.ConfigMap) {
	t.Helper()
	if _, err := api.Create(context.Background(), cm, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
}

func setOwner(t *testing.T, api corev1client.ConfigMapInterface, owner string) {
	t.Helper()
	patch := `{"metadata":{"annotations":{"` + resource.OwnerAnnotation + `":"` + owner + `"}}}`
	if _, err := api.Patch(context.Background(), "reader-aws", types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-annotate"}); err != nil {
		t.Fatal(err)
	}
}

// reportSays reports whether a result of the report failed with msg.
func reportSays(r *apply.Report, msg string) bool {
	if r == nil {
		return false
	}
	for _, res := range r.Results {
		if res.Kind == resource.KindConfigMap && strings.Contains(res.Error, msg) {
			return true
		}
	}
	return false
}

// TestProfileConfigMapMixedVia: with service accounts of the source role
// in one namespace via irsa and via podIdentity, the profile is the web
// identity one, and the plan warns that the Pod Identity pods cannot use it.
func TestProfileConfigMapMixedVia(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(chainYAML("app", "reader", profileChain), "      - {cluster: c1, namespace: apps, name: app}\n",
		"      - {cluster: c1, namespace: apps, name: app}\n      - {cluster: c1, namespace: apps, name: worker, via: podIdentity}\n", 1)
	h := newHarness(t, sandbox.Options{}).use(yaml)
	p := h.plan(plan.Options{})
	var warned bool
	for _, w := range p.Warnings {
		warned = warned || (w.Address == "cluster/c1/configmap/apps/reader-aws" && strings.Contains(w.Message, "via irsa and via podIdentity"))
	}
	if !warned {
		t.Errorf("warnings = %+v, want one about the mixed vias on the ConfigMap", p.Warnings)
	}
	h.use(chainYAML("app", "reader", profileChain))
	for _, w := range h.plan(plan.Options{}).Warnings {
		if strings.Contains(w.Message, "via irsa and via podIdentity") {
			t.Errorf("warning without mixed vias: %+v", w)
		}
	}
}
