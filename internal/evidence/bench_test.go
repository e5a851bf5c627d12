package evidence_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/candor-observatory/candor/internal/evidence"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// BenchmarkBundle builds and verifies a bundle of 100 and of 1,000
// demands, on SQLite, over a log of 2,000 entries.
func BenchmarkBundle(b *testing.B) {
	ctx := context.Background()
	k := newKeys(b)
	w := start(b, storetest.OpenSQLite(b), k)
	for i := range 4 {
		w.add(b, 500, fmt.Sprintf("bench%d", i))
	}
	for _, n := range []int{100, 1000} {
		refs := w.refs[:n]
		var file []byte
		b.Run(fmt.Sprintf("build/%d", n), func(b *testing.B) {
			for b.Loop() {
				var err error
				if file, err = w.builder().Build(ctx, refs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(file))/float64(n), "bytes/record")
		})
		b.Run(fmt.Sprintf("verify/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := evidence.Verify(file, evidence.Options{LogKey: k.logVkey, WitnessKeys: []string{k.witnessVkey}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
