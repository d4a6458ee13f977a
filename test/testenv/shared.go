package testenv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// shared is the package-wide server of Shared, started on first use and
// stopped by Main.
var shared struct {
	mu      sync.Mutex
	inMain  bool // Main is running, so the server will be stopped
	started bool // a start was tried; env and err hold its outcome
	env     *Env
	err     error
}

// Main runs a package's tests and then stops the server that Shared started,
// if any; it does not return. Use it as the whole of TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()

	code := m.Run()

	shared.mu.Lock()
	if shared.env != nil {
		if err := shared.env.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared.env = nil
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// Shared returns the package's one server, starting it on the first call.
// Tests sharing it must not depend on each other's objects: give each its own
// namespace (Env.Namespace). Like Start it skips, or fails when CI=true, when
// the binaries are missing; it fails when TestMain does not call Main, since
// nothing would then stop the server.
func Shared(t testing.TB) *Env {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		t.Fatal("testenv: Shared needs `func TestMain(m *testing.M) { testenv.Main(m) }` in the package, to stop the server")
	}
	if !shared.started {
		shared.started = true
		shared.env, shared.err = start()
	}
	if shared.err != nil {
		skipOrFail(t, shared.err)
	}
	return shared.env
}

// Namespace creates a namespace with a generated name for the test and
// returns its name. It is not deleted afterwards: envtest runs no namespace
// controller, so a deleted namespace would stay Terminating anyway.
func (e *Env) Namespace(t testing.TB) string {
	t.Helper()
	ns, err := e.Clientset(t).CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "test-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("testenv: create namespace: %v", err)
	}
	return ns.Name
}
