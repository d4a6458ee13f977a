package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// estateParams is the estate shape: 2 accounts, 4 clusters and 2
// service accounts per role (gen's defaults), n roles.
func estateParams(n int) gen.Params { return gen.Params{Roles: n} }

// onePercent is the estate with 1% of its roles changed (at least one).
func onePercent(n int) gen.Params {
	p := estateParams(n)
	p.Changed = max(1, n/100)
	return p
}

// BenchmarkNoOpPlan plans an estate that is already applied: the read and
// the plan of every pull request and scheduled drift check. It also reports
// the per-resource model's calls for the same file (model-*).
func BenchmarkNoOpPlan(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("roles=%d", n), func(b *testing.B) {
			p := estateParams(n)
			lat := latency(b)
			e := openEstate(b, appliedCopy(b, p), gen.File(p), emulator.Options{Latency: lat})
			t := newTally()
			b.ResetTimer()
			for range b.N {
				mem := startHeapSampler()
				start := time.Now()
				pl, _, err := e.plan(context.Background())
				wall := time.Since(start)
				peak, growth := mem.finish()
				if err != nil {
					b.Fatal(err)
				}
				if !pl.Empty() {
					b.Fatalf("no-op plan has %d changes", len(pl.Changes))
				}
				t.add(wall, e.takeCounts(), peak, growth)
			}
			b.StopTimer()
			t.report(b)
			m := perResourceModel(e.file)
			b.ReportMetric(float64(m.aws), "model-aws-calls")
			b.ReportMetric(float64(m.kube), "model-k8s-calls")
			b.ReportMetric(float64(m.aws+m.kube)*lat.Seconds()/float64(applyOptions.Parallelism), "model-wall-s")
		})
	}
}

// BenchmarkApplyFromEmpty plans and applies an estate on empty accounts and
// clusters. It reports target-s, the bound of 1.3 x (AWS writes x
// latency / parallelism), next to wall-s.
func BenchmarkApplyFromEmpty(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("roles=%d", n), func(b *testing.B) {
			p := estateParams(n)
			lat := latency(b)
			t := newTally()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				e := openEstate(b, "", gen.File(p), emulator.Options{Latency: lat})
				b.StartTimer()
				wall, c, peak, growth := timedApply(b, e)
				b.StopTimer()
				t.add(wall, c, peak, growth)
				e.close()
				b.StartTimer()
			}
			b.StopTimer()
			t.report(b)
			reportTarget(b, t, lat)
		})
	}
}

// BenchmarkApplyOnePercent plans and applies an applied estate after 1% of
// its roles changed (gen.Changes: description, tag, one more service
// account, inline policy, in turn).
func BenchmarkApplyOnePercent(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("roles=%d", n), func(b *testing.B) {
			lat := latency(b)
			t := newTally()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				e := openEstate(b, appliedCopy(b, estateParams(n)), gen.File(onePercent(n)), emulator.Options{Latency: lat})
				b.StartTimer()
				wall, c, peak, growth := timedApply(b, e)
				b.StopTimer()
				if diff := diffWrites(expectedChangeWrites(onePercent(n)), writesOf(c)); diff != "" {
					b.Errorf("writes of the 1%% change (-want +got):\n%s", diff)
				}
				t.add(wall, c, peak, growth)
				e.close()
				b.StartTimer()
			}
			b.StopTimer()
			t.report(b)
			reportTarget(b, t, lat)
		})
	}
}

func timedApply(b *testing.B, e *estate) (time.Duration, counts, uint64, uint64) {
	b.Helper()
	mem := startHeapSampler()
	start := time.Now()
	_, _, err := e.planAndApply(context.Background())
	wall := time.Since(start)
	peak, growth := mem.finish()
	if err != nil {
		b.Fatal(err)
	}
	return wall, e.takeCounts(), peak, growth
}

// reportTarget reports the bound for an apply: writes are what it
// must make, and ten writers at one latency each is the fastest they go.
func reportTarget(b *testing.B, t *tally, lat time.Duration) {
	writes := 0
	for _, n := range t.writes {
		writes += n
	}
	perRun := float64(writes) / float64(t.runs)
	b.ReportMetric(1.3*perRun*lat.Seconds()/float64(applyOptions.Parallelism), "target-s")
}
