// Package testenv runs a real kube-apiserver and etcd for tests, through
// controller-runtime's envtest, so that tests see the API server's own
// behaviour (server-side apply, field managers, RBAC) rather than a fake's.
//
// The binaries come from KUBEBUILDER_ASSETS, else from .cache/bin at the
// module root; `make tools` (hack/tools.sh) puts them there and `make test`
// runs it first. Without them a test is skipped, or fails when CI=true.
//
// Starting and stopping a server takes seconds, so a package with several such
// tests should share one: call Shared instead of Start and run Main from
// TestMain.
package testenv

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Env is a running kube-apiserver with its etcd.
type Env struct {
	// Config connects as an administrator (group system:masters).
	Config *rest.Config

	env *envtest.Environment
}

// Start starts kube-apiserver and etcd for one test and stops them when the
// test ends (t.Cleanup); that takes a few seconds (see Shared). The binaries
// come from KUBEBUILDER_ASSETS, else from .cache/bin next to the go.mod found
// by walking up from the working directory. When they are missing it skips
// the test with a message saying to run `make test` (or `make tools` first),
// or, under CI=true, fails it: in CI a missing test dependency is a failure,
// never a silent skip.
func Start(t testing.TB) *Env {
	t.Helper()
	e, err := start()
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(func() {
		if err := e.stop(); err != nil {
			t.Errorf("testenv: stop: %v", err)
		}
	})
	return e
}

// quietLogs silences controller-runtime's logger, which envtest logs to and
// which otherwise complains, with a stack trace, that it was never set.
var quietLogs sync.Once

// start starts a server; each configure step may set flags of the
// kube-apiserver before it starts.
func start(configure ...func(*envtest.APIServer)) (*Env, error) {
	paths, err := findBinaries()
	if err != nil {
		return nil, err
	}
	quietLogs.Do(func() { ctrllog.SetLogger(logr.Discard()) })

	// Explicit paths, so that envtest uses the binaries checked above rather
	// than resolving KUBEBUILDER_ASSETS again on its own.
	api := &envtest.APIServer{Path: paths["kube-apiserver"]}
	for _, c := range configure {
		c(api)
	}
	env := &envtest.Environment{
		ControlPlane: envtest.ControlPlane{
			APIServer: api,
			Etcd:      &envtest.Etcd{Path: paths["etcd"]},
		},
	}
	cfg, err := env.Start()
	if err != nil {
		// Start can fail after one process is up; stop whatever runs.
		_ = env.Stop()
		return nil, fmt.Errorf("start %s and %s: %w", paths["kube-apiserver"], paths["etcd"], err)
	}
	return &Env{Config: cfg, env: env}, nil
}

func (e *Env) stop() error {
	if err := e.env.Stop(); err != nil {
		return fmt.Errorf("stop kube-apiserver and etcd: %w", err)
	}
	return nil
}

// Clientset returns a typed client that acts as an administrator.
func (e *Env) Clientset(t testing.TB) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(e.Config)
	if err != nil {
		t.Fatalf("testenv: clientset: %v", err)
	}
	return cs
}

// AddUser returns a client config for a new user with the given name and
// groups. The user has no permissions until RBAC objects grant some, which
// makes it the way to test what a least-privilege identity may do.
func (e *Env) AddUser(t testing.TB, name string, groups []string) *rest.Config {
	t.Helper()
	base := &rest.Config{QPS: e.Config.QPS, Burst: e.Config.Burst}
	user, err := e.env.AddUser(envtest.User{Name: name, Groups: groups}, base)
	if err != nil {
		t.Fatalf("testenv: add user %q: %v", name, err)
	}
	return user.Config()
}

// Kubeconfig writes a kubeconfig file into t.TempDir() and returns its path.
// Its one context, named contextName and also the current context, points at
// this server with administrator credentials; tests of the CLI's kubeContext
// setting read it like a user's kubeconfig.
func (e *Env) Kubeconfig(t testing.TB, contextName string) string {
	t.Helper()
	c := e.Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters[contextName] = &clientcmdapi.Cluster{
		Server:                   c.Host,
		CertificateAuthorityData: c.CAData,
	}
	kc.AuthInfos[contextName] = &clientcmdapi.AuthInfo{
		ClientCertificateData: c.CertData,
		ClientKeyData:         c.KeyData,
		Token:                 c.BearerToken,
		Username:              c.Username,
		Password:              c.Password,
	}
	kc.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName}
	kc.CurrentContext = contextName

	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatalf("testenv: write kubeconfig: %v", err)
	}
	return path
}
