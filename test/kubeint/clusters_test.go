package kubeint

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// mergeKubeconfigs writes one kubeconfig holding every context of the
// given files, as a user with several clusters has.
func mergeKubeconfigs(t *testing.T, paths ...string) string {
	t.Helper()
	merged := clientcmdapi.NewConfig()
	for _, p := range paths {
		kc, err := clientcmd.LoadFromFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range kc.Clusters {
			merged.Clusters[k] = v
		}
		for k, v := range kc.AuthInfos {
			merged.AuthInfos[k] = v
		}
		for k, v := range kc.Contexts {
			merged.Contexts[k] = v
		}
	}
	out := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*merged, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestManyClusters runs two API servers as two clusters of one file,
// reached through connect.Real and one kubeconfig with both contexts, and
// drives the whole pipeline: both are read and written in one run, and a
// second plan is empty.
func TestManyClusters(t *testing.T) {
	east, west := testenv.Start(t), testenv.Start(t)
	ctx := context.Background()
	envs := map[string]*testenv.Env{"east": east, "west": west}
	for _, env := range envs {
		if _, err := env.Clientset(t).CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Each cluster is reached through a proxy whose first connection waits
	// until the other cluster's has arrived too: a run that read the
	// clusters one after the other would time out there.
	both := newBarrier(2)
	var timeouts []func() bool
	var kubeconfigs []string
	for _, name := range []string{"east", "west"} {
		path := envs[name].Kubeconfig(t, name+"-ctx")
		kc, err := clientcmd.LoadFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		server := kc.Clusters[name+"-ctx"].Server
		target := strings.TrimSuffix(strings.TrimPrefix(server, "https://"), "/")
		addr, timedOut := gatedProxy(t, target, both)
		kc.Clusters[name+"-ctx"].Server = "https://" + addr
		if err := clientcmd.WriteToFile(*kc, path); err != nil {
			t.Fatal(err)
		}
		timeouts = append(timeouts, timedOut)
		kubeconfigs = append(kubeconfigs, path)
	}
	conn := &connect.Real{Kubeconfig: mergeKubeconfigs(t, kubeconfigs...)}

	yaml := strings.Join([]string{
		"apiVersion: irsa-sync/v1", "kind: Bindings", "owner: clusters",
		`accounts: [{name: prod, id: "` + accountID + `"}]`,
		"clusters:",
		"  - {name: east, account: prod, region: us-east-1, kubeContext: east-ctx}",
		"  - {name: west, account: prod, region: us-west-2, kubeContext: west-ctx}",
		"roles:",
	}, "\n") + "\n" + roleYAML("app", "{cluster: east, namespace: apps, name: app}", "{cluster: west, namespace: apps, name: app}") +
		roleYAML("east-only", "{cluster: east, namespace: apps, name: worker}")
	r := newRig(t, yaml, conn.Kube)
	p := r.converge(plan.Options{})
	for i, timedOut := range timeouts {
		if timedOut() {
			t.Errorf("cluster %d was read alone: the two clusters were not read concurrently", i)
		}
	}
	want := []string{
		"create cluster/east/serviceaccount/apps/app", "create cluster/east/serviceaccount/apps/worker",
		"create cluster/west/serviceaccount/apps/app",
	}
	if diff := cmp.Diff(want, kubeChanges(p)); diff != "" {
		t.Errorf("service account changes across two clusters (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ cluster, name, role string }{{"east", "app", "app"}, {"east", "worker", "east-only"}, {"west", "app", "app"}} {
		sa := getSA(t, envs[c.cluster].Clientset(t), "apps", c.name)
		if got := sa.Annotations[resource.AnnotationRoleARN]; got != roleARN(c.role) {
			t.Errorf("%s apps/%s role-arn = %q, want %q", c.cluster, c.name, got, roleARN(c.role))
		}
	}
	if list, err := west.Clientset(t).CoreV1().ServiceAccounts("apps").List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 1 {
		t.Errorf("west holds %d service accounts in apps (error %v), want only app", len(list.Items), err)
	}

	// The standard loading rules merge KUBECONFIG's list the same way.
	t.Setenv("KUBECONFIG", east.Kubeconfig(t, "east-ctx")+string(filepath.ListSeparator)+west.Kubeconfig(t, "west-ctx"))
	viaEnv, err := (&connect.Real{}).Kube(ctx, config.Cluster{Name: "west", KubeContext: "west-ctx"}, aws.Config{})
	if err != nil {
		t.Fatalf("Real.Kube through KUBECONFIG: %v", err)
	}
	assertReaches(t, viaEnv, "apps/app")
}

func assertReaches(t *testing.T, kube corev1client.CoreV1Interface, key string) {
	t.Helper()
	ns, name, _ := strings.Cut(key, "/")
	if _, err := kube.ServiceAccounts(ns).Get(context.Background(), name, metav1.GetOptions{}); err != nil {
		t.Errorf("get %s through the client: %v", key, err)
	}
}
