package bench

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// heapSampler records the peak of the Go heap in use while a run goes on.
// The emulator and the in-memory clusters share the process, so the peak
// includes the live state they hold; base, taken after a GC just before the
// run, is mostly theirs, and peak-base is what the run itself added (its
// reads, documents and plan, plus the emulator's response buffers).
type heapSampler struct {
	base, peak uint64
	stop       chan struct{}
	done       sync.WaitGroup
}

// sampleInterval is short enough to catch the peak of a run that lasts a
// few hundred milliseconds; each sample briefly stops the world.
const sampleInterval = 5 * time.Millisecond

func startHeapSampler() *heapSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := &heapSampler{base: ms.HeapInuse, peak: ms.HeapInuse, stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(sampleInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.peak = max(s.peak, ms.HeapInuse)
}

// finish stops sampling and returns the peak heap in use and what the run
// added to the heap it started with, in bytes.
func (s *heapSampler) finish() (peak, growth uint64) {
	close(s.stop)
	s.done.Wait()
	s.sample()
	return s.peak, s.peak - s.base
}

// tally sums what the iterations of a benchmark measured.
type tally struct {
	runs         int
	wall         time.Duration
	aws, writes  map[string]int
	kube         map[string]int // "verb resource", all clusters
	peak, growth uint64         // the largest of the runs
}

func newTally() *tally {
	return &tally{aws: map[string]int{}, writes: map[string]int{}, kube: map[string]int{}}
}

func (t *tally) add(wall time.Duration, c counts, peak, growth uint64) {
	t.runs++
	t.wall += wall
	for k, v := range c.aws {
		t.aws[k] += v
	}
	for k, v := range c.awsWrites {
		t.writes[k] += v
	}
	for _, m := range c.kube {
		for k, v := range m {
			t.kube[k] += v
		}
	}
	t.peak, t.growth = max(t.peak, peak), max(t.growth, growth)
}

// readAliases shorten the metric names of the read actions; other actions
// report as their lower-case name.
var readAliases = map[string]string{
	"sts:GetCallerIdentity":              "identity",
	"sts:AssumeRole":                     "assumerole",
	"iam:GetAccountAuthorizationDetails": "gaad",
	"iam:ListRoles":                      "listroles",
	"iam:GetAccountSummary":              "summary",
	"iam:ListOpenIDConnectProviders":     "listoidc",
	"iam:GetOpenIDConnectProvider":       "getoidc",
	"iam:ListPolicyTags":                 "policytags",
	"eks:DescribeCluster":                "describecluster",
}

func metricName(action string) string {
	if a, ok := readAliases[action]; ok {
		return a + "-calls"
	}
	_, name, _ := strings.Cut(action, ":")
	return strings.ToLower(name) + "-calls"
}

// report turns a tally into per-run metrics: wall time, AWS calls in all
// and by action, writes, Kubernetes calls, and the heap.
func (t *tally) report(b *testing.B) {
	if t.runs == 0 {
		return
	}
	per := func(n int) float64 { return float64(n) / float64(t.runs) }
	b.ReportMetric(t.wall.Seconds()/float64(t.runs), "wall-s")
	total, writes := 0, 0
	for action, n := range t.aws {
		total += n
		b.ReportMetric(per(n), metricName(action))
	}
	for _, n := range t.writes {
		writes += n
	}
	b.ReportMetric(per(total), "aws-calls")
	b.ReportMetric(per(writes), "aws-writes")
	kube, lists, dryRuns, kubeWrites := 0, 0, 0, 0
	for k, n := range t.kube {
		kube += n
		verb, _, _ := strings.Cut(k, " ")
		switch {
		case verb == "list":
			lists += n
		case strings.HasPrefix(verb, "dryrun-"):
			dryRuns += n
		case isKubeWrite(k):
			kubeWrites += n
		}
	}
	b.ReportMetric(per(kube), "k8s-calls")
	b.ReportMetric(per(lists), "k8s-lists")
	b.ReportMetric(per(dryRuns), "k8s-dryruns")
	b.ReportMetric(per(kubeWrites), "k8s-writes")
	b.ReportMetric(float64(t.peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(t.growth)/(1<<20), "heap-growth-MB")
}

// perResource is the call count of a tool that refreshes each object on its
// own, as Terraform's AWS and Kubernetes providers do, for the same file:
// per role GetRole, ListRolePolicies and ListAttachedRolePolicies, plus
// GetRolePolicy per inline policy; per customer-managed policy GetPolicy
// and GetPolicyVersion; one call per attachment and per OIDC provider; two
// GETs per service account.
type perResource struct{ aws, kube int }

func perResourceModel(f *config.File) perResource {
	clusterAccount := map[string]string{}
	for _, c := range f.Clusters {
		clusterAccount[c.Name] = c.Account
	}
	providers := map[string]bool{} // role account + cluster
	var m perResource
	m.aws = 2 * len(f.Policies)
	for _, r := range f.Roles {
		m.aws += 3 + len(r.InlinePolicies) + len(r.Policies)
		for _, sa := range r.ServiceAccounts {
			providers[r.Account+"/"+sa.Cluster] = true
			if !strings.ContainsAny(sa.Name+sa.Namespace, "*?") {
				m.kube += 2
			}
		}
	}
	m.aws += len(providers)
	return m
}

// latency is the emulator's delay per AWS call: IRSA_BENCH_LATENCY (a Go
// duration), 50ms by default, as IAM answers from far away.
func latency(tb testing.TB) time.Duration {
	v := os.Getenv("IRSA_BENCH_LATENCY")
	if v == "" {
		return 50 * time.Millisecond
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		tb.Fatalf("IRSA_BENCH_LATENCY=%q: %v", v, err)
	}
	return d
}

// sizes are the estates benchmarked: 10, 100 and 1,000 roles, and 10,000
// with IRSA_BENCH_LARGE=1 (several minutes: see docs/performance.md).
func sizes() []int {
	s := []int{10, 100, 1000}
	if os.Getenv("IRSA_BENCH_LARGE") == "1" {
		s = append(s, 10000)
	}
	return s
}
