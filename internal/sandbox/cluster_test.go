package sandbox

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

const roleARNKey = "eks.amazonaws.com/role-arn"

// createAsHelm creates web in apps as another tool would, with a label and
// an annotation of its own.
func createAsHelm(t *testing.T, kube *Cluster) {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "web", Namespace: "apps", Labels: map[string]string{"app": "web"},
		Annotations: map[string]string{"meta.helm.sh/release-name": "web"},
	}}
	if _, err := kube.CoreV1().ServiceAccounts("apps").Create(context.Background(), sa, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}
}

func applySA(kube *Cluster, manager string, annotations map[string]string, force bool) (*corev1.ServiceAccount, error) {
	ac := corev1ac.ServiceAccount("web", "apps")
	if annotations != nil {
		ac.WithAnnotations(annotations)
	}
	return kube.CoreV1().ServiceAccounts("apps").Apply(context.Background(), ac, metav1.ApplyOptions{FieldManager: manager, Force: force})
}

// owners maps each annotation key to the "manager/Operation" entries of
// managedFields that own it.
func owners(t *testing.T, sa *corev1.ServiceAccount) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, mf := range sa.ManagedFields {
		var fields struct {
			Metadata struct {
				Annotations map[string]json.RawMessage `json:"f:annotations"`
			} `json:"f:metadata"`
		}
		if err := json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields); err != nil {
			t.Fatalf("managedFields of %s: %v", mf.Manager, err)
		}
		for k := range fields.Metadata.Annotations {
			if key, ok := strings.CutPrefix(k, "f:"); ok {
				out[key] = append(out[key], mf.Manager+"/"+string(mf.Operation))
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// TestServerSideApply checks the server-side apply irsa-sync relies on:
// its field manager owns only its annotation, other managers' fields stay,
// and another applier's value conflicts until forced.
func TestServerSideApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		applies         []map[string]string // by irsa-sync, in order
		wantAnnotations map[string]string
		wantOwners      map[string][]string
	}{
		{
			name:            "apply keeps the other manager's annotation and label",
			applies:         []map[string]string{{roleARNKey: "arn:aws:iam::111122223333:role/web"}},
			wantAnnotations: map[string]string{"meta.helm.sh/release-name": "web", roleARNKey: "arn:aws:iam::111122223333:role/web"},
			wantOwners:      map[string][]string{"meta.helm.sh/release-name": {"helm/Update"}, roleARNKey: {"irsa-sync/Apply"}},
		},
		{
			name:            "applying no annotations removes only irsa-sync's",
			applies:         []map[string]string{{roleARNKey: "arn:aws:iam::111122223333:role/web"}, nil},
			wantAnnotations: map[string]string{"meta.helm.sh/release-name": "web"},
			wantOwners:      map[string][]string{"meta.helm.sh/release-name": {"helm/Update"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kube, err := NewCluster()
			if err != nil {
				t.Fatal(err)
			}
			createAsHelm(t, kube)
			var got *corev1.ServiceAccount
			for _, a := range tt.applies {
				if got, err = applySA(kube, "irsa-sync", a, false); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.wantAnnotations, got.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{"app": "web"}, got.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantOwners, owners(t, got)); diff != "" {
				t.Errorf("owners of each annotation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyConflictsUntilForced(t *testing.T) {
	t.Parallel()
	kube, err := NewCluster()
	if err != nil {
		t.Fatal(err)
	}
	createAsHelm(t, kube)
	if _, err := applySA(kube, "other-tool", map[string]string{roleARNKey: "arn:aws:iam::444455556666:role/other"}, false); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{roleARNKey: "arn:aws:iam::111122223333:role/web"}
	if _, err := applySA(kube, "irsa-sync", ours, false); !apierrors.IsConflict(err) {
		t.Fatalf("non-forced apply over other-tool's value: error = %v, want a Conflict", err)
	}
	got, err := applySA(kube, "irsa-sync", ours, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"irsa-sync/Apply"}, owners(t, got)[roleARNKey]); diff != "" {
		t.Errorf("owners of %s after Force (-want +got):\n%s", roleARNKey, diff)
	}
}

// TestStateSurvivesReopen saves a cluster and opens it again: objects, the
// managedFields that say who owns what, and pods come back.
func TestStateSurvivesReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := &config.File{
		Accounts: []config.Account{{Name: "prod", ID: "111122223333"}},
		Clusters: []config.Cluster{{Name: "c1", Account: "prod", Region: "us-east-1"}},
	}
	sb, err := Open(dir, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kube := sb.Cluster("c1")
	createAsHelm(t, kube)
	if _, err := applySA(kube, "irsa-sync", map[string]string{roleARNKey: "arn:aws:iam::111122223333:role/web"}, false); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "apps"}, Spec: corev1.PodSpec{ServiceAccountName: "web"}}
	if _, err := kube.CoreV1().Pods("apps").Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}

	sb, err = Open(dir, f, Options{KeepNamespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Error(err)
		}
	})
	client, err := sb.Kube(context.Background(), f.Clusters[0], aws.Config{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.ServiceAccounts("apps").Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the saved ServiceAccount: %v", err)
	}
	want := map[string][]string{"meta.helm.sh/release-name": {"helm/Update"}, roleARNKey: {"irsa-sync/Apply"}}
	if diff := cmp.Diff(want, owners(t, got)); diff != "" {
		t.Errorf("owners of each annotation after reopening (-want +got):\n%s", diff)
	}
	pods, err := client.Pods("apps").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 1 || pods.Items[0].Name != "web-0" {
		t.Errorf("pods after reopening = %v, want web-0", pods.Items)
	}
	nss, err := client.Namespaces().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ns := range nss.Items {
		names = append(names, ns.Name)
	}
	if diff := cmp.Diff([]string{"default", "kube-system"}, names); diff != "" {
		t.Errorf("namespaces after reopening (-want +got):\n%s", diff)
	}
}

// TestBadSavedState: a cluster file holding one object twice is refused
// with an error naming the file, not a panic.
func TestBadSavedState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "clusters"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "clusters", "c1.json")
	twice := `{"namespaces": [], "serviceAccounts": [{"metadata": {"name": "web", "namespace": "apps"}}, {"metadata": {"name": "web", "namespace": "apps"}}]}`
	if err := os.WriteFile(path, []byte(twice), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &config.File{
		Accounts: []config.Account{{Name: "prod", ID: "111122223333"}},
		Clusters: []config.Cluster{{Name: "c1", Account: "prod", Region: "us-east-1"}},
	}
	_, err := Open(dir, f, Options{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "apps/web") {
		t.Fatalf("Open with a ServiceAccount saved twice: error = %v, want one naming %s and apps/web", err, path)
	}
}
