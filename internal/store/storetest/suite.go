package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/canonjson"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// Run is the store contract: what both stores must do, checked through the
// store.Store and store.Tx interfaces alone. open returns a fresh, empty
// store. The rules that the registry adds on top (validation, ownership,
// versioning) are checked by registry/registrytest.
func Run(t *testing.T, open func(testing.TB) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"PutGetVersions", testPutGetVersions},
		{"RollbackWritesNothing", testRollbackWritesNothing},
		{"SourceIDUniqueAmongCurrent", testSourceIDUnique},
		{"Lookups", testLookups},
		{"ListFilters", testListFilters},
		{"ListPaging", testListPaging},
		{"SearchFolding", testSearchFolding},
		{"ComplianceWeakestKind", testComplianceWeakestKind},
		{"LeavesAndSalts", testLeavesAndSalts},
		{"ReplaceBodyAndEraseSalts", testReplaceBodyAndEraseSalts},
		{"LogStorage", testLogStorage},
		{"TokensAndAudit", testTokensAndAudit},
		{"Measurements", testMeasurements},
		{"Backup", testBackup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var bg = context.Background()

var stamp = time.Date(2023, 5, 13, 12, 0, 0, 0, time.UTC)

// rowOf makes the stored form of a record version, as the registry would:
// defaults filled, canonical body, index taken from the record.
func rowOf(t testing.TB, rec model.Record, id string, version int) *store.Row {
	t.Helper()
	var v model.Validator
	rec.Validate(&v)
	if err := v.Err(); err != nil {
		t.Fatalf("fixture %s is invalid: %v", rec.Collection(), err)
	}
	m := rec.Base()
	m.ID, m.Version, m.CreatedAt, m.UpdatedAt = id, version, stamp, stamp.Add(time.Duration(version)*time.Hour)
	if m.Visibility == "" {
		m.Visibility = model.Public
	}
	body, err := canonjson.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return &store.Row{Collection: rec.Collection(), ID: id, Version: version, Visibility: m.Visibility, SubmittedBy: m.SubmittedBy,
		Index: rec.Index(), Body: body, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func sources() []model.Source {
	return []model.Source{{URL: "https://example.org/report", Publisher: "test", Claim: "third_party_reported"}}
}

func demand(platform, country string, day time.Time, items *model.Count, sourceID string) *model.Demand {
	return &model.Demand{Meta: model.Meta{Sources: sources(), SubmittedBy: platform}, Platform: platform, Country: country,
		Granularity: "individual", ReceivedAt: &day, Channel: "court_order", Types: []string{"content_removal"},
		Reason: "defamation", AuthorityType: "court", Targets: model.Targets{Items: items}, SourceID: sourceID}
}

func put(t testing.TB, s store.Store, rows ...*store.Row) {
	t.Helper()
	if err := s.InTx(bg, func(tx store.Tx) error { return tx.Put(bg, rows) }); err != nil {
		t.Fatal(err)
	}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func testPutGetVersions(t *testing.T, s store.Store) {
	d := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(3), "ord-1")
	put(t, s, rowOf(t, d, "01H00000000000000000000001", 1))
	d.Summary = "corrected"
	put(t, s, rowOf(t, d, "01H00000000000000000000001", 2))

	cur, err := s.Get(bg, "demands", "01H00000000000000000000001", 0)
	if err != nil || cur.Version != 2 || !bytes.Contains(cur.Body, []byte("corrected")) {
		t.Fatalf("current version: %+v, %v", cur, err)
	}
	old, err := s.Get(bg, "demands", "01H00000000000000000000001", 1)
	if err != nil || old.Version != 1 || bytes.Contains(old.Body, []byte("corrected")) {
		t.Fatalf("version 1: %+v, %v", old, err)
	}
	if old.Index.Country != "TR" || old.Index.Platform != "org-x" || old.SubmittedBy != "org-x" || !old.CreatedAt.Equal(stamp) {
		t.Errorf("stored columns do not round-trip: %+v", old)
	}
	vs, err := s.Versions(bg, "demands", "01H00000000000000000000001")
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
		t.Fatalf("versions %+v, %v", vs, err)
	}
	if _, err := s.Get(bg, "demands", "01H00000000000000000000001", 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing version: %v", err)
	}
	if _, err := s.Get(bg, "demands", "nope", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing record: %v", err)
	}
	p, err := s.List(bg, store.Query{Collection: "demands"})
	if err != nil || len(p.Rows) != 1 || p.Rows[0].Version != 2 {
		t.Fatalf("a list shows current versions only: %+v, %v", p, err)
	}
}

func testRollbackWritesNothing(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.InTx(bg, func(tx store.Tx) error {
		r := rowOf(t, demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "ord-1"), "01H00000000000000000000001", 1)
		first, err := tx.AppendLeaves(bg, []store.Leaf{{Data: []byte(`{"a":1}`),
			Salts: []store.FieldSalt{{Collection: "demands", ID: r.ID, Version: 1, Field: "summary", Salt: []byte("s"), Commitment: make([]byte, 32)}}}})
		if err != nil {
			return err
		}
		r.LeafIndex = &first
		if err := tx.Put(bg, []*store.Row{r}); err != nil {
			return err
		}
		if err := tx.AddAudit(bg, []store.AuditEntry{{At: stamp, Action: "demands.create", RecordID: r.ID}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	if _, err := s.Get(bg, "demands", "01H00000000000000000000001", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a rolled-back record is there: %v", err)
	}
	if n, _ := s.EntryCount(bg); n != 0 {
		t.Errorf("a rolled-back leaf is there: %d entries", n)
	}
	if salts, _ := s.FieldSalts(bg, "demands", "01H00000000000000000000001", 1); len(salts) != 0 {
		t.Errorf("rolled-back salts are there: %+v", salts)
	}
	if a, _ := s.Audit(bg, store.AuditQuery{}); len(a) != 0 {
		t.Errorf("a rolled-back audit entry is there: %+v", a)
	}
}

func testSourceIDUnique(t *testing.T, s store.Store) {
	d := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "ord-1")
	put(t, s, rowOf(t, d, "01H00000000000000000000001", 1))
	err := s.InTx(bg, func(tx store.Tx) error {
		return tx.Put(bg, []*store.Row{rowOf(t, d, "01H00000000000000000000002", 1)})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second current record with the same source_id: %v", err)
	}
	// Another submitter may use the same source_id; a new version of the
	// same record keeps it.
	other := demand("org-m", "TR", day("2023-05-13"), model.ExactCount(1), "ord-1")
	put(t, s, rowOf(t, other, "01H00000000000000000000003", 1))
	put(t, s, rowOf(t, d, "01H00000000000000000000001", 2))
}

func testLookups(t *testing.T, s store.Store) {
	put(t, s,
		rowOf(t, demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "a"), "01H00000000000000000000001", 1),
		rowOf(t, demand("org-x", "TR", day("2023-05-14"), model.ExactCount(1), "b"), "01H00000000000000000000002", 1))
	put(t, s, rowOf(t, demand("org-x", "TR", day("2023-05-13"), model.ExactCount(2), "a"), "01H00000000000000000000001", 2))
	err := s.InTx(bg, func(tx store.Tx) error {
		cur, err := tx.Current(bg, "demands", "01H00000000000000000000001")
		if err != nil || cur.Version != 2 {
			return fmt.Errorf("Current: %+v, %v", cur, err)
		}
		if _, err := tx.Current(bg, "demands", "nope"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Current of a missing record: %v", err)
		}
		bySource, err := tx.BySourceID(bg, "demands", "org-x", "b")
		if err != nil || bySource.ID != "01H00000000000000000000002" {
			return fmt.Errorf("BySourceID: %+v, %v", bySource, err)
		}
		if _, err := tx.BySourceID(bg, "demands", "org-m", "b"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("BySourceID of another submitter: %v", err)
		}
		many, err := tx.CurrentMany(bg, "demands", []string{"01H00000000000000000000001", "01H00000000000000000000002", "nope"})
		if err != nil || len(many) != 2 || many["01H00000000000000000000001"].Version != 2 {
			return fmt.Errorf("CurrentMany: %v, %v", many, err)
		}
		sids, err := tx.BySourceIDs(bg, "demands", "org-x", []string{"a", "b", "c"})
		if err != nil || len(sids) != 2 || sids["a"].Version != 2 {
			return fmt.Errorf("BySourceIDs: %v, %v", sids, err)
		}
		all, err := tx.AllVersions(bg, "demands", "01H00000000000000000000001")
		if err != nil || len(all) != 2 || all[0].Version != 1 || all[1].Version != 2 {
			return fmt.Errorf("AllVersions: %v, %v", all, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testListFilters(t *testing.T, s store.Store) {
	members := demand("org-m", "VN", day("2020-04-01"), model.ExactCount(5), "m1")
	members.Visibility = model.Members
	law := &model.Law{Meta: model.Meta{Sources: sources()}, Country: "TR", Title: "Kanun", ShortName: "Law No. 5651", Kind: "law",
		Timeline: []model.LawStatus{{Status: "adopted", Date: "2007-05-04"}}}
	put(t, s,
		rowOf(t, demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "a"), "01H00000000000000000000001", 1),
		rowOf(t, demand("org-m", "TR", day("2023-02-08"), model.ExactCount(1), "b"), "01H00000000000000000000002", 1),
		rowOf(t, members, "01H00000000000000000000003", 1),
		rowOf(t, law, "01H00000000000000000000004", 1))
	ids := func(q store.Query) string {
		t.Helper()
		p, err := s.List(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range p.Rows {
			out = append(out, r.ID[len(r.ID)-1:])
		}
		return strings.Join(out, ",")
	}
	from, to := day("2023-05-01"), day("2023-06-01")
	for _, c := range []struct {
		q    store.Query
		want string
	}{
		{store.Query{Collection: "demands"}, "1,2"},
		{store.Query{Collection: "demands", Visibility: []model.Visibility{model.Public, model.Members}}, "1,2,3"},
		{store.Query{Collection: "demands", Owner: "org-m"}, "1,2,3"},
		{store.Query{Collection: "demands", Country: "TR"}, "1,2"},
		{store.Query{Collection: "demands", Platform: "org-m"}, "2"},
		{store.Query{Collection: "demands", SourceID: "a"}, "1"},
		{store.Query{Collection: "demands", From: &from, To: &to}, "1"},
		{store.Query{Collection: "demands", Oldest: true}, "2,1"},
		{store.Query{Collection: "laws", Types: []string{"law"}}, "4"},
		{store.Query{Collection: "demands", Types: []string{"user_data_disclosure"}}, ""},
		{store.Query{Country: "TR"}, "1,2,4"},
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
	}
}

func testListPaging(t *testing.T, s store.Store) {
	var rows []*store.Row
	for i := 0; i < 7; i++ {
		rows = append(rows, rowOf(t, demand("org-x", "TR", day("2023-05-01").AddDate(0, 0, i), model.ExactCount(1), fmt.Sprintf("p%d", i)),
			fmt.Sprintf("01H0000000000000000000000%d", i), 1))
	}
	put(t, s, rows...)
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := s.List(bg, store.Query{Collection: "demands", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			seen = append(seen, r.ID[len(r.ID)-1:])
		}
		if p.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cursor = p.NextCursor
	}
	if got := strings.Join(seen, ","); got != "6,5,4,3,2,1,0" {
		t.Errorf("pages gave %s, want newest first, each once", got)
	}
}

func testSearchFolding(t *testing.T, s store.Store) {
	a := demand("org-x", "VN", day("2020-04-01"), model.ExactCount(1), "a")
	a.Summary = "Bài viết về Đà Nẵng"
	b := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "b")
	b.Summary = "Erişimin engellenmesi kararı"
	put(t, s, rowOf(t, a, "01H00000000000000000000001", 1), rowOf(t, b, "01H00000000000000000000002", 1))
	for q, want := range map[string]int{"Da Nang": 1, "đà nẵng": 1, "erisim": 1, "ERİŞİMİN": 1, "kararı engel": 1, "nothing": 0} {
		p, err := s.List(bg, store.Query{Collection: "demands", Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != want {
			t.Errorf("q=%q found %d, want %d", q, len(p.Rows), want)
		}
	}
}

func testComplianceWeakestKind(t *testing.T, s store.Store) {
	d1 := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(10), "a")
	d2 := demand("org-x", "TR", day("2023-05-14"), model.RangeCount(0, 9), "b")
	r1 := &model.Response{Meta: model.Meta{Sources: sources()}, Demand: "01H00000000000000000000001", Platform: "org-x",
		Outcome: "complied_partial", Counts: model.ResponseCounts{ItemsRemovedLegal: model.ExactCount(6)}}
	r1.Country = "TR"
	r1.SetDemandRequested(model.ExactCount(10))
	put(t, s, rowOf(t, d1, "01H00000000000000000000001", 1), rowOf(t, d2, "01H00000000000000000000002", 1),
		rowOf(t, r1, "01H00000000000000000000003", 1))
	rows, err := s.Compliance(bg, store.ComplianceQuery{GroupBy: []string{"country"}})
	if err != nil || len(rows) != 1 {
		t.Fatalf("%+v, %v", rows, err)
	}
	g := rows[0]
	if g.Group["country"] != "TR" || g.Records != 2 {
		t.Fatalf("group %+v", g)
	}
	if g.ItemsRequested == nil || g.ItemsRequested.Kind != model.Range || *g.ItemsRequested.Min != 10 || *g.ItemsRequested.Max != 19 {
		t.Errorf("items requested %v: a sum keeps the weakest kind, 10 + (0-9) = 10-19", g.ItemsRequested)
	}
	if g.ItemsActioned == nil || g.ItemsActioned.Kind != model.Exact || *g.ItemsActioned.Value != 6 {
		t.Errorf("items actioned %v", g.ItemsActioned)
	}
	if g.ComplianceRate == nil || *g.ComplianceRate != 0.6 {
		t.Errorf("rate %v: 6 actioned of the 10 requested by the answered demand", g.ComplianceRate)
	}
}

func testLeavesAndSalts(t *testing.T, s store.Store) {
	d := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "a")
	hidden := demand("org-x", "TR", day("2023-05-14"), model.ExactCount(1), "b")
	hidden.Visibility = model.Members
	r1, r2 := rowOf(t, d, "01H00000000000000000000001", 1), rowOf(t, hidden, "01H00000000000000000000002", 1)
	commitment := bytes.Repeat([]byte{7}, 32)
	err := s.InTx(bg, func(tx store.Tx) error {
		first, err := tx.AppendLeaves(bg, []store.Leaf{{Data: []byte("leaf-0")}, {Data: []byte("leaf-1"),
			Salts: []store.FieldSalt{{Collection: "demands", ID: r1.ID, Version: 1, Field: "summary", Salt: []byte("salt"), Commitment: commitment}}}})
		if err != nil {
			return err
		}
		if first != 0 {
			return fmt.Errorf("first leaf index %d", first)
		}
		one := first + 1
		r1.LeafIndex = &one
		return tx.Put(bg, []*store.Row{r1, r2})
	})
	if err != nil {
		t.Fatal(err)
	}
	var second int64
	err = s.InTx(bg, func(tx store.Tx) error {
		var err error
		second, err = tx.AppendLeaves(bg, []store.Leaf{{Data: []byte("leaf-2")}})
		return err
	})
	if err != nil || second != 2 {
		t.Fatalf("the next append starts at %d (%v), want 2", second, err)
	}
	if n, _ := s.EntryCount(bg); n != 3 {
		t.Fatalf("entry count %d", n)
	}
	entries, err := s.ReadEntries(bg, 1, 3)
	if err != nil || string(entries[0]) != "leaf-1" || string(entries[1]) != "leaf-2" {
		t.Fatalf("entries %q, %v", entries, err)
	}
	if _, err := s.ReadEntries(bg, 2, 4); err == nil {
		t.Error("reading past the last entry succeeded")
	}
	salts, err := s.FieldSalts(bg, "demands", r1.ID, 1)
	if err != nil || len(salts) != 1 || string(salts[0].Salt) != "salt" || !bytes.Equal(salts[0].Commitment, commitment) || salts[0].Redacted {
		t.Fatalf("salts %+v, %v", salts, err)
	}
	var logged []string
	err = s.EachLoggedVersion(bg, func(r *store.Row, salts []store.FieldSalt) error {
		logged = append(logged, fmt.Sprintf("%s@%d:%d", r.ID[len(r.ID)-1:], *r.LeafIndex, len(salts)))
		return nil
	})
	if err != nil || strings.Join(logged, " ") != "1@1:1" {
		t.Errorf("logged versions %v, %v", logged, err)
	}
	if n, err := s.UnloggedPublic(bg); err != nil || n != 0 {
		t.Errorf("unlogged public versions: %d, %v", n, err)
	}
	put(t, s, rowOf(t, demand("org-x", "TR", day("2023-05-15"), model.ExactCount(1), "c"), "01H00000000000000000000003", 1))
	if n, _ := s.UnloggedPublic(bg); n != 1 {
		t.Errorf("a public version without a leaf is not counted: %d", n)
	}
}

func testReplaceBodyAndEraseSalts(t *testing.T, s store.Store) {
	d := demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "a")
	d.Summary = "names Ayşe Yılmaz"
	row := rowOf(t, d, "01H00000000000000000000001", 1)
	err := s.InTx(bg, func(tx store.Tx) error {
		if _, err := tx.AppendLeaves(bg, []store.Leaf{{Data: []byte("leaf"), Salts: []store.FieldSalt{
			{Collection: "demands", ID: row.ID, Version: 1, Field: "summary", Salt: []byte("salt"), Commitment: make([]byte, 32)}}}}); err != nil {
			return err
		}
		return tx.Put(bg, []*store.Row{row})
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Summary = ""
	redacted := rowOf(t, d, row.ID, 1)
	err = s.InTx(bg, func(tx store.Tx) error {
		if err := tx.ReplaceBody(bg, redacted); err != nil {
			return err
		}
		return tx.EraseFieldSalts(bg, "demands", row.ID, []string{"summary"}, stamp)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(bg, "demands", row.ID, 1)
	if bytes.Contains(got.Body, []byte("Ayşe")) {
		t.Errorf("body kept the erased value: %s", got.Body)
	}
	if p, _ := s.List(bg, store.Query{Collection: "demands", Q: "ayse"}); len(p.Rows) != 0 {
		t.Error("full-text search still finds the erased value")
	}
	salts, _ := s.FieldSalts(bg, "demands", row.ID, 1)
	if len(salts) != 1 || salts[0].Salt != nil || !salts[0].Redacted || len(salts[0].Commitment) != 32 {
		t.Errorf("salts after erasure %+v: the salt goes, the commitment stays", salts)
	}
}

func testLogStorage(t *testing.T, s store.Store) {
	if n, err := s.TreeSize(bg); err != nil || n != 0 {
		t.Fatalf("tree size of an empty log: %d, %v", n, err)
	}
	if tile, err := s.ReadTile(bg, 0, 0); err != nil || tile != nil {
		t.Fatalf("missing tile: %v, %v", tile, err)
	}
	hashes := bytes.Repeat([]byte{1}, 64)
	if err := s.WriteTiles(bg, 0, 2, []store.Tile{{Level: 0, Index: 0, Hashes: hashes}}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteTiles(bg, 0, 3, nil); !errors.Is(err, store.ErrTreeMoved) {
		t.Errorf("a stale integrator moved the tree: %v", err)
	}
	if tile, _ := s.ReadTile(bg, 0, 0); !bytes.Equal(tile, hashes) {
		t.Errorf("tile %x", tile)
	}
	if n, _ := s.TreeSize(bg); n != 2 {
		t.Errorf("tree size %d", n)
	}
	if cp, err := s.ReadCheckpoint(bg); err != nil || cp != nil {
		t.Errorf("checkpoint of a new log: %q, %v", cp, err)
	}
	s.WriteCheckpoint(bg, 5, []byte("five"))
	s.WriteCheckpoint(bg, 3, []byte("three"))
	if cp, _ := s.ReadCheckpoint(bg); string(cp) != "five" {
		t.Errorf("a smaller checkpoint replaced a larger one: %q", cp)
	}
}

func testTokensAndAudit(t *testing.T, s store.Store) {
	tok := store.Token{ID: "tok-1", Org: "org-x", Role: "platform", Name: "uploads", CreatedAt: stamp}
	err := s.InTx(bg, func(tx store.Tx) error {
		if err := tx.CreateToken(bg, tok, []byte("hash-1")); err != nil {
			return err
		}
		return tx.AddAudit(bg, []store.AuditEntry{
			{At: stamp, ActorOrg: "org-x", ActorToken: "tok-1", Action: "demands.create", Collection: "demands", RecordID: "r1", Version: 1},
			{At: stamp.Add(time.Second), ActorOrg: "org-m", Action: "demands.create", Collection: "demands", RecordID: "r2", Version: 1, Detail: "d"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByHash(bg, []byte("hash-1"))
	if err != nil || got.ID != "tok-1" || got.Org != "org-x" || got.Role != "platform" || got.Revoked {
		t.Fatalf("token %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(bg, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token hash: %v", err)
	}
	all, _ := s.Audit(bg, store.AuditQuery{})
	if len(all) != 2 || all[0].RecordID != "r2" || all[0].Detail != "d" || !all[0].At.Equal(stamp.Add(time.Second)) {
		t.Errorf("audit, newest first: %+v", all)
	}
	if byOrg, _ := s.Audit(bg, store.AuditQuery{ActorOrg: "org-x"}); len(byOrg) != 1 || byOrg[0].ActorToken != "tok-1" {
		t.Errorf("audit by organisation: %+v", byOrg)
	}
	if byRecord, _ := s.Audit(bg, store.AuditQuery{RecordID: "r1"}); len(byRecord) != 1 {
		t.Errorf("audit by record: %+v", byRecord)
	}
}

func testMeasurements(t *testing.T, s store.Store) {
	at := time.Date(2023, 2, 8, 9, 0, 0, 0, time.UTC)
	var ms []*model.Measurement
	for i, o := range []string{"ok", "anomaly", "confirmed", "failure"} {
		ms = append(ms, &model.Measurement{MeasurementUID: fmt.Sprintf("uid-%d", i), ReportID: "r", TestName: "web_connectivity",
			Input: "https://twitter.com/", Domain: "twitter.com", ProbeCC: "TR", ProbeASN: 9121, StartTime: at.Add(time.Duration(i) * time.Hour),
			Platform: "twitter", Outcome: o, Scores: []byte(`{}`)})
	}
	n, err := s.PutMeasurements(bg, ms)
	if err != nil || n != 4 {
		t.Fatalf("put: %d new, %v", n, err)
	}
	if n, _ := s.PutMeasurements(bg, ms[:2]); n != 0 {
		t.Errorf("stored measurements were counted new again: %d", n)
	}
	m, err := s.Measurement(bg, "uid-1")
	if err != nil || m.Outcome != "anomaly" || m.ProbeASN != 9121 {
		t.Fatalf("one measurement: %+v, %v", m, err)
	}
	page, err := s.ListMeasurements(bg, store.MeasurementQuery{ProbeCC: "TR", Outcomes: []string{"anomaly", "confirmed"}})
	if err != nil || len(page.Measurements) != 2 || page.Measurements[0].MeasurementUID != "uid-2" {
		t.Fatalf("filtered, newest first: %+v, %v", page, err)
	}
	agg, err := s.AggregateMeasurements(bg, store.AggregationQuery{AxisX: "platform"})
	if err != nil || len(agg) != 1 {
		t.Fatalf("aggregation %+v, %v", agg, err)
	}
	if a := agg[0]; a.MeasurementCount != 4 || a.OKCount != 1 || a.AnomalyCount != 1 || a.ConfirmedCount != 1 || a.FailureCount != 1 {
		t.Errorf("outcome counts %+v", a)
	}
	seen := 0
	if err := s.EachMeasurement(bg, store.MeasurementQuery{}, func(*model.Measurement) error { seen++; return nil }); err != nil || seen != 4 {
		t.Errorf("streamed %d, %v", seen, err)
	}
}

func testBackup(t *testing.T, s store.Store) {
	put(t, s, rowOf(t, demand("org-x", "TR", day("2023-05-13"), model.ExactCount(1), "a"), "01H00000000000000000000001", 1))
	dest := filepath.Join(t.TempDir(), "backup")
	if err := s.Backup(bg, dest); err != nil {
		if strings.Contains(err.Error(), "executable file not found") {
			t.Skip("pg_dump is not installed: " + err.Error())
		}
		t.Fatal(err)
	}
	if err := s.Backup(bg, dest); err == nil {
		t.Error("a backup overwrote an existing file")
	}
}
