package kubeint

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const accountID = "111122223333"

// header is the part of a bindings file every test shares: one account and
// the clusters named, each in us-east-1.
func header(owner string, clusters ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: irsa-sync/v1\nkind: Bindings\nowner: %s\naccounts:\n  - {name: prod, id: %q}\nclusters:\n", owner, accountID)
	for _, c := range clusters {
		fmt.Fprintf(&b, "  - {name: %s, account: prod, region: us-east-1}\n", c)
	}
	return b.String()
}

// roleYAML is one role bound to the given service account lines, each a
// YAML flow mapping such as "{cluster: c1, namespace: ns, name: app}".
func roleYAML(name string, serviceAccounts ...string) string {
	s := fmt.Sprintf("  - name: %s\n    account: prod\n    policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]\n    serviceAccounts:\n", name)
	for _, sa := range serviceAccounts {
		s += "      - " + sa + "\n"
	}
	return s
}

// bindings is a whole file: header and roles.
func bindings(owner string, clusters []string, roles ...string) string {
	return header(owner, clusters...) + "roles:\n" + strings.Join(roles, "")
}

// kubeFunc is the Kubernetes half of a Connector.
type kubeFunc func(ctx context.Context, c config.Cluster, awsCfg aws.Config) (corev1client.CoreV1Interface, error)

// connector takes AWS from the sandbox emulator and Kubernetes from kube.
type connector struct {
	aws  *sandbox.Sandbox
	kube kubeFunc
}

func (c connector) AWS(ctx context.Context, a config.Account) (aws.Config, error) {
	return c.aws.AWS(ctx, a)
}

func (c connector) Kube(ctx context.Context, cl config.Cluster, awsCfg aws.Config) (corev1client.CoreV1Interface, error) {
	return c.kube(ctx, cl, awsCfg)
}

// fromConfig reaches every cluster of a file with one rest.Config.
func fromConfig(rc *rest.Config) kubeFunc {
	return func(context.Context, config.Cluster, aws.Config) (corev1client.CoreV1Interface, error) {
		return corev1client.NewForConfig(rc)
	}
}

// rig runs bindings files through the real pipeline: config.Parse and
// Validate, connect.Open, live.Read, desired.Build, plan.Compute, apply.Run.
type rig struct {
	t       *testing.T
	file    *config.File
	clients *connect.Clients
}

func newRig(t *testing.T, yaml string, kube kubeFunc) *rig {
	t.Helper()
	f := parse(t, yaml)
	sb, err := sandbox.Open("", f, sandbox.Options{KeepNamespaces: true})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	clients, err := connect.Open(context.Background(), f, connector{aws: sb, kube: kube})
	if err != nil {
		t.Fatalf("connect.Open: %v", err)
	}
	return &rig{t: t, file: f, clients: clients}
}

func parse(t *testing.T, yaml string) *config.File {
	t.Helper()
	f, err := config.Parse([]byte(yaml), "bindings.yaml")
	if err != nil {
		t.Fatalf("parse bindings:\n%s\n%v", yaml, err)
	}
	if diags := config.Validate(f); len(diags) > 0 {
		t.Fatalf("bindings not valid:\n%s\n%v", yaml, diags)
	}
	return f
}

// setFile replaces the file the rig plans, keeping its accounts, clusters
// and emulator state.
func (r *rig) setFile(yaml string) { r.file = parse(r.t, yaml) }

func (r *rig) plan(opts plan.Options) *plan.Plan {
	r.t.Helper()
	p, err := r.tryPlan(opts)
	if err != nil {
		r.t.Fatalf("plan: %v", err)
	}
	return p
}

func (r *rig) tryPlan(opts plan.Options) (*plan.Plan, error) {
	res, err := reconcile.Plan(context.Background(), r.file, r.clients, reconcile.Options{Prune: opts.Prune})
	if err != nil {
		return nil, err
	}
	return res.Plan, nil
}

func (r *rig) apply(p *plan.Plan) (*apply.Report, error) {
	return apply.Run(context.Background(), p, apply.Clients{IAM: r.clients.IAM, Kube: r.clients.Kube, EKS: r.clients.EKS}, apply.Options{})
}

// converge plans and applies, failing the test on any error, and checks a
// second plan is empty.
func (r *rig) converge(opts plan.Options) *plan.Plan {
	r.t.Helper()
	p := r.plan(opts)
	if p.Blocked() {
		r.t.Fatalf("plan is blocked: conflicts %v, errors %v", p.Conflicts, p.Errors)
	}
	if _, err := r.apply(p); err != nil {
		r.t.Fatalf("apply: %v", err)
	}
	if again := r.plan(opts); !again.Empty() {
		r.t.Fatalf("second plan is not empty: %v", addresses(again.Changes))
	}
	return p
}

func addresses(cs []plan.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Address)
	}
	return out
}

// kubeChanges are the plan's ServiceAccount changes, as "action address".
func kubeChanges(p *plan.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Cluster != "" {
			out = append(out, string(c.Action)+" "+c.Address)
		}
	}
	return out
}

func getSA(t *testing.T, kube kubernetes.Interface, ns, name string) *corev1.ServiceAccount {
	t.Helper()
	sa, err := kube.CoreV1().ServiceAccounts(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get service account %s/%s: %v", ns, name, err)
	}
	return sa
}

// managers lists the field managers of an object as "manager/operation",
// sorted.
func managers(sa *corev1.ServiceAccount) []string {
	var out []string
	for _, mf := range sa.ManagedFields {
		out = append(out, mf.Manager+"/"+string(mf.Operation))
	}
	sort.Strings(out)
	return out
}

func roleARN(name string) string { return "arn:aws:iam::" + accountID + ":role/" + name }

// requestCounter counts the requests a client makes, by "METHOD path".
type requestCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

// counting returns a copy of rc whose requests c counts.
func (c *requestCounter) counting(rc *rest.Config) *rest.Config {
	out := rest.CopyConfig(rc)
	out.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			c.mu.Lock()
			if c.calls == nil {
				c.calls = map[string]int{}
			}
			c.calls[req.Method+" "+req.URL.Path]++
			c.mu.Unlock()
			return next.RoundTrip(req)
		})
	}
	return out
}

// take returns the counts so far and starts again from zero.
func (c *requestCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	if out == nil {
		out = map[string]int{}
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
