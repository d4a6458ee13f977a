package faults

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	k8stesting "k8s.io/client-go/testing"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const example = "../../examples/bindings.yaml"

// fastApply lifts apply's per-account write rate, which exists for real IAM
// and would only make these many runs slow.
var fastApply = apply.Options{WritesPerSecond: 1000}

// rig is one in-memory sandbox for one file, with a proxy in front of the
// emulator where transport faults (dropped connections, latency, hangs)
// are injected; API errors go through the emulator's own SetFault.
type rig struct {
	t    *testing.T
	file *config.File
	sb   *sandbox.Sandbox

	mu      sync.Mutex
	network func(r *http.Request, action string) transportFault
	proxy   *httptest.Server
}

// transportFault is what the proxy does to one request.
type transportFault struct {
	delay        time.Duration // before anything else; cut short if the client gives up
	resetBefore  bool          // drop the connection without forwarding
	dropResponse bool          // forward, then drop the connection: the write happened, the answer is lost
}

func loadFile(t *testing.T, path string) *config.File {
	t.Helper()
	f, err := config.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if diags := config.Validate(f); len(diags) > 0 {
		t.Fatalf("validate %s: %v", path, diags)
	}
	return f
}

func newRig(t *testing.T, path string) *rig {
	t.Helper()
	r := &rig{t: t, file: loadFile(t, path)}
	var err error
	if r.sb, err = sandbox.Open("", r.file, sandbox.Options{}); err != nil {
		t.Fatal(err)
	}
	r.proxy = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.proxy.Close()
		if err := r.sb.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	return r
}

func (r *rig) setNetwork(f func(req *http.Request, action string) transportFault) {
	r.mu.Lock()
	r.network = f
	r.mu.Unlock()
}

func (r *rig) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	f := r.network
	r.mu.Unlock()
	var tf transportFault
	if f != nil {
		tf = f(req, action(req))
	}
	if tf.delay > 0 {
		select {
		case <-time.After(tf.delay):
		case <-req.Context().Done():
			return
		}
	}
	if tf.resetBefore {
		panic(http.ErrAbortHandler)
	}
	if tf.dropResponse {
		r.sb.Emulator.Handler().ServeHTTP(httptest.NewRecorder(), req)
		panic(http.ErrAbortHandler)
	}
	r.sb.Emulator.Handler().ServeHTTP(w, req)
}

// action reads the awsQuery action of a request and puts the body back;
// EKS requests are named by their path.
func action(req *http.Request) string {
	if req.Body == nil {
		return req.URL.Path
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := req.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	req.Body = nopCloser{strings.NewReader(b.String())}
	if v, err := url.ParseQuery(b.String()); err == nil && v.Get("Action") != "" {
		return v.Get("Action")
	}
	return eksWrite(req)
}

// eksWrite names the EKS writes irsa-sync makes (restJson1: the method and
// path say the operation), so isWrite counts them; reads keep their path.
func eksWrite(req *http.Request) string {
	p := req.URL.Path
	switch {
	case req.Method == http.MethodPost && strings.HasSuffix(p, "/pod-identity-associations"):
		return "CreatePodIdentityAssociation"
	case req.Method == http.MethodPost && strings.Contains(p, "/pod-identity-associations/"):
		return "UpdatePodIdentityAssociation"
	case req.Method == http.MethodDelete && strings.Contains(p, "/pod-identity-associations/"):
		return "DeletePodIdentityAssociation"
	case req.Method == http.MethodPost && strings.HasPrefix(p, "/tags/"):
		return "TagResource"
	}
	return p
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// connector reaches the sandbox through the proxy with the retry settings
// irsa-sync uses against real AWS (connect.Real: adaptive mode, 10
// attempts), with backoff capped at 50ms so that hundreds of retries take
// seconds, not minutes.
type connector struct{ r *rig }

func (c connector) AWS(ctx context.Context, a config.Account) (aws.Config, error) {
	base := a
	base.AssumeRoleArn, base.ExternalID = "", ""
	cfg, err := c.r.sb.AWS(ctx, base)
	if err != nil {
		return cfg, err
	}
	cfg.BaseEndpoint = aws.String(c.r.proxy.URL)
	cfg.Retryer = func() aws.Retryer {
		return retry.AddWithMaxBackoffDelay(retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = 10 })
		}), 50*time.Millisecond)
	}
	return connect.AssumeRole(cfg, a), nil
}

func (c connector) Kube(ctx context.Context, cl config.Cluster, cfg aws.Config) (corev1client.CoreV1Interface, error) {
	return c.r.sb.Kube(ctx, cl, cfg)
}

// clients opens a fresh set of clients, as one run of irsa-sync would.
func (r *rig) clients() *connect.Clients {
	r.t.Helper()
	cl, err := connect.Open(context.Background(), r.file, connector{r})
	if err != nil {
		r.t.Fatal(err)
	}
	return cl
}

// plan reads the live state and plans, as the CLI does.
func (r *rig) plan(ctx context.Context, cl *connect.Clients) (*plan.Plan, error) {
	res, err := reconcile.Plan(ctx, r.file, cl, reconcile.Options{})
	if err != nil {
		return nil, err
	}
	return res.Plan, nil
}

// apply plans and applies with fresh clients.
func (r *rig) apply(ctx context.Context, opts apply.Options) (*plan.Plan, *apply.Report, error) {
	cl := r.clients()
	p, err := r.plan(ctx, cl)
	if err != nil {
		return nil, nil, err
	}
	rep, err := apply.Run(ctx, p, apply.Clients{IAM: cl.IAM, Kube: cl.Kube, EKS: cl.EKS}, opts)
	return p, rep, err
}

// mustConverge applies without faults and checks that a further plan is empty.
func (r *rig) mustConverge() {
	r.t.Helper()
	r.sb.Emulator.SetFault(nil)
	r.setNetwork(nil)
	if _, _, err := r.apply(context.Background(), fastApply); err != nil {
		r.t.Fatalf("apply without faults: %v", err)
	}
	r.mustBeInSync()
}

func (r *rig) mustBeInSync() {
	r.t.Helper()
	p, err := r.plan(context.Background(), r.clients())
	if err != nil {
		r.t.Fatalf("plan: %v", err)
	}
	if !p.Empty() || p.Blocked() {
		r.t.Fatalf("plan after apply is not empty: %d changes, %d conflicts, %d errors: %+v %+v", len(p.Changes), len(p.Conflicts), len(p.Errors), p.Changes, p.Errors)
	}
}

// onKubeWrite calls f before every write to any cluster of the file.
func (r *rig) onKubeWrite(f func(verb string)) {
	for _, c := range r.file.Clusters {
		r.sb.Cluster(c.Name).PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
			if v := a.GetVerb(); v != "get" && v != "list" && v != "watch" && !sandbox.IsDryRun(a) {
				f(v)
			}
			return false, nil, nil
		})
	}
}

var writePrefixes = []string{"Create", "Delete", "Put", "Update", "Attach", "Detach", "Tag", "Untag", "Add", "Remove", "Set"}

// isWrite mirrors the emulator's classification of mutating actions.
func isWrite(action string) bool {
	for _, p := range writePrefixes {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
