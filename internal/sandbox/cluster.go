package sandbox

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/applyconfigurations"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	fakecorev1 "k8s.io/client-go/kubernetes/typed/core/v1/fake"
	clienttesting "k8s.io/client-go/testing"
)

// Cluster is one in-memory Kubernetes API serving only core/v1, the one
// group irsa-sync reads and writes. It is client-go's fake core/v1 client
// over a field-managed object tracker, so server-side apply records
// managedFields per field manager as an API server does; client-go's full
// fake clientset would do the same but links the client of every API group.
//
// The embedded Fake records every call (Actions, ClearActions) and takes
// reactors (PrependReactor), for tests to count or fail calls.
type Cluster struct {
	*clienttesting.Fake
	tracker clienttesting.ObjectTracker
	// tokens serves TokenRequest in a sandbox (token.go); nil otherwise.
	tokens *tokens
}

// NewCluster returns a cluster holding objs, which must be core/v1 objects:
// what a sandbox serves for each cluster of its file, on its own for tests
// that check its behaviour against a real API server.
func NewCluster(objs ...runtime.Object) (*Cluster, error) {
	scheme := runtime.NewScheme()
	// The unversioned meta types (ListOptions, DeleteOptions, ...) as
	// client-go's fake clientset registers them.
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("core/v1 scheme: %w", err)
	}
	// The generated converter, as client-go's fake clientset uses: it holds
	// the schema of every built-in type, which the core/v1 apply
	// configurations link anyway, so it costs about 0.5 MB. A deduced
	// converter would be smaller still but records managedFields unlike an
	// API server (an extra "." on each map), which readers of the sandbox's
	// state would see.
	tracker := clienttesting.NewFieldManagedObjectTracker(scheme, serializer.NewCodecFactory(scheme).UniversalDecoder(), applyconfigurations.NewTypeConverter(scheme))
	for _, o := range objs {
		if err := tracker.Add(o); err != nil {
			return nil, fmt.Errorf("add %s: %w", describe(o), err)
		}
	}
	c := &Cluster{Fake: &clienttesting.Fake{}, tracker: tracker}
	c.AddReactor("*", "*", clienttesting.ObjectReaction(tracker))
	honourDryRun(c)
	return c, nil
}

// CoreV1 returns the client irsa-sync is given for this cluster.
func (c *Cluster) CoreV1() corev1client.CoreV1Interface {
	return &fakecorev1.FakeCoreV1{Fake: c.Fake}
}

// Tracker holds the cluster's objects, read without recording a call.
func (c *Cluster) Tracker() clienttesting.ObjectTracker { return c.tracker }

// describe names an object for an error: its type and namespace/name.
func describe(o runtime.Object) string {
	m, ok := o.(metav1.Object)
	if !ok {
		return fmt.Sprintf("%T", o)
	}
	if m.GetNamespace() == "" {
		return fmt.Sprintf("%T %s", o, m.GetName())
	}
	return fmt.Sprintf("%T %s/%s", o, m.GetNamespace(), m.GetName())
}
