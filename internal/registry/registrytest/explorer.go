package registrytest

import (
	"testing"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// testExplorerList checks the lists the explorer needs: every collection at once,
// and demands by granularity, newest first, paged.
func testExplorerList(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	var recs []model.Record
	for i := 0; i < 6; i++ {
		recs = append(recs, Individual(f.X, "TR", day("2023-05-01").AddDate(0, 0, i), 3, "order-"+string(rune('a'+i))))
	}
	recs[0].(*model.Demand).Summary = "Erişim engeli"
	agg := &model.Demand{Meta: model.Meta{Sources: src("https://example.org/")}, Platform: f.X, Country: "TR", Granularity: "aggregate",
		PeriodStart: "2023-01-01", PeriodEnd: "2023-06-30", Types: []string{"content_removal"}, RequestCount: model.ExactCount(40)}
	recs = append(recs, agg, &model.Authority{Meta: model.Meta{Sources: src("https://example.org/")}, Country: "TR", Name: "Erişim Sağlayıcıları Birliği", Type: "other"})
	if _, err := f.Reg.Write(ctx, auth.System, recs, registry.Create); err != nil {
		t.Fatal(err)
	}
	list := func(q store.Query) []*store.Row {
		t.Helper()
		p, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return p.Rows
	}
	if n := len(list(store.Query{Collection: "demands", Country: "TR", Granularity: "individual"})); n != 6 {
		t.Errorf("individual demands: %d, want 6", n)
	}
	if n := len(list(store.Query{Collection: "demands", Granularity: "aggregate"})); n != 1 {
		t.Errorf("aggregate demands: %d, want 1", n)
	}
	// Across collections, folded: "erisim" finds a demand and an authority.
	colls := map[string]int{}
	for _, r := range list(store.Query{Q: "erisim"}) {
		colls[r.Collection]++
	}
	if colls["demands"] != 1 || colls["authorities"] != 1 {
		t.Errorf("q=erisim across collections: %v", colls)
	}
	// Paging over every collection sees each record once, newest first.
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; pages < 20; pages++ {
		p, err := s.List(ctx, store.Query{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			if seen[r.Collection+"/"+r.ID] {
				t.Fatalf("%s/%s on two pages", r.Collection, r.ID)
			}
			seen[r.Collection+"/"+r.ID] = true
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	all := 0
	for _, c := range model.Collections() {
		p, err := s.List(ctx, store.Query{Collection: c, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		all += len(p.Rows)
	}
	if len(seen) != all {
		t.Errorf("paging across collections saw %d records, the collections hold %d", len(seen), all)
	}
}
