package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
)

var benchDemands = func() int {
	if n, err := strconv.Atoi(os.Getenv("CANDOR_BENCH_DEMANDS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}()

var (
	bigOnce sync.Once
	bigDB   *sqlstore.DB
	bigErr  error
)

// bigStore writes benchDemands demands (a tenth of them answered) across
// 20 countries and 8 platforms over ten years through the registry, into
// a SQLite file that lives for the whole benchmark run.
func bigStore(b *testing.B) *sqlstore.DB {
	bigOnce.Do(func() {
		// CANDOR_BENCH_DIR keeps the store between runs: it is reused when there.
		dir := os.Getenv("CANDOR_BENCH_DIR")
		if dir == "" {
			d, err := os.MkdirTemp("", "candor-web-bench")
			if err != nil {
				bigErr = err
				return
			}
			dir = d
		}
		ctx := context.Background()
		path := filepath.Join(dir, fmt.Sprintf("demands-%d.db", benchDemands))
		_, statErr := os.Stat(path)
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			bigErr = err
			return
		}
		if statErr == nil {
			bigDB = db
			return
		}
		reg := registry.New(db)
		start := time.Now()
		var platforms []string
		for i := 0; i < 8; i++ {
			res, err := reg.Create(ctx, auth.System, &model.Organisation{Name: fmt.Sprintf("Platform %d", i), Kind: "platform", PlatformType: "social_media", Slug: fmt.Sprintf("p%d", i)})
			if err != nil {
				bigErr = err
				return
			}
			platforms = append(platforms, res.ID)
		}
		countries := []string{"TR", "VN", "RU", "IN", "BR", "DE", "FR", "US", "GB", "PK", "ID", "EG", "IR", "TH", "MX", "KR", "JP", "NG", "KE", "ET"}
		rng := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
		reasons := model.Reasons.Values()
		batch := make([]model.Record, 0, registry.MaxBatch)
		var answer []model.Record
		flush := func(recs []model.Record) error {
			res, err := reg.Write(ctx, auth.System, recs, registry.Create)
			if err != nil {
				return err
			}
			for i, r := range res {
				// Answer one demand in ten.
				if d, ok := recs[i].(*model.Demand); ok && i%10 == 0 {
					answer = append(answer, &model.Response{Demand: r.ID, Platform: d.Platform, Outcome: "complied_partial",
						DecidedAt: d.ReceivedAt, Counts: model.ResponseCounts{ItemsRemovedLegal: model.ExactCount(d.Targets.Items.Lo() / 2)}})
				}
			}
			return nil
		}
		for i := 0; i < benchDemands; i++ {
			// Turkey gets a quarter of all demands.
			cc := countries[rng.IntN(len(countries))]
			if rng.IntN(4) == 0 {
				cc = "TR"
			}
			at := base.Add(time.Duration(rng.Int64N(int64(10 * 365 * 24 * time.Hour))))
			batch = append(batch, &model.Demand{Platform: platforms[rng.IntN(len(platforms))], Country: cc, Granularity: "individual",
				ReceivedAt: &at, Channel: "court_order", Types: []string{"content_removal"}, Reason: reasons[rng.IntN(len(reasons))],
				Targets: model.Targets{Items: model.ExactCount(int64(1 + rng.IntN(50)))}, Summary: "generated demand " + strconv.Itoa(i)})
			if len(batch) == cap(batch) || i == benchDemands-1 {
				if bigErr = flush(batch); bigErr != nil {
					return
				}
				batch = batch[:0]
			}
		}
		for len(answer) > 0 {
			n := min(len(answer), registry.MaxBatch)
			if _, bigErr = reg.Write(ctx, auth.System, answer[:n], registry.Create); bigErr != nil {
				return
			}
			answer = answer[n:]
		}
		fmt.Fprintf(os.Stderr, "bench store: %d demands written in %s\n", benchDemands, time.Since(start).Round(time.Second))
		bigDB = db
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigDB
}

// BenchmarkCountryPage renders the Turkey page from a store of a million
// demands and reports the 95th percentile of the server time.
func BenchmarkCountryPage(b *testing.B) {
	db := bigStore(b)
	s := New(&StoreReader{S: db})
	// One render warms the platform list and SQLite's page cache.
	if w := get(b, s, "/countries/TR?lang=tr"); w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
	var times []time.Duration
	size := 0
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		w := get(b, s, "/countries/TR?lang=tr")
		times = append(times, time.Since(start))
		size = w.Body.Len()
	}
	b.StopTimer()
	// CPU time per render does not depend on what else the machine runs.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(size)/1024, "page-KiB")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCountryPageCold renders with nothing cached: the compliance sums
// are computed from the demands each time, as after a write.
func BenchmarkCountryPageCold(b *testing.B) {
	db := bigStore(b)
	var times []time.Duration
	for i := 0; i < b.N; i++ {
		s := New(&StoreReader{S: db})
		start := time.Now()
		if w := get(b, s, "/countries/TR?lang=tr"); w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
