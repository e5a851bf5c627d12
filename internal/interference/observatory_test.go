package interference

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

func TestImportDetectSQLite(t *testing.T)   { testImportDetect(t, storetest.OpenSQLite(t)) }
func TestImportDetectPostgres(t *testing.T) { testImportDetect(t, storetest.OpenPostgres(t)) }

// testImportDetect imports generated measurements twice, detects twice,
// and checks that events are written once, through the registry, into the
// ledger, and read back from the events collection.
func testImportDetect(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	start := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	n, err := oonitest.Write(&buf, oonitest.Spec{Start: start, End: start.Add(48 * time.Hour),
		Networks: oonitest.DefaultNetworks[:3], Domains: oonitest.DefaultDomains[:4], PerHour: 4, Seed: 5,
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
	// Organisation, period and demand, then the two events once.
	if size, _ := db.EntryCount(ctx); size != 5 {
		t.Errorf("ledger size %d, want 5 (detecting twice adds nothing)", size)
	}
	if first[0].ID == "" || first[0].Version != 1 {
		t.Errorf("registry did not assign id/version: %+v", first[0].Meta)
	}
	for _, e := range first {
		if e.Kind == "throttling" && !e.StartedAt.Equal(start.Add(5*time.Hour)) {
			t.Errorf("throttling starts %s, want %s", e.StartedAt, start.Add(5*time.Hour))
		}
		want := []string{period.ID}
		if e.Kind == "throttling" {
			want = append(want, demand.ID)
		}
		for _, id := range want {
			found := false
			for _, r := range e.Related {
				found = found || r == id
			}
			if !found {
				t.Errorf("%s event related %v, want %s among them", e.Kind, e.Related, id)
			}
		}
		if e.Kind != "throttling" && len(e.Related) != 1 {
			t.Errorf("the YouTube block is not related to the demand to X: %v", e.Related)
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
