package interference

import (
	"context"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestImportDetectSQLite(t *testing.T)   { testImportDetect(t, storetest.OpenSQLite(t)) }
func TestImportDetectPostgres(t *testing.T) { testImportDetect(t, storetest.OpenPostgres(t)) }

// testImportDetect imports generated measurements twice, detects twice,
// and checks that events are written once, through the registry, into the
// ledger, and read back from the events collection.
func testImportDetect(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	path, n := oonitest.BenchFile(t)
	for round := 0; round < 2; round++ {
		st, err := ImportOONI(ctx, db, []string{path}, ooni.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantNew := n
		if round == 1 {
			wantNew = 0
		}
		if st.Measurements != n || st.New != wantNew {
			t.Fatalf("round %d: read %d, new %d; want %d, %d", round, st.Measurements, st.New, n, wantNew)
		}
	}
	reg := registry.New(db)
	var first []*model.Event
	for round := 0; round < 2; round++ {
		events, res, err := Detect(ctx, db, reg, store.MeasurementQuery{}, detect.DefaultParams())
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 {
			t.Fatalf("round %d: %d events, want 2", round, len(events))
		}
		c, u, same := Count(res)
		if round == 0 && c != 2 || round == 1 && (c != 0 || u != 0 || same != 2) {
			t.Errorf("round %d: created %d updated %d unchanged %d", round, c, u, same)
		}
		if round == 0 {
			first = events
		}
	}
	page, err := db.List(ctx, store.Query{Collection: "events", Country: "TR", Types: []string{"throttling"}})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("events list: %v, %v", page, err)
	}
	if page.Rows[0].LeafIndex == nil {
		t.Error("a public event must enter the ledger")
	}
	if size, _ := db.LogSize(ctx); size != 2 {
		t.Errorf("ledger size %d, want 2 (detecting twice adds nothing)", size)
	}
	if first[0].ID == "" || first[0].Version != 1 {
		t.Errorf("registry did not assign id/version: %+v", first[0].Meta)
	}
	start := time.Date(2023, 2, 1, 5, 0, 0, 0, time.UTC)
	for _, e := range first {
		if e.Kind == "throttling" && !e.StartedAt.Equal(start) {
			t.Errorf("throttling starts %s, want %s", e.StartedAt, start)
		}
	}
}

// BenchmarkImportOONI measures `candor import ooni`'s work: read, score and
// store a .jsonl.gz into SQLite.
func BenchmarkImportOONI(b *testing.B) {
	path, n := oonitest.BenchFile(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		b.StartTimer()
		st, err := ImportOONI(ctx, db, []string{path}, ooni.Options{})
		if err != nil || st.New != n {
			b.Fatalf("%d new of %d: %v", st.New, n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "measurements/s")
}
