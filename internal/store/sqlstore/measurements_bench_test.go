package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// BenchmarkPutMeasurements inserts measurements in batches of 512, as the
// OONI import does, into SQLite.
func BenchmarkPutMeasurements(b *testing.B) {
	db := storetest.OpenSQLite(b)
	ctx := context.Background()
	at := time.Date(2023, 2, 8, 0, 0, 0, 0, time.UTC)
	batch := make([]*model.Measurement, 512)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range batch {
			batch[j] = measurement(fmt.Sprintf("u%d-%d", i, j), "TR", 9121, "twitter", "ok", at.Add(time.Duration(i*512+j)*time.Second))
		}
		if _, err := db.PutMeasurements(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*512)/b.Elapsed().Seconds(), "measurements/s")
}
