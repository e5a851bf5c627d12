package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/importers/google"
	"github.com/candor-observatory/candor/internal/importers/loader"
	"github.com/candor-observatory/candor/internal/importers/ndjson"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// BenchmarkLoadGoogleRemovals imports the per-requestor removal file
// (17,483 rows, 34,967 records) into a fresh SQLite store.
func BenchmarkLoadGoogleRemovals(b *testing.B) {
	path := shareddatatest.Path(b, "transparency", "google-government-removal-requests.csv")
	file, err := importers.HashFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	for b.Loop() {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		fh, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		l := &loader.Loader{Registry: registry.New(db), Actor: auth.System}
		sum, err := l.Load(context.Background(), google.Removals, fh, file)
		if err != nil {
			b.Fatal(err)
		}
		n += sum.Read
		fh.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkImportNDJSON is `candor import ndjson` without the process:
// generated demands in the export format, read, validated and written
// through the registry (records, audit, ledger leaves) in one transaction
// per file. One op is one file of 20,000 demands.
func BenchmarkImportNDJSON(b *testing.B) {
	const n = 20000
	path := filepath.Join(b.TempDir(), "demands.ndjson")
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := ndjson.Generate(fh, n, 1); err != nil {
		b.Fatal(err)
	}
	fh.Close()
	file, err := importers.HashFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var records int
			for b.Loop() {
				b.StopTimer()
				var db store.Store
				if kind == "sqlite" {
					db = storetest.OpenSQLite(b)
				} else {
					db = storetest.OpenPostgres(b)
				}
				in, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				l := &loader.Loader{Registry: registry.New(db), Actor: auth.System}
				sum, err := l.Load(context.Background(), ndjson.Format, in, file)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Created != n+1 {
					b.Fatalf("%+v", sum)
				}
				records += sum.Read
				b.StopTimer()
				in.Close()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
