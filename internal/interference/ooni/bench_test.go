package ooni

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
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

	gz, gzCPU := gzipThroughput(b, path)
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	b.ResetTimer()
	var stats Stats
	for range b.N {
		var count int
		var err error
		stats, err = Ingest(context.Background(), []string{path}, Options{Scorer: sc},
			func(ms []*model.Measurement) error { count += len(ms); return nil })
		if err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("ingested %d of %d", count, n)
		}
	}
	b.StopTimer()
	close(stop)
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := (cpuSeconds(after) - cpuSeconds(before)) / float64(b.N)
	// gzip -dc again after, keeping the better figures, since other work on
	// the machine slows either run.
	if gz2, gzCPU2 := gzipThroughput(b, path); gz2 > gz {
		gz, gzCPU = gz2, min(gzCPU, gzCPU2)
	}
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(n)/secs, "measurements/s")
	b.ReportMetric(float64(stats.JSONBytes)/secs/1e6, "MB/s")
	b.ReportMetric(float64(st.Size())/secs/1e6, "gzMB/s")
	b.ReportMetric(gz/1e6, "gzip-dc-MB/s")
	b.ReportMetric(float64(stats.JSONBytes)/secs/gz, "x-gzip-dc")
	// CPU per byte, which other load on the machine does not skew: gzip's
	// CPU seconds for the file over ours.
	b.ReportMetric(gzCPU/cpu, "cpu-x-gzip-dc")
	b.ReportMetric(float64(stats.JSONBytes)/cpu/1e6, "MB/cpu-s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "peak-rss-MiB")
	b.ReportMetric(float64(stats.JSONBytes)/(1<<20), "input-MiB")
}

func cpuSeconds(r syscall.Rusage) float64 {
	return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
}

// gzipThroughput runs gzip -dc on the file and returns the best
// uncompressed bytes per second and the least CPU seconds of two runs.
func gzipThroughput(b *testing.B, path string) (float64, float64) {
	if _, err := exec.LookPath("gzip"); err != nil {
		b.Skip("gzip not installed: it is the yardstick of this benchmark")
	}
	best, bestCPU := 0.0, 0.0
	for range 2 {
		cmd := exec.Command("gzip", "-dc", path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		var total int64
		br := bufio.NewReaderSize(out, 1<<20)
		buf := make([]byte, 1<<20)
		for {
			k, err := br.Read(buf)
			total += int64(k)
			if err != nil {
				break
			}
		}
		cmd.Wait()
		if r := float64(total) / time.Since(t).Seconds(); r > best {
			best = r
		}
		c := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		if bestCPU == 0 || c < bestCPU {
			bestCPU = c
		}
	}
	return best, bestCPU
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
