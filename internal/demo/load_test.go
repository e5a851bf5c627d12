package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// snapshot is every current row of every collection the demo writes.
func snapshot(t *testing.T, db store.Store) map[string]*store.Row {
	t.Helper()
	all := map[string]*store.Row{}
	everyone := []model.Visibility{model.Public, model.Members, model.Sealed}
	for _, c := range model.Collections() {
		cursor := ""
		for {
			page, err := db.List(context.Background(), store.Query{Collection: c, Visibility: everyone, Cursor: cursor, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Rows {
				all[c+"/"+r.ID] = r
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
	}
	return all
}

func TestLoadTwiceWritesNothingNew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := registry.New(db)
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		reg.Now = func() time.Time { clock = clock.Add(time.Second); return clock }

		recs, err := Records()
		if err != nil {
			t.Fatal(err)
		}
		st, err := Load(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Created != len(recs) || st.Updated != 0 || st.Unchanged != 0 {
			t.Fatalf("first load: %v, want %d created", st, len(recs))
		}
		first := snapshot(t, db)
		if len(first) != len(recs) {
			t.Fatalf("%d rows after the first load, want %d", len(first), len(recs))
		}
		leaves, err := db.EntryCount(ctx)
		if err != nil {
			t.Fatal(err)
		}

		st, err = Load(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Unchanged != len(recs) || st.Created != 0 || st.Updated != 0 {
			t.Fatalf("second load: %v, want all %d unchanged", st, len(recs))
		}
		second := snapshot(t, db)
		if len(second) != len(first) {
			t.Fatalf("%d rows after the second load, %d after the first", len(second), len(first))
		}
		for k, a := range first {
			b := second[k]
			if b == nil || b.Version != 1 || string(b.Body) != string(a.Body) || !b.UpdatedAt.Equal(a.UpdatedAt) {
				t.Errorf("%s changed on the second load", k)
			}
		}
		if n, _ := db.EntryCount(ctx); n != leaves {
			t.Errorf("ledger grew from %d to %d leaves on the second load", leaves, n)
		}

		// The stored records are the file's, under the file's ids.
		for _, r := range recs {
			row, err := db.Get(ctx, r.Collection(), r.Base().ID, 0)
			if err != nil {
				t.Fatalf("%s/%s: %v", r.Collection(), r.Base().ID, err)
			}
			if row.Index.SourceID != r.Index().SourceID {
				t.Errorf("%s stored with source_id %q", keyOf(r), row.Index.SourceID)
			}
		}
	})
}

// An importer may have written the platform first; the demo then uses that
// organisation instead of adding a second one with the same slug.
func TestLoadAdoptsAnExistingOrganisation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	reg := registry.New(db)
	mine := &model.Organisation{Meta: model.Meta{Sources: []model.Source{{URL: "https://example.org/google.csv"}}},
		Name: "Google LLC", Kind: "platform", PlatformType: "search", Slug: "google"}
	if _, err := reg.Write(ctx, auth.System, []model.Record{mine}, registry.Create); err != nil {
		t.Fatal(err)
	}
	if mine.ID == ID("demo:google") {
		t.Fatal("the existing organisation must have an id of its own for this test")
	}
	recs, err := Records()
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		st, err := Load(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		want := Stats{Created: len(recs) - 1, Unchanged: 1}
		if run == 2 {
			want = Stats{Unchanged: len(recs)}
		}
		if st != want {
			t.Errorf("load %d: %v, want %v", run, st, want)
		}
	}
	row, err := db.Get(ctx, "demands", ID("demo:vn-2024-mic-requests-google"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if row.Index.Platform != mine.ID {
		t.Errorf("demand made to %s, want the existing organisation %s", row.Index.Platform, mine.ID)
	}
	if _, err := db.Get(ctx, "organisations", ID("demo:google"), 0); err == nil {
		t.Error("a second Google organisation was written")
	}
	org, err := db.Get(ctx, "organisations", mine.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if org.Version != 1 {
		t.Errorf("the existing organisation was rewritten (version %d)", org.Version)
	}
}

func TestLoadedComplianceFigures(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	if _, err := Load(ctx, registry.New(db)); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	rows, err := db.Compliance(ctx, store.ComplianceQuery{GroupBy: []string{"platform"}, Country: "VN", From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	rates := map[string][2]float64{}
	for _, r := range rows {
		got[r.Group["platform"]] = r.ItemsActioned.String()
		if r.RateMin != nil && r.RateMax != nil {
			rates[r.Group["platform"]] = [2]float64{*r.RateMin, *r.RateMax}
		}
	}
	want := map[string]string{ID("demo:meta"): "8981", ID("demo:google"): "6043", ID("demo:tiktok"): "971"}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("platform %s: %s items actioned in 2024, want %s (all: %v)", p, got[p], n, got)
		}
	}
	// The ministry published rates, not requests: the requested range is
	// what those rates allow, so the rate bounds must hold the published rate.
	for p, pct := range map[string]float64{ID("demo:meta"): 0.94, ID("demo:google"): 0.91, ID("demo:tiktok"): 0.93} {
		b := rates[p]
		if b[0] > pct+0.005 || b[1] < pct-0.005 || b[1]-b[0] > 0.011 {
			t.Errorf("platform %s: rate bounds %v do not hold the published %v", p, b, pct)
		}
	}
}

func BenchmarkLoadSQLite(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		b.StartTimer()
		if _, err := Load(ctx, registry.New(db)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWriteOrderPutsReferencesFirst(t *testing.T) {
	recs, err := Records()
	if err != nil {
		t.Fatal(err)
	}
	batches, err := writeOrder(recs)
	if err != nil {
		t.Fatal(err)
	}
	batchOf := map[string]int{}
	n := 0
	for b, batch := range batches {
		for _, r := range batch {
			batchOf[keyOf(r)] = b
			n++
		}
	}
	if n != len(recs) {
		t.Fatalf("%d records in batches, want %d", n, len(recs))
	}
	before := func(a, b string) {
		t.Helper()
		if batchOf[a] >= batchOf[b] {
			t.Errorf("%s (batch %d) is not written before %s (batch %d)", a, batchOf[a], b, batchOf[b])
		}
	}
	before("demo:tr-law-5651", "demo:tr-law-7253")
	before("demo:vn-decree-72-2013", "demo:vn-decree-147-2024")
	before("demo:twitter", "demo:tr-2023-05-twitter-election-orders")
	before("demo:tr-btk", "demo:tr-2020-btk-representative-meta")
	before("demo:tr-2023-05-twitter-election-orders", "demo:tr-2023-05-twitter-election-response")
	if batchOf["demo:twitter"] != 0 || batchOf["demo:vn-mic"] != 0 {
		t.Error("organisations and authorities refer to nothing and belong to the first batch")
	}
}

func TestWriteOrderRefusesACycle(t *testing.T) {
	a := &model.Law{Meta: model.Meta{ID: ID("demo:a")}, SourceID: "demo:a", Amends: []string{ID("demo:b")}}
	b := &model.Law{Meta: model.Meta{ID: ID("demo:b")}, SourceID: "demo:b", Amends: []string{ID("demo:a")}}
	if _, err := writeOrder([]model.Record{a, b}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("error %v, want a cycle", err)
	}
}
