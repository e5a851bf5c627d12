package ndjson

import (
	"bytes"
	"testing"

	"github.com/candor-observatory/candor/internal/importers"
)

// BenchmarkRead measures the reader alone: strict decoding of exported
// demands, without the registry.
func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	if err := Generate(&buf, 20000, 1); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		items, err := importers.ReadAll(New(bytes.NewReader(data), importers.File{Name: "bench.ndjson"}))
		if err != nil {
			b.Fatal(err)
		}
		n += len(items)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
