package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/test/gen"
)

// boundRate is the per-account write rate of BenchmarkApplyAtTheBound: well
// under what ten writers at the emulator's latency can make (10 / 20 ms =
// 500 calls/s), so the rate limiter, not the round trip, is the bound.
const boundRate = 50

// BenchmarkApplyAtTheBound applies a two-account estate from empty at a
// per-account write rate and reports how close it comes to the bound that
// rate sets: the busiest account's IAM writes / rate. Each account has its
// own queue and limiter, so the accounts are written at once and the ratio
// (wall-s / bound-s) should stay within 1.1; before (one pool of workers
// over both accounts, slots held while a limiter waited) it was the sum of
// the accounts' times. wall-s is apply's alone, the plan before it not
// counted.
func BenchmarkApplyAtTheBound(b *testing.B) {
	for _, n := range []int{200, 500} {
		b.Run(fmt.Sprintf("roles=%d", n), func(b *testing.B) {
			var wall, bound time.Duration
			for range b.N {
				b.StopTimer()
				e := openEstate(b, "", gen.File(estateParams(n)), emulator.Options{Latency: 20 * time.Millisecond})
				p, cl, err := e.plan(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				report, err := apply.Run(context.Background(), p, apply.Clients{IAM: cl.IAM, Kube: cl.Kube},
					apply.Options{Parallelism: 10, WritesPerSecond: boundRate})
				wall += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				perAccount := map[string]int{}
				for i, r := range report.Results {
					if r.Kind != resource.KindServiceAccount {
						perAccount[p.Changes[i].AccountID()] += r.Writes
					}
				}
				busiest := 0
				for _, w := range perAccount {
					busiest = max(busiest, w)
				}
				bound += time.Duration(float64(busiest) / boundRate * float64(time.Second))
				b.ReportMetric(float64(busiest), "busiest-account-writes")
				b.ReportMetric(float64(len(perAccount)), "accounts")
				e.close()
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
			b.ReportMetric(bound.Seconds()/float64(b.N), "bound-s")
			ratio := wall.Seconds() / bound.Seconds()
			b.ReportMetric(ratio, "ratio")
			if ratio > 1.1 {
				b.Errorf("apply took %.2f x the bound of the busiest account's writes / rate, over 1.1", ratio)
			}
		})
	}
}
