package web

import (
	"compress/gzip"
	"sync"
	"sync/atomic"

	"context"
	"fmt"
	"os"
	"time"

	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"

	"path/filepath"
	"regexp"

	"github.com/candor-observatory/candor/internal/auth"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"

	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t testing.TB, h http.Handler, url string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestPages(t *testing.T) {
	f := newFixture(t)
	s := explorerFor(f)
	cases := []struct {
		url, lang string
		want      []string
	}{
		{"/", "en", []string{"Türkiye", "Vietnam", "Law No. 5651", "Cybersecurity Law 2018", `aria-sort="ascending"`}},
		{"/", "tr", []string{"Ülke ülke platformlar", "Vietnam", "Uyum oranı"}},
		{"/", "vi", []string{"Thổ Nhĩ Kỳ", "Việt Nam", "Tỷ lệ tuân thủ"}},
		{"/countries/TR", "en", []string{"Pressure timeline", "8 February 2023", "Twitter throttled after the earthquake",
			"Law No. 5651: In force", "H1 2023", `class="chart"`, "deadline: 48 hours", "throttling up to 90%", "prison up to 3 years"}},
		{"/countries/TR", "tr", []string{"Baskı zaman çizelgesi", "8 Şubat 2023", "Yürürlükte", "süre: 48 saat", "%90 oranına kadar yavaşlatma", "2023 ilk yarı"}},
		{"/countries/VN", "vi", []string{"Dòng thời gian sức ép", "tháng", "Luật An ninh mạng", "thời hạn: 24 giờ", "nửa đầu 2023"}},
		{"/platforms/" + f.IDs["google"], "en", []string{"Google", "Transparency completeness", "Türkiye", "Vietnam"}},
		{"/platforms/twitter", "tr", []string{"X (Twitter)", "Yayımlanan açıklamalar", "restrict access to some content"}},
		{"/laws/" + f.IDs["5651"], "en", []string{"Law No. 5651", "Version 2 of 2", "Compare with the previous version", "Test source"}},
		{"/demands/" + f.IDs["order1"], "vi", []string{"Lệnh của tòa án", "Luật bầu cử", "X (Twitter)"}},
		{"/events/" + f.IDs["quake"], "en", []string{"Twitter throttled after the earthquake", "Throttling"}},
		{"/search?q=erisim&collection=demands", "en", []string{"Erişim engeli kararı", "Download this list"}},
	}
	for _, c := range cases {
		w := get(t, s, c.url+sep(c.url)+"lang="+c.lang)
		if w.Code != 200 {
			t.Errorf("%s [%s]: status %d\n%s", c.url, c.lang, w.Code, w.Body.String())
			continue
		}
		t.Run(strings.ReplaceAll(c.url, "/", "_")+"_"+c.lang, func(t *testing.T) { mustContain(t, w.Body.String(), c.want...) })
	}
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func TestHeadersAndLanguage(t *testing.T) {
	s := explorerFor(newFixture(t))
	w := get(t, s, "/", "Accept-Language", "vi-VN,vi;q=0.9,en;q=0.5")
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if w.Header().Get("Content-Language") != "vi" || !strings.Contains(w.Body.String(), `<html lang="vi">`) {
		t.Errorf("Accept-Language vi gave %q", w.Header().Get("Content-Language"))
	}
	// ?lang= sets a cookie that later requests follow over Accept-Language.
	w = get(t, s, "/?lang=tr", "Accept-Language", "en")
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != "lang" || c[0].Value != "tr" || !c[0].HttpOnly {
		t.Fatalf("cookie %+v", c)
	}
	w = get(t, s, "/countries/VN", "Accept-Language", "en", "Cookie", "lang=tr")
	if w.Header().Get("Content-Language") != "tr" {
		t.Errorf("cookie ignored: %q", w.Header().Get("Content-Language"))
	}
	// No inline script or style anywhere, so the CSP holds without exceptions.
	for _, u := range []string{"/", "/countries/TR", "/search?q=x"} {
		b := get(t, s, u).Body.String()
		if strings.Contains(b, "<script") || strings.Contains(b, "style=") || strings.Contains(b, "<style") {
			t.Errorf("%s has inline script or style", u)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	s := explorerFor(newFixture(t))
	u := assetURL("style.css")
	if !strings.HasPrefix(u, "/static/style.") || u == "/static/style.css" {
		t.Fatalf("asset url %q carries no hash", u)
	}
	w := get(t, s, u)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("%s: %d %q %q", u, w.Code, w.Header().Get("Cache-Control"), w.Header().Get("Content-Type"))
	}
	if w := get(t, s, "/static/style.0000000000.css"); w.Code != 404 {
		t.Errorf("stale hash served: %d", w.Code)
	}
}

func TestNotFound(t *testing.T) {
	s := explorerFor(newFixture(t))
	for _, u := range []string{"/laws/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/countries/T1", "/platforms/nope", "/a/b/c", "/laws/x?version=9"} {
		w := get(t, s, u+"?lang=tr")
		if w.Code != 404 {
			t.Errorf("%s: %d", u, w.Code)
		}
	}
	w := get(t, s, "/nothing?lang=tr")
	mustContain(t, w.Body.String(), "Sayfa bulunamadı")
}

func TestSearchFiltersAndDownloads(t *testing.T) {
	f := newFixture(t)
	s := explorerFor(f)
	body := get(t, s, "/search?collection=demands&country=VN&lang=en").Body.String()
	if strings.Contains(body, "Erişim engeli") || !strings.Contains(body, "Vietnam") {
		t.Error("country filter not applied")
	}
	if w := get(t, s, "/search?country=Turkey"); w.Code != 400 || !strings.Contains(w.Body.String(), "Country") {
		t.Errorf("bad country: %d", w.Code)
	}
	if w := get(t, s, "/search?from=2023-13-01"); w.Code != 400 {
		t.Errorf("bad date: %d", w.Code)
	}
	// Search folds like the API: "secim" finds "Seçimler", across collections.
	mustContain(t, get(t, s, "/search?q=secim").Body.String(), "Seçimler: cumhurbaşkanlığı")

	w := get(t, s, "/search?collection=demands&country=TR&format=csv")
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv content type %q", w.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+8 { // header + 5 orders + 3 TR aggregates
		t.Errorf("csv has %d rows, want 9", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"collection", "id", "country", "platform", "record"} {
		if _, ok := col[h]; !ok {
			t.Errorf("csv lacks column %s: %v", h, rows[0])
		}
	}
	for _, r := range rows[1:] {
		if r[col["country"]] != "TR" || r[col["collection"]] != "demands" {
			t.Errorf("csv row %v", r)
		}
	}

	w = get(t, s, "/search?collection=laws&format=ndjson")
	sc := bufio.NewScanner(w.Body)
	n := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("ndjson line %d: %v", n+1, err)
		}
		n++
	}
	if n != 4 {
		t.Errorf("ndjson has %d laws, want 4", n)
	}
}

func TestPaging(t *testing.T) {
	f := newFixture(t)
	s := explorerFor(f)
	// Follow the "next page" links through every demand, four a page.
	s.PageSize = 4
	pages := 0
	seen := map[string]bool{}
	url := "/search?collection=demands"
	for i := 0; i < 20 && url != ""; i++ {
		body := get(t, s, url).Body.String()
		pages++
		for _, part := range strings.Split(body, `href="/demands/`)[1:] {
			seen[part[:26]] = true
		}
		url = ""
		if i := strings.Index(body, `rel="next"`); i > 0 {
			j := strings.LastIndex(body[:i], `href="`)
			url = strings.ReplaceAll(body[j+6:i-2], "&amp;", "&")
		}
	}
	if len(seen) != 11 || pages != 3 {
		t.Errorf("saw %d demands on %d pages, want 11 on 3", len(seen), pages)
	}
}

func TestVersionDiff(t *testing.T) {
	f := newFixture(t)
	s := explorerFor(f)
	body := get(t, s, "/laws/"+f.IDs["5651"]+"?version=2&diff=1&lang=en").Body.String()
	mustContain(t, body, "Changes from version 1 to version 2", "timeline[3].status", "<ins>&#34;amended&#34;</ins>")
	body = get(t, s, "/laws/"+f.IDs["5651"]+"?version=1").Body.String()
	mustContain(t, body, "This is an earlier version")
	if strings.Contains(body, "2022-10-18") || strings.Contains(body, "18 October 2022") {
		t.Error("version 1 shows the amendment of version 2")
	}
}

// Every message id written in the templates and the handlers exists in
// every language.
func TestMessagesUsedExist(t *testing.T) {
	re := regexp.MustCompile(`(?:\.T|\.N|l\.T\(|l\.N\() ?"([a-z_.]+[a-z_])"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			for _, code := range locale.Codes {
				if !locale.Get(code).Has(m[1]) {
					t.Errorf("%s: %s has no %s message", f, m[1], code)
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d message uses; the pattern is broken", n)
	}
	// Ids built at run time.
	for _, code := range locale.Codes {
		l := locale.Get(code)
		for _, c := range searchCollections {
			for _, id := range []string{"collection." + c, "collection.one." + c} {
				if !l.Has(id) {
					t.Errorf("%s: no %s", code, id)
				}
			}
		}
		for _, k := range timelineKinds {
			if !l.Has("timeline.kind." + k) {
				t.Errorf("%s: no timeline.kind.%s", code, k)
			}
		}
		for _, f := range demandDisclosures {
			if !l.Has("field." + f.field) {
				t.Errorf("%s: no field.%s", code, f.field)
			}
		}
		for _, f := range responseDisclosures {
			if !l.Has("field." + f.field) {
				t.Errorf("%s: no field.%s", code, f.field)
			}
		}
	}
}

// Every field of the model's records has a label in every language.
func TestFieldLabels(t *testing.T) {
	for _, c := range model.Collections() {
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					for _, code := range locale.Codes {
						if !locale.Get(code).Has("field." + k) {
							t.Errorf("%s: %s.%s has no %s label", c, prefix, k, code)
						}
					}
					walk(k, e)
				}
			case []any:
				for _, e := range x {
					walk(prefix, e)
				}
			}
		}
		walk(c, fields(sampleOf(c)))
	}
}

// The cached compliance figures follow a new public write.
func TestComplianceFollowsWrites(t *testing.T) {
	f := newFixture(t)
	s := explorerFor(f)
	if body := get(t, s, "/countries/VN?lang=en").Body.String(); !strings.Contains(body, "1,702") {
		t.Fatal("VN H1 2023 total not shown")
	}
	d := &model.Demand{Platform: f.IDs["google"], Country: "VN", Granularity: "aggregate", PeriodStart: "2023-01-01", PeriodEnd: "2023-06-30",
		Types: []string{"content_removal"}, RequestCount: model.ExactCount(98), Meta: model.Meta{Sources: []model.Source{{Title: "t"}}}}
	if _, err := f.Reg.Create(context.Background(), auth.System, d); err != nil {
		t.Fatal(err)
	}
	if body := get(t, s, "/countries/VN?lang=en").Body.String(); !strings.Contains(body, "1,800") {
		t.Error("the new demand is not counted: stale compliance figures")
	}
}

func TestGzip(t *testing.T) {
	s := explorerFor(newFixture(t))
	plain := get(t, s, "/countries/TR?lang=tr").Body.Bytes()
	w := get(t, s, "/countries/TR?lang=tr", "Accept-Encoding", "gzip, br")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatal("page not compressed")
	}
	zipped := w.Body.Len()
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil || string(b) != string(plain) {
		t.Fatalf("gzipped page differs (%v)", err)
	}
	t.Logf("country page: %d bytes, %d gzipped", len(plain), zipped)
	if w := get(t, s, "/", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 was ignored")
	}
	w = get(t, s, assetURL("style.css"), "Accept-Encoding", "gzip")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Error("stylesheet not compressed")
	}
}

// Without a hook, the interference chart aggregates the store's own
// measurements.
func TestInterferenceFromStore(t *testing.T) {
	f := newFixture(t)
	var ms []*model.Measurement
	for i, o := range []string{"anomaly", "anomaly", "ok", "confirmed"} {
		ms = append(ms, &model.Measurement{MeasurementUID: fmt.Sprintf("m%d", i), ReportID: "r", TestName: "web_connectivity",
			ProbeCC: "TR", ProbeASN: 9121, StartTime: time.Date(2023, 2, 8, 12, i, 0, 0, time.UTC), Platform: "twitter",
			Domain: "twitter.com", Outcome: o})
	}
	ms = append(ms, &model.Measurement{MeasurementUID: "vn", ReportID: "r", TestName: "web_connectivity", ProbeCC: "VN", ProbeASN: 7552,
		StartTime: time.Date(2023, 2, 8, 12, 0, 0, 0, time.UTC), Platform: "twitter", Outcome: "anomaly"})
	if _, err := f.DB.PutMeasurements(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	s := New(&StoreReader{S: f.DB})
	body := get(t, s, "/countries/TR?lang=en").Body.String()
	mustContain(t, body, "<title>Anomaly, February 2023: 2</title>", "<title>Confirmed blocked, February 2023: 1</title>",
		"X (Twitter): share anomalous or confirmed", "75%")
}

// slowStore makes compliance sums slow and counts them.
type slowStore struct {
	*sqlstore.DB
	calls atomic.Int32
}

func (s *slowStore) Compliance(ctx context.Context, q store.ComplianceQuery) ([]store.ComplianceRow, error) {
	s.calls.Add(1)
	time.Sleep(150 * time.Millisecond)
	return s.DB.Compliance(ctx, q)
}

// A slow sum is computed once for many readers, and after a write the
// pages keep the previous figures until the new ones are ready.
func TestComplianceSlowSums(t *testing.T) {
	f := newFixture(t)
	slow := &slowStore{DB: f.DB}
	sr := &StoreReader{S: slow}
	q := ComplianceQuery{Country: "VN", ByPlatform: true, ByPeriod: true}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := sr.Compliance(context.Background(), q); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := slow.calls.Load(); n != 1 {
		t.Errorf("8 readers summed %d times, want once", n)
	}
	total := func(rows []ComplianceRow) (n int64) {
		for _, r := range rows {
			n += r.Demands.Lo()
		}
		return n
	}
	rows, _ := sr.Compliance(context.Background(), q)
	before := total(rows)
	d := &model.Demand{Platform: f.IDs["google"], Country: "VN", Granularity: "aggregate", PeriodStart: "2023-01-01", PeriodEnd: "2023-06-30",
		Types: []string{"content_removal"}, RequestCount: model.ExactCount(98), Meta: model.Meta{Sources: []model.Source{{Title: "t"}}}}
	if _, err := f.Reg.Create(context.Background(), auth.System, d); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rows, _ = sr.Compliance(context.Background(), q)
	if time.Since(start) > 100*time.Millisecond || total(rows) != before {
		t.Errorf("after a write: waited %s for %d demands; want the previous %d at once", time.Since(start), total(rows), before)
	}
	deadline := time.Now().Add(5 * time.Second)
	for total(rows) != before+98 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		rows, _ = sr.Compliance(context.Background(), q)
	}
	if total(rows) != before+98 {
		t.Errorf("figures not refreshed: %d demands, want %d", total(rows), before+98)
	}
	// Warm fills the cache for the home, country and platform pages.
	sr2 := &StoreReader{S: f.DB}
	if err := sr2.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sr2.cache) != 1+2+3 {
		t.Errorf("warm cached %d queries, want 6 (home, 2 countries, 3 platforms)", len(sr2.cache))
	}
}

// The record page says whether a signed and witnessed checkpoint covers
// the version, as the log reports it.
func TestRecordLogCoverage(t *testing.T) {
	f := newFixture(t)
	url := "/laws/" + f.IDs["5651"] + "?lang=en"
	for _, tc := range []struct {
		signed, witnessed bool
		want              string
	}{
		{true, true, "cosigned by its witnesses covers it"},
		{true, false, "witnesses have not cosigned it yet"},
		{false, false, "No signed checkpoint covers it yet"},
	} {
		s := New(&StoreReader{S: f.DB, Coverage: func(ctx context.Context, index int64) (bool, bool, error) {
			return tc.signed, tc.witnessed, nil
		}})
		mustContain(t, get(t, s, url).Body.String(), tc.want)
	}
	body := get(t, explorerFor(f), url).Body.String()
	for _, m := range []string{"cosigned by its witnesses", "witnesses have not cosigned", "No signed checkpoint"} {
		if strings.Contains(body, m) {
			t.Errorf("a server without a log says %q", m)
		}
	}
}
