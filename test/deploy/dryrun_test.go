package deploy

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/irsa-sync/irsa-sync/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fieldManager names this test's server-side applies.
const fieldManager = "irsa-sync-test-deploy"

// TestOverlaysDryRun applies every object of each overlay to a real
// kube-apiserver with server-side apply in dry run (DryRun: All) and strict
// field validation: the server's own schema, defaulting and validation
// accept it, and nothing but the Namespace is stored. The Namespace is
// applied for real, since a dry run of an object in a namespace that does
// not exist is refused.
func TestOverlaysDryRun(t *testing.T) {
	env := testenv.Shared(t)
	dyn, err := dynamic.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	for _, ov := range overlays {
		t.Run(ov.dir, func(t *testing.T) {
			// Not parallel: both overlays apply the same Namespace.
			objs := render(t, ov.dir)
			// The Namespace first, for real; then the rest in dry run.
			for _, real := range []bool{true, false} {
				for _, o := range objs {
					isNamespace := o.obj.GetObjectKind().GroupVersionKind().Kind == "Namespace"
					if isNamespace != real {
						continue
					}
					applyObject(t, dyn, mapper, o, !real)
				}
			}
		})
	}
}

func applyObject(t *testing.T, dyn dynamic.Interface, mapper *restmapper.DeferredDiscoveryRESTMapper, o object, dryRun bool) {
	t.Helper()
	js, err := yaml.YAMLToJSON(o.yaml)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatal(err)
	}
	gvk := u.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		t.Fatalf("%s %s: the server does not serve this kind: %v", gvk, u.GetName(), err)
	}
	var client dynamic.ResourceInterface = dyn.Resource(m.Resource)
	if u.GetNamespace() != "" {
		client = dyn.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	force := true
	opts := metav1.PatchOptions{FieldManager: fieldManager, Force: &force, FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	got, err := client.Patch(context.Background(), u.GetName(), types.ApplyPatchType, js, opts)
	if err != nil {
		t.Errorf("%s %s/%s: refused by kube-apiserver (dry run %v): %v", gvk.Kind, u.GetNamespace(), u.GetName(), dryRun, err)
		return
	}
	if got.GetName() != u.GetName() {
		t.Errorf("%s %s: the server answered with %q", gvk.Kind, u.GetName(), got.GetName())
	}
	if !dryRun {
		return
	}
	// A dry run stores nothing: the object must still be absent (none of
	// these exist before the test, but the Namespace).
	if _, err := client.Get(context.Background(), u.GetName(), metav1.GetOptions{}); err == nil {
		t.Errorf("%s %s: stored by a dry run", gvk.Kind, u.GetName())
	}
}
