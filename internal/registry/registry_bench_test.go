package registry_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// BenchmarkWrite measures records/s through the whole write path
// (validate, canonical JSON, records, audit and ledger leaves in one
// transaction) in batches of 1000.
func BenchmarkWrite(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var s store.Store
			if kind == "sqlite" {
				s = storetest.OpenSQLite(b)
			} else {
				s = storetest.OpenPostgres(b)
			}
			f := registrytest.NewFixture(b, s)
			ctx := context.Background()
			day := time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC)
			const batch = 1000
			b.ResetTimer()
			n := 0
			for n < b.N {
				recs := make([]model.Record, 0, batch)
				for i := 0; i < batch && n < b.N; i++ {
					recs = append(recs, registrytest.Individual(f.X, "TR", day.Add(time.Duration(n)*time.Second), int64(n%500+1), fmt.Sprintf("bench-%d", n)))
					n++
				}
				if _, err := f.Reg.Write(ctx, auth.System, recs, registry.Upsert); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
