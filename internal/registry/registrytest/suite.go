package registrytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Run is the conformance suite; open returns a fresh, empty store.
func Run(t *testing.T, open func(testing.TB) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"CreateGetVersions", testCreateGetVersions},
		{"SourceIDConflict", testSourceIDConflict},
		{"BatchAllOrNothing", testBatchAllOrNothing},
		{"UpsertIdempotent", testUpsertIdempotent},
		{"UpsertByIDFindsNewestVersion", testUpsertByID},
		{"PlatformWritesOwnOnly", testPlatformWritesOwnOnly},
		{"References", testReferences},
		{"ListFiltersAndPaging", testListFiltersAndPaging},
		{"SearchFolding", testSearchFolding},
		{"Visibility", testVisibility},
		{"ComplianceKinds", testComplianceKinds},
		{"LedgerLeavesInTransaction", testLedgerLeaves},
		{"TokensAndAudit", testTokensAndAudit},
		{"ExplorerList", testExplorerList},
		{"SameBatchReferences", testSameBatchReferences},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testCreateGetVersions(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	res, err := f.Reg.Create(ctx, f.PlatformX, Individual(f.X, "TR", day("2023-05-13"), 409, "x-order-1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 1 || res.Status != "created" {
		t.Fatalf("result = %+v", res)
	}
	d := Individual(f.X, "TR", day("2023-05-13"), 410, "x-order-1")
	d.Summary = "corrected count"
	up, err := f.Reg.Update(ctx, f.PlatformX, res.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if up.Version != 2 {
		t.Fatalf("update version = %d, want 2", up.Version)
	}
	cur, err := s.Get(ctx, "demands", res.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got model.Demand
	if err := json.Unmarshal(cur.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || *got.Targets.Items.Value != 410 || got.SubmittedBy != f.X {
		t.Fatalf("current = version %d items %v by %q", got.Version, got.Targets.Items, got.SubmittedBy)
	}
	old, err := s.Get(ctx, "demands", res.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var v1 model.Demand
	json.Unmarshal(old.Body, &v1)
	if *v1.Targets.Items.Value != 409 || v1.Version != 1 {
		t.Fatalf("version 1 = %+v", v1)
	}
	if !v1.CreatedAt.Equal(got.CreatedAt) {
		t.Fatalf("created_at changed between versions: %v vs %v", v1.CreatedAt, got.CreatedAt)
	}
	vs, err := s.Versions(ctx, "demands", res.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	if _, err := s.Get(ctx, "demands", res.ID, 3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("version 3: err = %v, want not found", err)
	}
	page, err := s.List(ctx, store.Query{Collection: "demands"})
	if err != nil || len(page.Rows) != 1 || page.Rows[0].Version != 2 {
		t.Fatalf("list after update shows %d rows (%v): want only the current version", len(page.Rows), err)
	}
}

func testSourceIDConflict(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	first, err := f.Reg.Create(ctx, f.PlatformX, Individual(f.X, "TR", day("2023-05-13"), 1, "dup"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Reg.Create(ctx, f.PlatformX, Individual(f.X, "TR", day("2023-05-14"), 2, "dup"))
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.ID != first.ID {
		t.Fatalf("second submission: err = %v, want conflict naming %s", err, first.ID)
	}
	page, _ := s.List(ctx, store.Query{Collection: "demands"})
	if len(page.Rows) != 1 {
		t.Fatalf("%d demands stored, want 1", len(page.Rows))
	}
	// Another organisation's source ids are its own.
	if _, err := f.Reg.Create(ctx, f.PlatformM, Individual(f.Meta, "TR", day("2023-05-14"), 2, "dup")); err != nil {
		t.Fatalf("same source_id from another organisation: %v", err)
	}
}

func testBatchAllOrNothing(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	size0, _ := s.EntryCount(ctx)
	bad := Individual(f.X, "TR", day("2023-05-13"), 1, "b2")
	bad.Types = []string{"content_removal", "teleportation"}
	recs := []model.Record{
		Individual(f.X, "TR", day("2023-05-13"), 1, "b1"),
		bad,
		Individual(f.X, "TR", day("2023-05-13"), 1, "b1"),
	}
	_, err := f.Reg.Write(ctx, f.PlatformX, recs, registry.Create)
	var be *registry.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a batch error", err)
	}
	if len(be.Items) != 2 || be.Items[0].Index != 1 || be.Items[0].Errors[0].Field != "types[1]" || be.Items[1].Index != 2 {
		t.Fatalf("items = %+v", be.Items)
	}
	page, _ := s.List(ctx, store.Query{Collection: "demands"})
	size1, _ := s.EntryCount(ctx)
	if len(page.Rows) != 0 || size1 != size0 {
		t.Fatalf("a rejected batch wrote %d demands and %d leaves", len(page.Rows), size1-size0)
	}
	audit, _ := s.Audit(ctx, store.AuditQuery{ActorOrg: f.X})
	if len(audit) != 0 {
		t.Fatalf("a rejected batch wrote %d audit entries", len(audit))
	}
}

func testUpsertIdempotent(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	mk := func(items int64) []model.Record {
		return []model.Record{
			Aggregate(f.X, "TR", "2023-01-01", "2023-06-30", 5, model.ExactCount(items), "agg-1"),
			Aggregate(f.X, "VN", "2023-01-01", "2023-06-30", 2, model.RangeCount(0, 9), "agg-2"),
		}
	}
	first, err := f.Reg.Write(ctx, auth.System, mk(100), registry.Upsert)
	if err != nil {
		t.Fatal(err)
	}
	size1, _ := s.EntryCount(ctx)
	again, err := f.Reg.Write(ctx, auth.System, mk(100), registry.Upsert)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Status != "unchanged" || r.ID != first[i].ID {
			t.Fatalf("re-import item %d: %+v", i, r)
		}
	}
	if size2, _ := s.EntryCount(ctx); size2 != size1 {
		t.Fatalf("re-import added %d leaves", size2-size1)
	}
	changed, err := f.Reg.Write(ctx, auth.System, mk(101), registry.Upsert)
	if err != nil {
		t.Fatal(err)
	}
	if changed[0].Status != "updated" || changed[0].Version != 2 || changed[1].Status != "unchanged" {
		t.Fatalf("changed import: %+v %+v", changed[0], changed[1])
	}
}

// Records that carry their id (an exported file read back) are looked up
// by id in bulk; the lookup must find the current version, not the first.
func testUpsertByID(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	ids := []string{ulid.Make().String(), ulid.Make().String()}
	mk := func(items int64) []model.Record {
		out := make([]model.Record, len(ids))
		for i, id := range ids {
			d := Individual(f.X, "TR", day("2023-05-13"), items+int64(i), "") // no source_id: found by id only
			d.ID = id
			out[i] = d
		}
		return out
	}
	for _, step := range []struct {
		items   int64
		status  string
		version int
	}{{10, "created", 1}, {11, "updated", 2}, {11, "unchanged", 2}, {12, "updated", 3}, {12, "unchanged", 3}} {
		res, err := f.Reg.Write(ctx, auth.System, mk(step.items), registry.Upsert)
		if err != nil {
			t.Fatalf("items %d: %v", step.items, err)
		}
		for i, r := range res {
			if r.ID != ids[i] || r.Status != step.status || r.Version != step.version {
				t.Fatalf("items %d, record %d: %s v%d %s, want v%d %s", step.items, i, r.ID, r.Version, r.Status, step.version, step.status)
			}
		}
	}
	row, err := s.Get(ctx, "demands", ids[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	var d model.Demand
	if err := json.Unmarshal(row.Body, &d); err != nil {
		t.Fatal(err)
	}
	if row.Version != 3 || d.Targets.Items.Lo() != 13 {
		t.Fatalf("current version %d with %d items, want 3 with 13", row.Version, d.Targets.Items.Lo())
	}
}

func testPlatformWritesOwnOnly(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	_, err := f.Reg.Create(ctx, f.PlatformM, Individual(f.X, "TR", day("2023-05-13"), 1, "spoof"))
	if !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("meta writing for X: err = %v, want forbidden", err)
	}
	_, err = f.Reg.Create(ctx, f.CSO, Individual(f.X, "TR", day("2023-05-13"), 1, "cso"))
	if !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("civil society writing a demand: err = %v, want forbidden", err)
	}
	res, err := f.Reg.Create(ctx, f.PlatformX, Individual(f.X, "TR", day("2023-05-13"), 1, "own"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Reg.Update(ctx, f.PlatformM, res.ID, Individual(f.X, "TR", day("2023-05-13"), 2, "own")); !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("meta updating X's demand: err = %v, want forbidden", err)
	}
	page, _ := s.List(ctx, store.Query{Collection: "demands"})
	if len(page.Rows) != 1 {
		t.Fatalf("%d demands, want 1", len(page.Rows))
	}
}

func testReferences(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	d := Individual("01HZZZZZZZZZZZZZZZZZZZZZZZ", "TR", day("2023-05-13"), 1, "")
	_, err := f.Reg.Create(ctx, auth.System, d)
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "platform" {
		t.Fatalf("unknown platform: err = %v", err)
	}
	d = Individual(f.Group, "TR", day("2023-05-13"), 1, "")
	if _, err := f.Reg.Create(ctx, auth.System, d); !errors.As(err, &ve) || ve.Errors[0].Field != "platform" {
		t.Fatalf("non-platform organisation: err = %v", err)
	}
	dem, err := f.Reg.Create(ctx, f.PlatformX, Individual(f.X, "TR", day("2023-05-13"), 409, "r1"))
	if err != nil {
		t.Fatal(err)
	}
	resp := &model.Response{Meta: model.Meta{Sources: src("https://example.org/r")}, Demand: dem.ID, Platform: f.X,
		Outcome: "complied_partial", Counts: model.ResponseCounts{ContentWithheld: model.ExactCount(400)}}
	rr, err := f.Reg.Create(ctx, f.PlatformX, resp)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := s.Get(ctx, "responses", rr.ID, 0)
	if row.Index.Country != "TR" || row.Index.Ref != dem.ID {
		t.Fatalf("response index = %+v: want the demand's country and a ref to it", row.Index)
	}
	page, _ := s.List(ctx, store.Query{Collection: "responses", Ref: dem.ID})
	if len(page.Rows) != 1 {
		t.Fatalf("responses of the demand: %d", len(page.Rows))
	}
}

func testListFiltersAndPaging(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	var recs []model.Record
	for i := 0; i < 25; i++ {
		d := Individual(f.X, []string{"TR", "VN"}[i%2], day("2023-01-01").AddDate(0, 0, i), int64(i+1), fmt.Sprintf("p%d", i))
		if i%5 == 0 {
			d.Types = []string{"user_data_disclosure"}
		}
		recs = append(recs, d)
	}
	recs = append(recs, Individual(f.Meta, "TR", day("2023-03-01"), 1, "m1"))
	if _, err := f.Reg.Write(ctx, auth.System, recs, registry.Create); err != nil {
		t.Fatal(err)
	}
	count := func(q store.Query) int {
		t.Helper()
		q.Collection = "demands"
		q.Limit = 1000
		p, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Rows)
	}
	from, to := day("2023-01-10"), day("2023-01-19")
	for name, tc := range map[string]struct {
		q    store.Query
		want int
	}{
		"all":           {store.Query{}, 26},
		"country":       {store.Query{Country: "TR"}, 14},
		"platform":      {store.Query{Platform: f.Meta}, 1},
		"type":          {store.Query{Types: []string{"user_data_disclosure"}}, 5},
		"two types":     {store.Query{Types: []string{"user_data_disclosure", "content_removal"}}, 26},
		"from-to":       {store.Query{From: &from, To: &to}, 10},
		"country+range": {store.Query{Country: "VN", From: &from, To: &to}, 5},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%s: %d rows, want %d", name, got, tc.want)
		}
	}
	seen := map[string]bool{}
	var last time.Time
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := s.List(ctx, store.Query{Collection: "demands", Limit: 7, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			if seen[r.ID] {
				t.Fatalf("record %s on two pages", r.ID)
			}
			seen[r.ID] = true
			if !last.IsZero() && r.Index.Start.After(last) {
				t.Fatalf("page order: %v after %v", r.Index.Start, last)
			}
			last = *r.Index.Start
		}
		if p.NextCursor == "" {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		cursor = p.NextCursor
	}
	if len(seen) != 26 {
		t.Fatalf("paging saw %d records, want 26", len(seen))
	}
	if _, err := s.List(ctx, store.Query{Collection: "demands", Cursor: "!!"}); err == nil {
		t.Fatal("a garbage cursor was accepted")
	}
}

func testSearchFolding(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	a := &model.Authority{Meta: model.Meta{Sources: src("https://example.org/")}, Country: "VN", Name: "Công an thành phố Đà Nẵng", Type: "police"}
	if _, err := f.Reg.Create(ctx, auth.System, a); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		"Da Nang": 1, "đà nẵng": 1, "DA NANG": 1, "nang": 1, "Hanoi": 0,
		"iletisim": 1, "İLETİŞİM": 1, "erisim": 0,
	} {
		p, err := s.List(ctx, store.Query{Collection: "authorities", Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != want {
			t.Errorf("q=%q: %d authorities, want %d", q, len(p.Rows), want)
		}
	}
	p, _ := s.List(ctx, store.Query{Collection: "laws", Q: "erisim"})
	if len(p.Rows) != 1 {
		t.Errorf("q=erisim found %d laws, want the one whose provision says erişim", len(p.Rows))
	}
}

func testVisibility(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	d := Individual(f.X, "TR", day("2023-05-13"), 1, "members-only")
	d.Visibility = model.Members
	res, err := f.Reg.Create(ctx, f.PlatformX, d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Row.LeafIndex != nil {
		t.Fatal("a members-only version entered the public log")
	}
	pub, _ := s.List(ctx, store.Query{Collection: "demands"})
	mem, _ := s.List(ctx, store.Query{Collection: "demands", Visibility: []model.Visibility{model.Public, model.Members}})
	if len(pub.Rows) != 0 || len(mem.Rows) != 1 {
		t.Fatalf("public sees %d, members see %d; want 0 and 1", len(pub.Rows), len(mem.Rows))
	}
}

func testComplianceKinds(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	type row struct {
		cc        string
		requested *model.Count
		actioned  *model.Count
	}
	rows := []row{
		{"TR", model.ExactCount(100), model.ExactCount(60)},
		{"TR", model.ExactCount(50), model.ExactCount(50)},
		{"VN", model.ExactCount(10), model.ExactCount(9)},
		{"VN", model.RangeCount(0, 9), model.RangeCount(0, 9)},
	}
	for i, r := range rows {
		d := Aggregate(f.X, r.cc, "2023-01-01", "2023-06-30", 1, r.requested, fmt.Sprintf("c%d", i))
		dr, err := f.Reg.Create(ctx, auth.System, d)
		if err != nil {
			t.Fatal(err)
		}
		resp := &model.Response{Meta: model.Meta{Sources: src("https://example.org/r")}, Demand: dr.ID, Platform: f.X,
			Outcome: "complied_partial", Counts: model.ResponseCounts{ItemsRemovedLegal: r.actioned}}
		if _, err := f.Reg.Create(ctx, auth.System, resp); err != nil {
			t.Fatal(err)
		}
	}
	// A demand without a response counts as requested, not as answered.
	if _, err := f.Reg.Create(ctx, auth.System, Aggregate(f.X, "TR", "2023-07-01", "2023-12-31", 3, model.ExactCount(30), "c-open")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Compliance(ctx, store.ComplianceQuery{GroupBy: []string{"country", "period"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d groups, want 3: %+v", len(got), got)
	}
	tr := got[0]
	if tr.Group["country"] != "TR" || tr.Group["period"] != "2023-H1" || tr.ItemsRequested.String() != "150" || tr.ItemsActioned.String() != "110" {
		t.Fatalf("TR 2023-H1 = %+v requested %v actioned %v", tr.Group, tr.ItemsRequested, tr.ItemsActioned)
	}
	if tr.ComplianceRate == nil || *tr.ComplianceRate < 0.7333 || *tr.ComplianceRate > 0.7334 {
		t.Fatalf("TR rate = %v, want 110/150", tr.ComplianceRate)
	}
	open := got[1]
	if open.Group["period"] != "2023-H2" || open.Responded != 0 || open.ItemsActioned != nil || open.Demands.String() != "3" {
		t.Fatalf("TR 2023-H2 = %+v", open)
	}
	vn := got[2]
	if vn.ItemsRequested.Kind != model.Range || vn.ItemsRequested.String() != "10–19" || vn.ItemsActioned.String() != "9–18" {
		t.Fatalf("VN sums = %v / %v, want ranges 10–19 and 9–18", vn.ItemsRequested, vn.ItemsActioned)
	}
	if vn.ComplianceRate != nil || vn.RateMin == nil || vn.RateMax == nil || *vn.RateMin > *vn.RateMax {
		t.Fatalf("VN rate = %v [%v, %v], want bounds only", vn.ComplianceRate, vn.RateMin, vn.RateMax)
	}
	if _, err := s.Compliance(ctx, store.ComplianceQuery{GroupBy: []string{"colour"}}); err == nil {
		t.Fatal("unknown group_by accepted")
	}
}

func testLedgerLeaves(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	n0, _ := s.EntryCount(ctx)
	var recs []model.Record
	for i := 0; i < 3; i++ {
		recs = append(recs, Individual(f.X, "TR", day("2023-05-13"), int64(i+1), fmt.Sprintf("l%d", i)))
	}
	res, err := f.Reg.Write(ctx, f.PlatformX, recs, registry.Create)
	if err != nil {
		t.Fatal(err)
	}
	n1, _ := s.EntryCount(ctx)
	if n1 != n0+3 {
		t.Fatalf("log grew by %d, want 3", n1-n0)
	}
	leaves, err := s.ReadEntries(ctx, n0, n0+3)
	if err != nil || len(leaves) != 3 {
		t.Fatalf("entries: %d, %v", len(leaves), err)
	}
	for i, r := range res {
		row, _ := s.Get(ctx, "demands", r.ID, 0)
		if row.LeafIndex == nil || *row.LeafIndex != n0+int64(i) {
			t.Fatalf("record %d leaf index = %v, want %d", i, row.LeafIndex, n0+int64(i))
		}
		if want, err := ledger.RebuildLeaf("demands", row.Body, nil); err != nil || string(leaves[i]) != string(want) {
			t.Fatalf("leaf %d is not the record's canonical JSON in its ledger envelope: %s", i, leaves[i])
		}
	}
}

func testTokensAndAudit(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	secret, tok, err := auth.NewToken(ctx, s, f.X, auth.Platform, "bulk upload")
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.Authenticate(ctx, s, "Bearer "+secret)
	if err != nil || a.Org != f.X || a.Role != auth.Platform || a.TokenID != tok.ID {
		t.Fatalf("authenticate = %+v, %v", a, err)
	}
	if _, err := auth.Authenticate(ctx, s, "Bearer "+secret+"x"); !errors.Is(err, auth.ErrBadToken) {
		t.Fatalf("wrong secret: err = %v", err)
	}
	if _, _, err := auth.NewToken(ctx, s, "nope", auth.Platform, ""); err == nil {
		t.Fatal("token for an unknown organisation was created")
	}
	res, err := f.Reg.Create(ctx, a, Individual(f.X, "TR", day("2023-05-13"), 1, "aud"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.Audit(ctx, store.AuditQuery{RecordID: res.ID})
	if err != nil || len(entries) != 1 || entries[0].ActorToken != tok.ID || entries[0].Action != "demands.create" {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
}

// testSameBatchReferences reads back an exported batch: records that bring
// their ids may be referred to by later records of the same batch.
func testSameBatchReferences(t *testing.T, s store.Store) {
	f := NewFixture(t, s)
	org := &model.Organisation{Meta: model.Meta{ID: ulid.Make().String(), Sources: src("https://www.tiktok.com/transparency")},
		Name: "TikTok", Kind: "platform", PlatformType: "video", Slug: "tiktok"}
	d := Individual(org.ID, "VN", day("2024-03-01"), 7, "tt-1")
	d.ID = ulid.Make().String()
	resp := &model.Response{Meta: model.Meta{Sources: src("https://example.org/r")}, Demand: d.ID, Platform: org.ID, Outcome: "complied_full"}
	if _, err := f.Reg.Write(ctx, auth.System, []model.Record{org, d, resp}, registry.Upsert); err != nil {
		t.Fatal(err)
	}
	got, err := s.Compliance(ctx, store.ComplianceQuery{GroupBy: []string{"platform"}, Platform: org.ID})
	if err != nil || len(got) != 1 {
		t.Fatalf("compliance: %+v %v", got, err)
	}
	// complied_full without counts actioned all that was requested.
	if got[0].ItemsActioned.String() != "7" || got[0].ComplianceRate == nil || *got[0].ComplianceRate != 1 {
		t.Fatalf("actioned %v rate %v", got[0].ItemsActioned, got[0].ComplianceRate)
	}
	// The same holds when the demand was stored by an earlier write.
	d2 := Individual(org.ID, "VN", day("2024-04-01"), 5, "tt-2")
	res, err := f.Reg.Create(ctx, auth.System, d2)
	if err != nil {
		t.Fatal(err)
	}
	r2 := &model.Response{Meta: model.Meta{Sources: src("https://example.org/r")}, Demand: res.ID, Platform: org.ID, Outcome: "complied_full"}
	if _, err := f.Reg.Create(ctx, auth.System, r2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Compliance(ctx, store.ComplianceQuery{GroupBy: []string{"platform"}, Platform: org.ID})
	if got[0].ItemsActioned.String() != "12" {
		t.Fatalf("actioned after a later response: %v, want 12", got[0].ItemsActioned)
	}
}
