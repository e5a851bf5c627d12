package oonitest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// BenchFile writes, once per size and machine, a .jsonl.gz of generated
// measurements in the temporary directory and returns its path and the
// number of measurements. CANDOR_BENCH_OONI_HOURS sets its size (default
// 48): each hour is 5 networks × 6 domains × 10 measurements of ~9 KiB.
func BenchFile(tb testing.TB) (string, int) {
	hours := 48
	if s := os.Getenv("CANDOR_BENCH_OONI_HOURS"); s != "" {
		hours, _ = strconv.Atoi(s)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("candor-bench-ooni-%dh.jsonl.gz", hours))
	count := filepath.Join(os.TempDir(), fmt.Sprintf("candor-bench-ooni-%dh.count", hours))
	if c, err := os.ReadFile(count); err == nil {
		n, _ := strconv.Atoi(string(c))
		return path, n
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression)
	start := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
	n, err := Write(zw, Spec{Start: start, End: start.Add(time.Duration(hours) * time.Hour),
		Networks: DefaultNetworks, Domains: DefaultDomains, PerHour: 10, Seed: 1, BodyBytes: 6 << 10,
		Episodes: []Episode{
			{Kind: "throttling", ASN: 9121, Domains: []string{"twitter.com"}, Start: start.Add(5 * time.Hour), End: start.Add(20 * time.Hour), Factor: 30},
			{Kind: "dns", ASN: 16135, Domains: []string{"www.youtube.com"}, Start: start.Add(8 * time.Hour), End: start.Add(30 * time.Hour), BlockIP: "195.175.254.2"}}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	os.WriteFile(count, []byte(strconv.Itoa(n)), 0o644)
	return path, n
}

// PeakHeap samples the heap and stacks in use every 20 ms until the
// returned function is called, which returns the peak in bytes.
func PeakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}
