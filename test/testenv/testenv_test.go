package testenv_test

// These tests prove the harness and pin down the server-side-apply behaviour
// irsa-sync relies on when it annotates ServiceAccounts, against a real
// kube-apiserver and against the project's in-memory sandbox cluster
// (sandbox.NewCluster: client-go's fake core/v1 client over a field-managed
// tracker).
//
// What the sandbox cluster (client-go v0.37.2) reproduces, checked by
// TestServerSideApply running the same checks on both:
//
//	(a) apply keeps fields of other managers (helm's labels, annotation)  yes
//	(b) applying without a field removes only that manager's field        yes
//	(c) conflict with another Apply manager; Force takes the field over   yes
//	(d) a user without RBAC is Forbidden                                  no: the sandbox
//	    has no users, authentication or authorization; every call is allowed
//
// Further differences found on the way (TestFakeDiffers): the sandbox applies
// into a namespace that does not exist, where the server answers NotFound,
// and it accepts an annotation key the server rejects as Invalid. A sandbox
// run that passes can therefore still fail on a real cluster for RBAC, a
// missing namespace or invalid metadata.

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	roleARNKey  = "eks.amazonaws.com/role-arn"
	releaseKey  = "meta.helm.sh/release-name"
	ourARN      = "arn:aws:iam::111122223333:role/web"
	otherARN    = "arn:aws:iam::444455556666:role/other"
	irsaSync    = "irsa-sync"
	otherApply  = "other-tool"
	helmManager = "helm"
)

var helmLabels = map[string]string{"app.kubernetes.io/managed-by": "Helm", "app": "web"}

// backend is a Kubernetes API to run the same checks against.
type backend struct {
	name string
	core corev1client.CoreV1Interface
	ns   string
}

func backends(t *testing.T) []backend {
	env := testenv.Shared(t)
	// Create the namespace in the sandbox too, so that only the behaviour
	// under test can differ (the sandbox does not require it; see
	// TestFakeDiffers).
	sb, err := sandbox.NewCluster(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "fake-ns"}})
	if err != nil {
		t.Fatal(err)
	}
	return []backend{
		{name: "kube-apiserver", core: env.Clientset(t).CoreV1(), ns: env.Namespace(t)},
		{name: "fake", core: sb.CoreV1(), ns: "fake-ns"},
	}
}

func TestServerSideApply(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Run("a keeps other managers' labels and annotations", func(t *testing.T) {
				createAsHelm(t, b, "sa-a")
				got := apply(t, b, "sa-a", irsaSync, map[string]string{roleARNKey: ourARN}, false)

				want := map[string]string{releaseKey: "web", roleARNKey: ourARN}
				if diff := cmp.Diff(want, got.Annotations); diff != "" {
					t.Errorf("annotations (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(helmLabels, got.Labels); diff != "" {
					t.Errorf("labels (-want +got):\n%s", diff)
				}
				if owners := annotationOwners(t, got, roleARNKey); !slices.Equal(owners, []string{irsaSync + "/Apply"}) {
					t.Errorf("owners of %s = %v, want only %s/Apply", roleARNKey, owners, irsaSync)
				}
				if owners := annotationOwners(t, got, releaseKey); !slices.Equal(owners, []string{helmManager + "/Update"}) {
					t.Errorf("owners of %s = %v, want only %s/Update", releaseKey, owners, helmManager)
				}
			})

			t.Run("b applying no annotations removes only irsa-sync's", func(t *testing.T) {
				createAsHelm(t, b, "sa-b")
				apply(t, b, "sa-b", irsaSync, map[string]string{roleARNKey: ourARN}, false)
				got := apply(t, b, "sa-b", irsaSync, nil, false)

				if diff := cmp.Diff(map[string]string{releaseKey: "web"}, got.Annotations); diff != "" {
					t.Errorf("annotations (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(helmLabels, got.Labels); diff != "" {
					t.Errorf("labels (-want +got):\n%s", diff)
				}
			})

			t.Run("c conflict with another apply manager, force takes over", func(t *testing.T) {
				createAsHelm(t, b, "sa-c")
				apply(t, b, "sa-c", otherApply, map[string]string{roleARNKey: otherARN}, false)

				_, err := applyErr(t, b, "sa-c", irsaSync, map[string]string{roleARNKey: ourARN}, false)
				if !apierrors.IsConflict(err) {
					t.Fatalf("non-forced apply over %s's value: error = %v, want a Conflict", otherApply, err)
				}
				current, err := b.core.ServiceAccounts(b.ns).Get(t.Context(), "sa-c", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if got := current.Annotations[roleARNKey]; got != otherARN {
					t.Errorf("after the conflict %s = %q, want %s's %q unchanged", roleARNKey, got, otherApply, otherARN)
				}

				got := apply(t, b, "sa-c", irsaSync, map[string]string{roleARNKey: ourARN}, true)
				if v := got.Annotations[roleARNKey]; v != ourARN {
					t.Errorf("after Force %s = %q, want %q", roleARNKey, v, ourARN)
				}
				if owners := annotationOwners(t, got, roleARNKey); !slices.Equal(owners, []string{irsaSync + "/Apply"}) {
					t.Errorf("after Force owners of %s = %v, want only %s/Apply", roleARNKey, owners, irsaSync)
				}
				if v := got.Annotations[releaseKey]; v != "web" {
					t.Errorf("after Force %s = %q, want helm's %q kept", releaseKey, v, "web")
				}
			})
		})
	}
}

