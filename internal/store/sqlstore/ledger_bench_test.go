package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// benchBatch matches the batch size of the Tessera POSIX figure.
const benchBatch = 4096

func eachBench(b *testing.B, fn func(b *testing.B, db *sqlstore.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.OpenPostgres(b)) })
}

// BenchmarkLedgerAppend: batches of 4,096 record versions written with
// their leaves in one transaction, then integrated into tiles ("records");
// the same without the record rows, the ledger's own cost ("leaves"); and
// the record rows alone, what the store costs before any ledger ("rows").
func BenchmarkLedgerAppend(b *testing.B) {
	b.Run("records", func(b *testing.B) { benchAppend(b, true, true) })
	b.Run("leaves", func(b *testing.B) { benchAppend(b, false, true) })
	b.Run("rows", func(b *testing.B) { benchAppend(b, true, false) })
}

func benchAppend(b *testing.B, withRecords, withLeaves bool) {
	eachBench(b, func(b *testing.B, db *sqlstore.DB) {
		ctx := context.Background()
		day := time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			rows := make([]*store.Row, benchBatch)
			leaves := make([]store.Leaf, benchBatch)
			for j := range rows {
				d := registrytest.Individual("01H0000000000000000000000X", "TR", day, int64(j+1), fmt.Sprintf("b%d-%d", i, j))
				d.ID, d.Version, d.CreatedAt, d.UpdatedAt, d.Visibility = ulid.Make().String(), 1, day, day, model.Public
				body, _ := registry.Canonical(d)
				rows[j] = &store.Row{Collection: "demands", ID: d.ID, Version: 1, Visibility: model.Public, Index: d.Index(), Body: body, CreatedAt: day, UpdatedAt: day}
				leaves[j] = store.Leaf{Data: body}
			}
			b.StartTimer()
			err := db.InTx(ctx, func(tx store.Tx) error {
				if !withLeaves {
					return tx.Put(ctx, rows)
				}
				first, err := tx.AppendLeaves(ctx, leaves)
				if err != nil {
					return err
				}
				if !withRecords {
					return nil
				}
				for j, r := range rows {
					n := first + int64(j)
					r.LeafIndex = &n
				}
				return tx.Put(ctx, rows)
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ledger.Integrate(ctx, db, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "entries/s")
	})
}

// BenchmarkIntegrateSQL: turning 4,096 committed entries into tiles.
func BenchmarkIntegrateSQL(b *testing.B) {
	eachBench(b, func(b *testing.B, db *sqlstore.DB) {
		ctx := context.Background()
		leaves := make([][]byte, benchBatch)
		for j := range leaves {
			leaves[j] = make([]byte, 600)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			appendLeaves(b, db, leaves)
			b.StartTimer()
			if _, err := ledger.Integrate(ctx, db, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "entries/s")
	})
}

// BenchmarkRegistryLedgerCost: what the ledger adds to an import through
// the registry: public demands get leaves, members-only ones do not.
func BenchmarkRegistryLedgerCost(b *testing.B) {
	for _, vis := range []model.Visibility{model.Public, model.Members} {
		b.Run(string(vis), func(b *testing.B) {
			eachBench(b, func(b *testing.B, db *sqlstore.DB) {
				ctx := context.Background()
				f := registrytest.NewFixture(b, db)
				day := time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC)
				const batch = 1000
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					recs := make([]model.Record, batch)
					for j := range recs {
						d := registrytest.Individual(f.X, "TR", day, int64(j+1), fmt.Sprintf("r%d-%d", i, j))
						d.Visibility = vis
						if j%10 == 0 {
							d.Summary = "an order naming a person"
						}
						recs[j] = d
					}
					b.StartTimer()
					if _, err := f.Reg.Write(ctx, f.PlatformX, recs, registry.Upsert); err != nil {
						b.Fatal(err)
					}
					if _, err := ledger.Integrate(ctx, db, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
			})
		})
	}
}

// BenchmarkProofSQL: an inclusion proof for a random entry of a
// 262,144-entry log whose tiles are in the database.
func BenchmarkProofSQL(b *testing.B) {
	eachBench(b, func(b *testing.B, db *sqlstore.DB) {
		ctx := context.Background()
		leaves := make([][]byte, 16384)
		for i := range leaves {
			leaves[i] = []byte(fmt.Sprintf(`{"n":%d}`, i))
		}
		for i := 0; i < 16; i++ {
			appendLeaves(b, db, leaves)
		}
		size, err := ledger.Integrate(ctx, db, 0)
		if err != nil {
			b.Fatal(err)
		}
		tr := ledger.NewTreeReader(db)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			idx := int64(i*7919) % size
			if _, err := tr.InclusionProof(ctx, idx, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}
