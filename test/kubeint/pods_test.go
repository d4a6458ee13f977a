package kubeint

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/live"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/render"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

func createPod(t *testing.T, env *testenv.Env, ns, name, sa string) *corev1.Pod {
	t.Helper()
	pod, err := env.Clientset(t).CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{ServiceAccountName: sa, Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/app:1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, name, err)
	}
	return pod
}

// TestPodsKeepingTheOldRole: when a binding moves to another role, the
// plan lists the unfinished pods of exactly the ServiceAccounts whose role
// changes, from one pod list per namespace.
func TestPodsKeepingTheOldRole(t *testing.T) {
	env := testenv.Shared(t)
	ns, ns2 := env.Namespace(t), env.Namespace(t)
	sa := func(ns, name string) string { return "{cluster: c1, namespace: " + ns + ", name: " + name + "}" }
	var counter requestCounter
	r := newRig(t, bindings("pods", []string{"c1"},
		roleYAML("app", sa(ns, "web"), sa(ns, "worker"), sa(ns2, "batch"), sa(ns, "steady"))),
		fromConfig(counter.counting(env.Config)))
	r.converge(plan.Options{})

	for _, p := range [][2]string{{"web-c", "web"}, {"web-a", "web"}, {"web-b", "web"}, {"worker-1", "worker"}, {"steady-1", "steady"}} {
		createPod(t, env, ns, p[0], p[1])
	}
	createPod(t, env, ns2, "batch-1", "batch")
	// A finished pod keeps nothing: it is not listed.
	done := createPod(t, env, ns, "web-done", "web")
	done.Status.Phase = corev1.PodSucceeded
	if _, err := env.Clientset(t).CoreV1().Pods(ns).UpdateStatus(context.Background(), done, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	// web, worker and batch move to role "app2"; steady stays on "app".
	r.setFile(bindings("pods", []string{"c1"},
		roleYAML("app", sa(ns, "steady")),
		roleYAML("app2", sa(ns, "web"), sa(ns, "worker"), sa(ns2, "batch"))))
	p := r.plan(plan.Options{})

	counter.take()
	pods := map[string]map[string][]string{}
	for cluster, sas := range plan.RoleChanges(p) {
		got, err := live.PodsUsing(context.Background(), r.clients.Kube[cluster], sas)
		if err != nil {
			t.Fatalf("PodsUsing: %v", err)
		}
		pods[cluster] = got
	}
	wantPods := map[string]map[string][]string{"c1": {
		ns + "/web":    {"web-a", "web-b", "web-c"},
		ns + "/worker": {"worker-1"},
		ns2 + "/batch": {"batch-1"},
	}}
	if diff := cmp.Diff(wantPods, pods); diff != "" {
		t.Errorf("PodsUsing (-want +got):\n%s", diff)
	}
	wantCalls := map[string]int{"GET /api/v1/namespaces/" + ns + "/pods": 1, "GET /api/v1/namespaces/" + ns2 + "/pods": 1}
	if diff := cmp.Diff(wantCalls, counter.take()); diff != "" {
		t.Errorf("requests PodsUsing made (-want +got):\n%s", diff)
	}

	plan.NotePods(p, pods)
	notes := map[string][]string{}
	for _, c := range p.Changes {
		if c.Cluster != "" {
			notes[c.Address] = render.NoteTexts(c.Notes)
		}
	}
	prefix := "cluster/c1/serviceaccount/"
	wantNotes := map[string][]string{
		prefix + ns + "/web":    {"3 running pods use this service account and keep their old role until restarted: web-a, web-b, web-c"},
		prefix + ns + "/worker": {"1 running pod uses this service account and keeps its old role until restarted: worker-1"},
		prefix + ns2 + "/batch": {"1 running pod uses this service account and keeps its old role until restarted: batch-1"},
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("notes of the service account changes (-want +got):\n%s", diff)
	}

	report, err := r.apply(p)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, res := range report.Results {
		if want, ok := wantNotes[res.Address]; ok && !cmp.Equal(want, render.NoteTexts(res.Notes)) {
			t.Errorf("apply result of %s carries notes %q, want %q", res.Address, render.NoteTexts(res.Notes), want)
		}
	}
}