// TestLeastPrivilegeUser is (d): only the real server has users and RBAC.
func TestLeastPrivilegeUser(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	cfg := env.AddUser(t, "least-privilege", nil)
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	user := backend{name: "least-privilege", core: core, ns: ns}

	_, err = applyErr(t, user, "sa-d", irsaSync, map[string]string{roleARNKey: ourARN}, false)
	if !apierrors.IsForbidden(err) {
		t.Fatalf("apply without RBAC: error = %v, want Forbidden", err)
	}

	// Granting what irsa-sync needs makes the same call succeed, so the
	// Forbidden above came from RBAC and not from a broken client.
	admin := env.Clientset(t)
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "irsa-sync", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""}, Resources: []string{"serviceaccounts"},
			Verbs: []string{"get", "create", "patch"},
		}},
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "irsa-sync", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "least-privilege"}},
	}
	if _, err := admin.RbacV1().Roles(ns).Create(t.Context(), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The authorizer sees new RBAC objects through an informer: poll briefly.
	err = wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := applyErr(t, user, "sa-d", irsaSync, map[string]string{roleARNKey: ourARN}, false)
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("apply after granting get/create/patch on serviceaccounts: still failing: %v", err)
	}
}

// TestFakeDiffers records where the sandbox's cluster accepts what the server
// refuses, so that sandbox tests are not mistaken for cluster tests.
func TestFakeDiffers(t *testing.T) {
	env := testenv.Shared(t)
	tests := []struct {
		name        string
		ns          string
		annotations map[string]string
		serverErr   func(error) bool
	}{
		{"missing namespace", "no-such-namespace", map[string]string{roleARNKey: ourARN}, apierrors.IsNotFound},
		{"invalid annotation key", "", map[string]string{"not a key!": "x"}, apierrors.IsInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := tt.ns
			if ns == "" {
				ns = env.Namespace(t)
			}
			real := backend{name: "kube-apiserver", core: env.Clientset(t).CoreV1(), ns: ns}
			if _, err := applyErr(t, real, "sa", irsaSync, tt.annotations, false); !tt.serverErr(err) {
				t.Errorf("kube-apiserver: error = %v, want %s", err, tt.name)
			}
			sb, err := sandbox.NewCluster()
			if err != nil {
				t.Fatal(err)
			}
			inMemory := backend{name: "fake", core: sb.CoreV1(), ns: ns}
			if _, err := applyErr(t, inMemory, "sa", irsaSync, tt.annotations, false); err != nil {
				t.Errorf("sandbox: error = %v; the sandbox now refuses this too: update the notes at the top of this file", err)
			}
		})
	}
}

