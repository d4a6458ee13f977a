package kubeint

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// TestAnnotationsAsStored: each annotation the file asks for is stored as
// the webhook reads it; a second plan and apply make zero writes; an
// annotation the file drops is removed from the server.
func TestAnnotationsAsStored(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ns := env.Namespace(t)
	const owner = "annotations"
	var counter requestCounter
	binding := "{cluster: c1, namespace: " + ns + ", name: app, stsRegionalEndpoints: true, audience: sts.example.com, tokenExpiration: 3600}"
	r := newRig(t, bindings(owner, []string{"c1"}, roleYAML("app", binding)), fromConfig(counter.counting(env.Config)))
	r.converge(plan.Options{})

	want := map[string]string{
		resource.AnnotationRoleARN:         roleARN("app"),
		resource.AnnotationSTSRegional:     "true",
		resource.AnnotationAudience:        "sts.example.com",
		resource.AnnotationTokenExpiration: "3600",
		resource.OwnerAnnotation:           owner,
		resource.CreatedAnnotation:         "true",
	}
	if diff := cmp.Diff(want, getSA(t, kube, ns, "app").Annotations); diff != "" {
		t.Errorf("annotations as the API server stores them (-want +got):\n%s", diff)
	}

	counter.take()
	p := r.plan(plan.Options{})
	report, err := r.apply(p)
	if err != nil || !p.Empty() || len(report.Results) != 0 {
		t.Fatalf("second run: plan %v, %d results, error %v; want nothing to do", addresses(p.Changes), len(report.Results), err)
	}
	for call := range counter.take() {
		if !strings.HasPrefix(call, "GET ") {
			t.Errorf("a run with nothing to change wrote to the cluster: %s", call)
		}
	}

	r.setFile(bindings(owner, []string{"c1"}, roleYAML("app", "{cluster: c1, namespace: "+ns+", name: app, audience: other.example.com}")))
	r.converge(plan.Options{})
	want = map[string]string{
		resource.AnnotationRoleARN:  roleARN("app"),
		resource.AnnotationAudience: "other.example.com",
		resource.OwnerAnnotation:    owner,
		resource.CreatedAnnotation:  "true",
	}
	if diff := cmp.Diff(want, getSA(t, kube, ns, "app").Annotations); diff != "" {
		t.Errorf("annotations after dropping two from the file (-want +got):\n%s", diff)
	}
}

// TestMissingNamespace: a binding to a namespace that does not exist is a
// plan error naming it, and apply writes nothing, not even the bindings
// whose namespaces exist.
func TestMissingNamespace(t *testing.T) {
	env := testenv.Shared(t)
	kube := env.Clientset(t)
	ns := env.Namespace(t)
	const missing = "no-such-namespace-kubeint"
	r := newRig(t, bindings("missingns", []string{"c1"}, roleYAML("app",
		"{cluster: c1, namespace: "+ns+", name: app}",
		"{cluster: c1, namespace: "+missing+", name: app}")), fromConfig(env.Config))
	p := r.plan(plan.Options{})
	want := `namespace "` + missing + `" does not exist in cluster "c1"`
	if len(p.Errors) != 1 || p.Errors[0].Address != "cluster/c1/serviceaccount/"+missing+"/app" || !strings.Contains(p.Errors[0].Message, want) {
		t.Fatalf("plan errors = %+v, want one at the binding saying %q", p.Errors, want)
	}
	if _, err := r.apply(p); !errors.Is(err, apply.ErrBlocked) {
		t.Fatalf("apply: error %v, want apply.ErrBlocked", err)
	}
	if _, err := kube.CoreV1().ServiceAccounts(ns).Get(context.Background(), "app", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("service account in the existing namespace: get = %v, want NotFound (nothing written)", err)
	}
	if _, err := kube.CoreV1().Namespaces().Get(context.Background(), missing, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s: get = %v, want NotFound (irsa-sync never creates namespaces)", missing, err)
	}
}
