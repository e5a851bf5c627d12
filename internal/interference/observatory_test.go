package interference

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// TestImportDetect imports generated measurements twice and detects
// again, and checks that each episode's versions are written once, through
// the registry, into the ledger, linked to the pressure around them.
func TestImportDetect(t *testing.T) { storetest.Each(t, testImportDetect) }

func testImportDetect(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	start := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	n, err := oonitest.Write(&buf, oonitest.Spec{Start: start, End: start.Add(48 * time.Hour),
		Networks: oonitest.DefaultNetworks[:3], Domains: oonitest.DefaultDomains[:4], Step: 5 * time.Minute, PerStep: 1, Seed: 5,
		BodyBytes: 512, CertBytes: 64, Episodes: []oonitest.Episode{
			{Kind: "throttling", ASN: 9121, Domains: []string{"twitter.com"}, Start: start.Add(5 * time.Hour), End: start.Add(20 * time.Hour), Factor: 30},
			{Kind: "dns", ASN: 16135, Domains: []string{"www.youtube.com"}, Start: start.Add(8 * time.Hour), End: start.Add(30 * time.Hour), BlockIP: "195.175.254.2"}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db)
	// An election period in Turkey and a demand to X the week before: the
	// throttling event should point at both.
	org := &model.Organisation{Name: "X Corp.", Kind: "platform", PlatformType: "social_media", Slug: "x"}
	period := &model.Period{Country: "TR", Kind: "election", Title: "Test election", StartsOn: "2023-01-30", EndsOn: "2023-02-02"}
	if _, err := reg.Write(ctx, auth.System, []model.Record{org, period}, registry.Upsert); err != nil {
		t.Fatal(err)
	}
	received := start.Add(-7 * 24 * time.Hour)
	demand := &model.Demand{Platform: org.ID, Country: "TR", Granularity: "individual", ReceivedAt: &received,
		Types: []string{"content_removal"}, Threats: []string{"bandwidth_throttling"}}
	if _, err := reg.Write(ctx, auth.System, []model.Record{demand}, registry.Upsert); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		stream := NewStream(db, reg, detect.DefaultParams())
		st, err := ImportOONI(ctx, db, stream, []string{path}, ooni.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantNew, wantVersions := n, 6 // two episodes: opened, revised, closed
		if round == 1 {
			wantNew, wantVersions = 0, 0
		}
		if st.Measurements != n || st.New != wantNew || stream.Stats().Versions != wantVersions {
			t.Fatalf("round %d: read %d, new %d, %+v; want %d, %d, %d versions", round, st.Measurements, st.New, stream.Stats(), n, wantNew, wantVersions)
		}
	}
	// An event an earlier detector published on AS15897, where nothing
	// happened: detecting again retracts it and writes nothing else.
	stale := &model.Event{Country: "TR", Scope: "network", ASNs: []int64{15897}, Kind: "blocking", Targets: []string{"x"},
		StartedAt: start.Add(36 * time.Hour), Confidence: "low", Phase: "opened",
		Detection: model.Detection{Detector: detect.BlockingDetector, Version: "1"},
		SourceID:  "candor.blocking-cusum/v1/TR/AS15897/x/2023-02-02T12Z"}
	if _, err := reg.Write(ctx, auth.System, []model.Record{stale}, registry.Upsert); err != nil {
		t.Fatal(err)
	}
	st, err := Detect(ctx, db, reg, store.MeasurementQuery{}, detect.DefaultParams(), nil)
	if err != nil || st.Versions != 0 || st.Unchanged != 6 || st.Retracted != 1 {
		t.Errorf("detecting again: %+v, %v; want nothing written but one retraction", st, err)
	}
	if row, err := db.Get(ctx, "events", stale.ID, 0); err != nil || row.Version != 2 || !strings.Contains(string(row.Body), `"phase":"retracted"`) {
		t.Errorf("stale event after detection: %v %+v", err, row)
	}
	records, err := DetectorRecords(ctx, db, "TR")
	if err != nil || len(records) != 2 || records[0].Detector != detect.BlockingDetector || records[0].Events != 2 ||
		records[0].Retracted != 1 || records[0].RetractedShare != 0.5 || records[1].Closed != 1 {
		t.Errorf("detector records %+v %v", records, err)
	}
	page, err := db.List(ctx, store.Query{Collection: "events", Country: "TR", Types: []string{"throttling", "dns_manipulation"}})
	if err != nil || len(page.Rows) != 2 {
		t.Fatalf("events list: %v, %v", page, err)
	}
	// Organisation, period and demand, three versions of each event, and
	// the stale event with its retraction.
	if size, _ := db.EntryCount(ctx); size != 11 {
		t.Errorf("ledger size %d, want 11", size)
	}
	for _, row := range page.Rows {
		if row.LeafIndex == nil || row.Version != 3 {
			t.Errorf("event %s: version %d, leaf %v; want the third version in the ledger", row.ID, row.Version, row.LeafIndex)
		}
		var e model.Event
		if err := json.Unmarshal(row.Body, &e); err != nil {
			t.Fatal(err)
		}
		if e.Phase != "closed" {
			t.Errorf("%s: phase %s", e.SourceID, e.Phase)
		}
		if e.Kind == "throttling" {
			if d := e.StartedAt.Sub(start.Add(5 * time.Hour)); d < -time.Hour || d > time.Hour {
				t.Errorf("throttling starts %s, want %s", e.StartedAt, start.Add(5*time.Hour))
			}
		}
		want := []string{period.ID}
		if e.Kind == "throttling" {
			want = append(want, demand.ID)
		}
		for _, id := range want {
			if !slices.Contains(e.Related, id) {
				t.Errorf("%s event related %v, want %s among them", e.Kind, e.Related, id)
			}
		}
		if e.Kind != "throttling" && len(e.Related) != 1 {
			t.Errorf("the YouTube block is not related to the demand to X: %v", e.Related)
		}
	}
}

// TestReplayBatchAndIncremental imports one generated data set into two
// stores, at once into one and hour by hour into the other (a new process
// each hour, as a cron job would run), and compares every version of every
// event byte for byte, but for ids and write times.
func TestReplayBatchAndIncremental(t *testing.T) { storetest.Each(t, testReplay) }

func testReplay(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	sc := oonitest.Turkey2023(11)
	sc.Spec.Start = time.Date(2023, 2, 7, 0, 0, 0, 0, time.UTC)
	sc.Spec.End = time.Date(2023, 2, 9, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	if _, err := oonitest.Write(&buf, sc.Spec); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	all := filepath.Join(dir, "all.jsonl")
	if err := os.WriteFile(all, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	hours := splitByHour(t, buf.Bytes(), dir)

	other := storetest.OpenSQLite(t)
	if db.Dialect().Name() == "postgres" {
		other = storetest.OpenPostgres(t)
	}
	p := detect.DefaultParams()
	if _, err := ImportOONI(ctx, db, NewStream(db, registry.New(db), p), []string{all}, ooni.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, h := range hours {
		if _, err := ImportOONI(ctx, other, NewStream(other, registry.New(other), p), []string{h}, ooni.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := eventVersions(t, db), eventVersions(t, other)
	if len(a) == 0 {
		t.Fatal("no events detected")
	}
	for id, va := range a {
		vb := b[id]
		if len(va) != len(vb) {
			t.Errorf("%s: %d versions at once, %d hour by hour", id, len(va), len(vb))
			continue
		}
		for i := range va {
			if !bytes.Equal(va[i], vb[i]) {
				t.Errorf("%s version %d differs:\n%s\n%s", id, i+1, va[i], vb[i])
			}
		}
	}
	for id := range b {
		if a[id] == nil {
			t.Errorf("hour by hour made %s, at once did not", id)
		}
	}
	t.Logf("%d events, %d hourly imports, same versions both ways", len(a), len(hours))
}

// splitByHour writes each hour's measurements to a file of its own.
func splitByHour(t *testing.T, data []byte, dir string) []string {
	t.Helper()
	byHour := map[string]*bytes.Buffer{}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var m struct {
			Start string `json:"measurement_start_time"`
		}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		h := m.Start[:13] // 2023-02-07 14
		if byHour[h] == nil {
			byHour[h] = &bytes.Buffer{}
		}
		byHour[h].Write(line)
	}
	var paths []string
	for _, h := range slices.Sorted(maps.Keys(byHour)) {
		p := filepath.Join(dir, strings.ReplaceAll(h, " ", "T")+".jsonl")
		if err := os.WriteFile(p, byHour[h].Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// eventVersions reads every version of every event, by source_id, with
// the fields a write sets (id, created_at, updated_at) blanked.
func eventVersions(t *testing.T, db *sqlstore.DB) map[string][][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][][]byte{}
	page, err := db.List(ctx, store.Query{Collection: "events", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range page.Rows {
		vs, err := db.Versions(ctx, "events", row.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			r, err := db.Get(ctx, "events", row.ID, v.Version)
			if err != nil {
				t.Fatal(err)
			}
			var e map[string]any
			if err := json.Unmarshal(r.Body, &e); err != nil {
				t.Fatal(err)
			}
			delete(e, "id")
			delete(e, "created_at")
			delete(e, "updated_at")
			b, _ := json.Marshal(e)
			id := e["source_id"].(string)
			out[id] = append(out[id], b)
		}
	}
	return out
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
		st, err := ImportOONI(ctx, db, nil, []string{path}, ooni.Options{})
		if err != nil || st.New != n {
			b.Fatalf("%d new of %d: %v", st.New, n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "measurements/s")
	b.ReportMetric(float64(peakRSS())/(1<<10), "peak-rss-MiB")
}

// peakRSS is the process's peak resident set in KiB (Linux only).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "VmHWM:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}