// TestStart runs a server of the test's own, the way a single test would,
// and reports how long starting and stopping take.
func TestStart(t *testing.T) {
	var stopBegan time.Time
	t.Cleanup(func() {
		if !stopBegan.IsZero() {
			t.Logf("stopped in %v", time.Since(stopBegan).Round(time.Millisecond))
		}
	})
	began := time.Now()
	env := testenv.Start(t)
	t.Cleanup(func() { stopBegan = time.Now() }) // runs before Start's own cleanup
	t.Logf("started in %v", time.Since(began).Round(time.Millisecond))

	info, err := env.Clientset(t).Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	// Without the -X version flags of hack/tools.sh this is v0.0.0-master,
	// which kubectl and envtest refuse.
	v, err := version.ParseSemantic(info.GitVersion)
	if err != nil || v.Major() != 1 {
		t.Errorf("server version %q (parse error %v), want a v1.x.y release", info.GitVersion, err)
	}
}

func TestKubeconfig(t *testing.T) {
	env := testenv.Shared(t)
	path := env.Kubeconfig(t, "sandbox-a")

	load := func(context string) (kubernetes.Interface, error) {
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
			&clientcmd.ConfigOverrides{CurrentContext: context},
		).ClientConfig()
		if err != nil {
			return nil, err
		}
		return kubernetes.NewForConfig(cfg)
	}
	cs, err := load("sandbox-a")
	if err != nil {
		t.Fatalf("load context sandbox-a: %v", err)
	}
	// Admin credentials: listing cluster-wide objects is allowed.
	if _, err := cs.CoreV1().Namespaces().Get(t.Context(), "default", metav1.GetOptions{}); err != nil {
		t.Errorf("get namespace default through the kubeconfig: %v", err)
	}
	if _, err := load("sandbox-b"); err == nil {
		t.Errorf("load of a context the file does not have succeeded, want an error")
	}
}

func createAsHelm(t *testing.T, b backend, name string) {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: b.ns, Labels: helmLabels,
		Annotations: map[string]string{releaseKey: "web"},
	}}
	if _, err := b.core.ServiceAccounts(b.ns).Create(t.Context(), sa, metav1.CreateOptions{FieldManager: helmManager}); err != nil {
		t.Fatalf("%s: create ServiceAccount %s as helm: %v", b.name, name, err)
	}
}

// apply is what irsa-sync does: server-side apply of the annotations it
// manages, as its own field manager. nil annotations apply none.
func apply(t *testing.T, b backend, name, manager string, annotations map[string]string, force bool) *corev1.ServiceAccount {
	t.Helper()
	sa, err := applyErr(t, b, name, manager, annotations, force)
	if err != nil {
		t.Fatalf("%s: apply ServiceAccount %s as %s: %v", b.name, name, manager, err)
	}
	return sa
}

func applyErr(t *testing.T, b backend, name, manager string, annotations map[string]string, force bool) (*corev1.ServiceAccount, error) {
	ac := corev1ac.ServiceAccount(name, b.ns)
	if annotations != nil {
		ac.WithAnnotations(annotations)
	}
	return b.core.ServiceAccounts(b.ns).Apply(t.Context(), ac, metav1.ApplyOptions{FieldManager: manager, Force: force})
}

// annotationOwners lists, as "manager/Operation", the managedFields entries
// that own metadata.annotations[key].
func annotationOwners(t *testing.T, obj *corev1.ServiceAccount, key string) []string {
	t.Helper()
	var owners []string
	for _, mf := range obj.ManagedFields {
		if mf.FieldsV1 == nil {
			continue
		}
		var fields struct {
			Metadata struct {
				Annotations map[string]json.RawMessage `json:"f:annotations"`
			} `json:"f:metadata"`
		}
		if err := json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields); err != nil {
			t.Fatalf("managedFields of %s: %v", mf.Manager, err)
		}
		if _, ok := fields.Metadata.Annotations["f:"+key]; ok {
			owners = append(owners, mf.Manager+"/"+string(mf.Operation))
		}
	}
	slices.Sort(owners)
	return owners
}
