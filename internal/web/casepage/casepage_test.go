package casepage

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/locale"
)

func TestStatsPageAndHeaders(t *testing.T) {
	median := 5400.0
	var asked cases.StatsQuery
	h := Handler(func(ctx context.Context, q cases.StatsQuery) (*cases.Stats, error) {
		asked = q
		if err := q.Validate(); err != nil {
			return nil, err
		}
		return &cases.Stats{GroupBy: q.GroupBy, MinGroup: 5, SuppressedGroups: 2, Groups: []cases.Group{{
			Platform: "X", Country: "TR", Cases: 7, Acknowledge: cases.Timing{Reached: 7, MedianSeconds: &median, P90Seconds: &median},
			ShareResolved: 0.5714, ShareOverdue: 0.1429}}}, nil
	})
	get := func(path string) (*http.Response, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(rec.Result().Body)
		return rec.Result(), string(b)
	}
	res, body := get("/cases/stats?group_by=platform,country")
	if res.StatusCode != 200 || strings.Join(asked.GroupBy, ",") != "platform,country" {
		t.Fatalf("%d %v", res.StatusCode, asked)
	}
	for _, want := range []string{"<td>X</td><td>" + locale.Get("en").Country("TR") + "</td>", ">7<", "1.5 h", "57.1%", "14.3%", "2 groups are left out"} {
		if !strings.Contains(body, want) {
			t.Errorf("stats page lacks %q", want)
		}
	}
	if res.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
		t.Errorf("CSP %q", res.Header.Get("Content-Security-Policy"))
	}
	if res, _ := get("/cases/stats?group_by=filed_by"); res.StatusCode != 400 {
		t.Errorf("bad group_by: %d", res.StatusCode)
	}
	res, body = get("/cases/")
	if res.StatusCode != 200 || !strings.Contains(body, `src="/cases/static/cases.js"`) || strings.Contains(body, "<script>") {
		t.Errorf("page %d", res.StatusCode)
	}
	// The page and its script speak the reader's language.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/cases/", nil)
	req.Header.Set("Accept-Language", "tr-TR,tr;q=0.9")
	h.ServeHTTP(rec, req)
	tr := rec.Body.String()
	for _, want := range []string{`<html lang="tr">`, "Vaka bildir", "Güvenlik tehdidi", "Acil durum", "İnceleniyor"} {
		if !strings.Contains(tr, want) {
			t.Errorf("Turkish page lacks %q", want)
		}
	}
	_, vi := get("/cases/stats?lang=vi&group_by=platform,country")
	if !strings.Contains(vi, "Các nền tảng phản hồi vụ việc ra sao") || !strings.Contains(vi, "<td>"+locale.Get("vi").Country("TR")+"</td>") {
		t.Errorf("Vietnamese stats page: %.300s", vi)
	}
	res, body = get("/cases/static/vendor/age-encryption/age.js")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || !strings.Contains(body, "generateX25519Identity") {
		t.Errorf("vendored age: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
