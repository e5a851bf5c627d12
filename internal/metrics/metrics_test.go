package metrics_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/candor-observatory/candor/internal/witness"
)

func value(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s in:\n%s", series, text)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lskey, lvkey, _ := note.GenerateKey(rand.Reader, "candor.test/log")
		wskey, wvkey, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w1")
		ws, err := witness.NewServer(wskey, map[string][]string{"candor.test/log": {lvkey}}, filepath.Join(t.TempDir(), "w.json"))
		if err != nil {
			t.Fatal(err)
		}
		wsrv := httptest.NewServer(ws.Handler())
		defer wsrv.Close()
		f := registrytest.NewFixture(t, db)
		a := apptest.New(t, db, &app.Config{Ledger: app.LedgerConfig{Key: lskey, Witnesses: []string{wsrv.URL + "=" + wvkey},
			Quorum: 1, Interval: time.Hour, Delay: time.Millisecond}})
		var recs []model.Record
		for i := range 7 {
			recs = append(recs, registrytest.Individual(f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), 1, "m-"+strconv.Itoa(i)))
		}
		if _, err := a.Registry.Write(ctx, f.PlatformX, recs, registry.Create); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Ledger.Sign(ctx, true); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.Handler)
		defer srv.Close()
		for _, p := range []string{"/api/v1/demands", "/api/v1/demands", "/api/v1/nothing-here/x"} {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		// A request is observed once its answer is written, so a scrape
		// right after it may come first.
		var text string
		for try := 0; try < 50; try++ {
			resp, err := http.Get(srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			text = string(b)
			if regexp.MustCompile(`status="4xx"} 1`).MatchString(text) && regexp.MustCompile(`route="GET /api/v1/\{collection\}",status="2xx"} 2`).MatchString(text) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		size, _ := db.TreeSize(ctx)
		if got := value(t, text, "candor_log_size"); got != float64(size) || size < 7 {
			t.Errorf("candor_log_size %v, tree %d", got, size)
		}
		if got := value(t, text, "candor_log_entries_committed_total"); got != 7 {
			t.Errorf("committed %v, want the 7 written through the server's registry", got)
		}
		if got := value(t, text, `candor_api_request_duration_seconds_count{route="GET /api/v1/{collection}",status="2xx"}`); got != 2 {
			t.Errorf("list requests counted %v, want 2", got)
		}
		if got := value(t, text, `candor_witness_cosignature_age_seconds{witness="witness.test/w1"}`); got < 0 || got > 60 {
			t.Errorf("cosignature age %v s", got)
		}
		if got := value(t, text, "candor_checkpoint_age_seconds"); got < 0 || got > 60 {
			t.Errorf("checkpoint age %v s", got)
		}
		if value(t, text, "candor_witness_cosignatures") != 1 || value(t, text, "candor_witness_quorum") != 1 {
			t.Error("witness gauges")
		}
		// Metrics belong to the app: a second app counts from zero.
		b2 := apptest.New(t, storetest.OpenSQLite(t), nil)
		rec := httptest.NewRecorder()
		b2.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if value(t, rec.Body.String(), "candor_log_entries_committed_total") != 0 {
			t.Error("a second app shares the first one's counters")
		}
	})
}
