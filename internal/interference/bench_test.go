package interference

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// BenchmarkStreamingIngest holds SPEC P3 with detection on. Each round
// runs, on the same .jsonl.gz, one after the other so that they share the
// machine's load: gzip -dc; read and score (ooni.Ingest); read, score and
// feed the detectors in memory; `candor import ooni --no-detect` into
// SQLite; and `candor import ooni` with the stream. It reports each one's
// throughput as a multiple of gzip -dc's and the peak heap.
func BenchmarkStreamingIngest(b *testing.B) {
	if _, err := exec.LookPath("gzip"); err != nil {
		b.Skip("gzip not installed: it is the yardstick of this benchmark")
	}
	path, n := oonitest.BenchFile(b)
	fpDir := shareddatatest.Path(b, "ooni", "ooni-backend-fastpath")
	sc, _, err := Scorer(fpDir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := ooni.Options{Scorer: sc}
	peakHeap := oonitest.PeakHeap()
	// Wall time is what the bar is about; CPU seconds, which other load on
	// the machine skews less, are reported beside it.
	cpu := map[string]float64{}
	timed := func(name string, fn func()) float64 {
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		t := time.Now()
		fn()
		wall := time.Since(t).Seconds()
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu[name] += cpuSeconds(after) - cpuSeconds(before)
		return wall
	}
	var gz, ingest, detected, stored, streamed float64
	versions := 0
	b.ResetTimer()
	for range b.N {
		gz += timed("gzip", func() {
			cmd := exec.Command("sh", "-c", "gzip -dc "+path+" > /dev/null")
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
			cpu["gzip-child"] += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		})
		ingest += timed("ingest", func() {
			if _, err := ooni.Ingest(ctx, []string{path}, opts, func([]*model.Measurement) error { return nil }); err != nil {
				b.Fatal(err)
			}
		})
		detected += timed("detect", func() {
			d := detect.New(detect.DefaultParams())
			var latest time.Time
			_, err := ooni.Ingest(ctx, []string{path}, opts, func(ms []*model.Measurement) error {
				for _, m := range ms {
					d.Add(m)
					if m.StartTime.After(latest) {
						latest = m.StartTime
					}
				}
				d.Close(latest.Add(-time.Hour))
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			d.Close(latest)
		})
		db := storetest.OpenSQLite(b)
		stored += timed("import", func() {
			if st, err := ImportOONI(ctx, db, nil, []string{path}, opts); err != nil || st.New != n {
				b.Fatalf("%d new of %d: %v", st.New, n, err)
			}
		})
		db = storetest.OpenSQLite(b)
		stream := NewStream(db, registry.New(db), detect.DefaultParams())
		streamed += timed("stream", func() {
			if st, err := ImportOONI(ctx, db, stream, []string{path}, opts); err != nil || st.New != n {
				b.Fatalf("%d new of %d: %v", st.New, n, err)
			}
		})
		versions = stream.Stats().Versions
	}
	b.StopTimer()
	peak := peakHeap()
	rounds := float64(b.N)
	b.ReportMetric(float64(n)*rounds/streamed, "measurements/s")
	b.ReportMetric(gz/ingest, "ingest-x-gzip-dc")
	b.ReportMetric(gz/detected, "ingest+detect-x-gzip-dc")
	b.ReportMetric(gz/stored, "import-x-gzip-dc")
	b.ReportMetric(gz/streamed, "import+stream-x-gzip-dc")
	b.ReportMetric(streamed/stored, "stream-cost-x")
	g := cpu["gzip-child"]
	b.ReportMetric(g/cpu["ingest"], "cpu-ingest-x-gzip-dc")
	b.ReportMetric(g/cpu["detect"], "cpu-ingest+detect-x-gzip-dc")
	b.ReportMetric(g/cpu["import"], "cpu-import-x-gzip-dc")
	b.ReportMetric(g/cpu["stream"], "cpu-import+stream-x-gzip-dc")
	b.ReportMetric(float64(versions), "event-versions")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakRSS())/(1<<10), "peak-rss-MiB")
}

func cpuSeconds(r syscall.Rusage) float64 {
	return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
}
