package ooni

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
)

func benchFile(b *testing.B) (string, int) { return oonitest.BenchFile(b) }

// BenchmarkIngest measures ingest and scoring of a large .jsonl.gz against
// gzip -dc on the same file, and the peak heap while doing it.
func BenchmarkIngest(b *testing.B) {
	path, n := benchFile(b)
	st, _ := os.Stat(path)
	sc := testScorer(b)

	peakHeap := oonitest.PeakHeap()
	// Each round runs gzip -dc and then the ingest on the same file, so that
	// both see the same load from whatever else runs on the machine.
	var stats Stats
	var ingestWall, ingestCPU, gzWall, gzCPU float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		w, c := gzipRun(b, path)
		gzWall += w
		gzCPU += c
		b.StartTimer()
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		t := time.Now()
		var count int
		var err error
		stats, err = Ingest(context.Background(), []string{path}, Options{Scorer: sc},
			func(ms []*model.Measurement) error { count += len(ms); return nil })
		if err != nil {
			b.Fatal(err)
		}
		ingestWall += time.Since(t).Seconds()
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		ingestCPU += cpuSeconds(after) - cpuSeconds(before)
		if count != n {
			b.Fatalf("ingested %d of %d", count, n)
		}
	}
	b.StopTimer()
	peak := peakHeap()
	rounds := float64(b.N)
	secs := ingestWall / rounds
	mb := float64(stats.JSONBytes) / 1e6
	b.ReportMetric(float64(n)/secs, "measurements/s")
	b.ReportMetric(mb/secs, "MB/s")
	b.ReportMetric(float64(st.Size())/1e6/secs, "gzMB/s")
	b.ReportMetric(mb/(gzWall/rounds), "gzip-dc-MB/s")
	b.ReportMetric(gzWall/ingestWall, "x-gzip-dc")
	// CPU seconds per byte, which other load on the machine skews less.
	b.ReportMetric(gzCPU/ingestCPU, "cpu-x-gzip-dc")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "peak-rss-MiB")
	b.ReportMetric(float64(stats.JSONBytes)/(1<<20), "input-MiB")
}

func cpuSeconds(r syscall.Rusage) float64 {
	return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
}

// gzipRun runs gzip -dc on the file, reading its output, and returns the
// wall and CPU seconds it took.
func gzipRun(b *testing.B, path string) (wall, cpu float64) {
	if _, err := exec.LookPath("gzip"); err != nil {
		b.Skip("gzip not installed: it is the yardstick of this benchmark")
	}
	cmd := exec.Command("gzip", "-dc", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	t := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	for {
		if _, err := out.Read(buf); err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	return time.Since(t).Seconds(), (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

// vmHWM is the process's peak resident set in KiB (Linux only).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}
