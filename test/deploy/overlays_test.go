package deploy

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// overlay is what one overlay of deploy/kustomize must render.
type overlay struct {
	dir       string
	namespace string
	image     string
	roleARN   string
	// bindingsPath is the file the CronJob's irsa-sync reads.
	bindingsPath string
	// gitRepo is git-sync's --repo; empty when the file comes from the
	// generated ConfigMap.
	gitRepo string
}

var overlays = []overlay{
	{
		dir:          "overlays/example",
		namespace:    "platform-irsa-sync",
		image:        "registry.example.com/mirror/irsa-sync:v0.1.0",
		roleARN:      "arn:aws:iam::444455556666:role/irsa-sync-prod",
		bindingsPath: "/etc/irsa-sync/bindings.yaml",
	},
	{
		dir:          "overlays/git-sync",
		namespace:    "platform-irsa-sync",
		image:        "ghcr.io/irsa-sync/irsa-sync:v0.1.0",
		roleARN:      "arn:aws:iam::444455556666:role/irsa-sync-prod",
		bindingsPath: "/git/current/clusters/prod-euw1/bindings.yaml",
		gitRepo:      "https://github.com/example-org/platform-config",
	},
}

// rendered holds an overlay's objects by type; render has already decoded
// them strictly.
type rendered struct {
	kinds      []string
	namespace  *corev1.Namespace
	sa         *corev1.ServiceAccount
	role       *rbacv1.ClusterRole
	binding    *rbacv1.ClusterRoleBinding
	cronJob    *batchv1.CronJob
	configMaps []*corev1.ConfigMap
	namespaced []namespacedObject
}

type namespacedObject interface {
	runtime.Object
	GetNamespace() string
	GetName() string
}

func sortObjects(t *testing.T, objs []object) rendered {
	t.Helper()
	var r rendered
	for _, o := range objs {
		r.kinds = append(r.kinds, o.obj.GetObjectKind().GroupVersionKind().Kind)
		switch v := o.obj.(type) {
		case *corev1.Namespace:
			r.namespace = v
		case *corev1.ServiceAccount:
			r.sa = v
			r.namespaced = append(r.namespaced, v)
		case *rbacv1.ClusterRole:
			r.role = v
		case *rbacv1.ClusterRoleBinding:
			r.binding = v
		case *batchv1.CronJob:
			r.cronJob = v
			r.namespaced = append(r.namespaced, v)
		case *corev1.ConfigMap:
			r.configMaps = append(r.configMaps, v)
			r.namespaced = append(r.namespaced, v)
		default:
			t.Errorf("unexpected %T in the build", o.obj)
		}
	}
	sort.Strings(r.kinds)
	return r
}

func TestOverlaysRender(t *testing.T) {
	t.Parallel()
	wantRules := exampleRules(t)
	for _, ov := range overlays {
		t.Run(ov.dir, func(t *testing.T) {
			t.Parallel()
			r := sortObjects(t, render(t, ov.dir))

			wantKinds := []string{"ClusterRole", "ClusterRoleBinding", "ConfigMap", "CronJob", "Namespace", "ServiceAccount"}
			if ov.gitRepo != "" {
				wantKinds = []string{"ClusterRole", "ClusterRoleBinding", "CronJob", "Namespace", "ServiceAccount"}
			}
			if diff := cmp.Diff(wantKinds, r.kinds); diff != "" {
				t.Fatalf("kinds rendered (-want +got):\n%s", diff)
			}

			if r.namespace.Name != ov.namespace || r.namespace.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
				t.Errorf("Namespace %q labels %v, want %q enforcing the restricted Pod Security Standard", r.namespace.Name, r.namespace.Labels, ov.namespace)
			}
			for _, o := range []namespacedObject{r.namespace, r.role, r.binding} {
				if o.GetNamespace() != "" {
					t.Errorf("cluster-scoped %T %s has namespace %q", o, o.GetName(), o.GetNamespace())
				}
			}
			for _, o := range r.namespaced {
				if o.GetNamespace() != ov.namespace {
					t.Errorf("%T %s is in namespace %q, want %q", o, o.GetName(), o.GetNamespace(), ov.namespace)
				}
			}
			if got := r.sa.Annotations["eks.amazonaws.com/role-arn"]; got != ov.roleARN {
				t.Errorf("ServiceAccount role ARN %q, want %q", got, ov.roleARN)
			}
			wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: r.sa.Name, Namespace: ov.namespace}}
			if diff := cmp.Diff(wantSubjects, r.binding.Subjects); diff != "" {
				t.Errorf("ClusterRoleBinding subjects (-want +got):\n%s", diff)
			}
			if r.binding.RoleRef.Name != r.role.Name {
				t.Errorf("ClusterRoleBinding binds %q, the ClusterRole is %q", r.binding.RoleRef.Name, r.role.Name)
			}
			if diff := cmp.Diff(wantRules, r.role.Rules); diff != "" {
				t.Errorf("ClusterRole rules differ from examples/rbac/clusterrole.yaml (-want +got):\n%s", diff)
			}
			checkCronJob(t, ov, r)
		})
	}
}

// checkCronJob checks the job's schedule policy, identity, image, and that
// the file it reads is there: in the generated ConfigMap it mounts (a valid
// bindings file), or in the clone git-sync makes.
func checkCronJob(t *testing.T, ov overlay, r rendered) {
	t.Helper()
	cj := r.cronJob
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("CronJob concurrencyPolicy %q, want Forbid", cj.Spec.ConcurrencyPolicy)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if pod.ServiceAccountName != r.sa.Name {
		t.Errorf("CronJob runs as %q, the ServiceAccount is %q", pod.ServiceAccountName, r.sa.Name)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("CronJob has %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != ov.image {
		t.Errorf("image %q, want %q", c.Image, ov.image)
	}
	wantArgs := []string{"apply", "-f", ov.bindingsPath, "--log-format", "json", "--timeout", "25m"}
	if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
		t.Errorf("irsa-sync args (-want +got):\n%s", diff)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mount := c.VolumeMounts[0]
	vol, ok := volumes[mount.Name]
	if !ok {
		t.Fatalf("irsa-sync mounts volume %q, which the pod does not have", mount.Name)
	}
	if ov.gitRepo == "" {
		if vol.ConfigMap == nil || len(r.configMaps) != 1 || vol.ConfigMap.Name != r.configMaps[0].Name {
			t.Fatalf("volume %q is %+v, want the generated ConfigMap %v", vol.Name, vol.VolumeSource, r.configMaps)
		}
		key, err := filepath.Rel(mount.MountPath, ov.bindingsPath)
		if err != nil {
			t.Fatal(err)
		}
		data, ok := r.configMaps[0].Data[key]
		if !ok {
			t.Fatalf("ConfigMap %s has no key %q for %s", r.configMaps[0].Name, key, ov.bindingsPath)
		}
		f, err := config.Parse([]byte(data), ov.dir+"/bindings.yaml")
		if err != nil {
			t.Fatalf("the overlay's bindings file: %v", err)
		}
		if diags := config.Validate(f); len(diags) > 0 {
			t.Errorf("the overlay's bindings file: %v", diags)
		}
		return
	}
	if len(pod.InitContainers) != 1 || pod.InitContainers[0].Name != "git-sync" {
		t.Fatalf("init containers %v, want git-sync", pod.InitContainers)
	}
	if got := pod.InitContainers[0].Args[0]; got != "--repo="+ov.gitRepo {
		t.Errorf("git-sync %s, want --repo=%s", got, ov.gitRepo)
	}
	if vol.EmptyDir == nil {
		t.Errorf("volume %q is %+v, want the emptyDir git-sync fills", vol.Name, vol.VolumeSource)
	}
}

// exampleRules are the rules of examples/rbac/clusterrole.yaml, which
// internal/kubeint proves are enough and no more.
func exampleRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "rbac", "clusterrole.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	obj, _, err := strictKube.Decode(b, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	role, ok := obj.(*rbacv1.ClusterRole)
	if !ok || len(role.Rules) == 0 {
		t.Fatalf("examples/rbac/clusterrole.yaml is %T with no rules", obj)
	}
	return role.Rules
}
