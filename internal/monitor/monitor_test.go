package monitor_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/monitor"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/candor-observatory/candor/internal/verify"
	"github.com/candor-observatory/candor/internal/witness"
)

// world is a served log whose server can be restarted over an altered
// database, behind one URL, as an operator would.
type world struct {
	t       *testing.T
	db      *sqlstore.DB
	f       *registrytest.Fixture
	app     *app.App
	cfg     app.Config
	handler atomic.Pointer[http.Handler]
	srv     *httptest.Server
	ids     []string
	// witness is the witness's own server; stopping it stops cosignatures.
	witness     *httptest.Server
	witnessVkey string
}

func start(t *testing.T, db *sqlstore.DB) *world {
	t.Helper()
	w := &world{t: t, db: db, f: registrytest.NewFixture(t, db)}
	lskey, lvkey, _ := note.GenerateKey(rand.Reader, "candor.test/log")
	wskey, wvkey, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w1")
	ws, err := witness.NewServer(wskey, map[string][]string{"candor.test/log": {lvkey}}, filepath.Join(t.TempDir(), "w.json"))
	if err != nil {
		t.Fatal(err)
	}
	w.witness, w.witnessVkey = httptest.NewServer(ws.Handler()), wvkey
	t.Cleanup(w.witness.Close)
	w.cfg = app.Config{Ledger: app.LedgerConfig{Key: lskey, Witnesses: []string{w.witness.URL + "=" + wvkey}, Quorum: 1,
		Interval: time.Hour, Delay: time.Millisecond, Timeout: 2 * time.Second}}
	w.restart()
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { (*w.handler.Load()).ServeHTTP(rw, r) }))
	t.Cleanup(w.srv.Close)
	return w
}

// restart builds a new server over the database, as after a restart.
func (w *world) restart() {
	w.t.Helper()
	w.app = apptest.New(w.t, w.db, &w.cfg)
	h := w.app.Handler
	w.handler.Store(&h)
}

// add writes n demands and signs a checkpoint.
func (w *world) add(n int, tag string) {
	w.t.Helper()
	ctx := context.Background()
	var recs []model.Record
	for i := 0; i < n; i++ {
		d := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), int64(i+1), fmt.Sprintf("%s-%d", tag, i))
		if i%3 == 0 {
			d.Summary = fmt.Sprintf("order about the account of person %d", i)
		}
		recs = append(recs, d)
	}
	res, err := w.f.Reg.Write(ctx, w.f.PlatformX, recs, registry.Create)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range res {
		w.ids = append(w.ids, r.ID)
	}
	if _, err := w.app.Ledger.Sign(ctx, true); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) exec(query string, args ...any) {
	w.t.Helper()
	if _, err := w.db.WriteDB().Exec(w.db.Dialect().Placeholders(query), args...); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

// truncate rolls the log back to size entries, records and all, and has
// the server sign the shorter log with its genuine key.
func (w *world) truncate(size int64) {
	w.t.Helper()
	w.exec(`DELETE FROM records WHERE leaf_index >= ?`, size)
	w.exec(`DELETE FROM log_entries WHERE idx >= ?`, size)
	w.exec(`DELETE FROM log_tiles`)
	w.exec(`UPDATE log_state SET tree_size = 0, checkpoint = NULL, checkpoint_size = 0`)
	w.app.Close()
	w.restart()
}

// round runs one monitor round and returns its output and result.
func (w *world) round(state string, witnessKeys ...string) (string, error) {
	var out strings.Builder
	err := monitor.Run(context.Background(), monitor.Options{
		Verify: verify.Options{Server: w.srv.URL, StateFile: state, WitnessKeys: witnessKeys},
		Rounds: 1, Sample: 1000, Out: &out})
	return out.String(), err
}

// onePlainSentence: "PROBLEM (kind): " and a single sentence.
var onePlainSentence = regexp.MustCompile(`^PROBLEM \(([a-z_]+)\): [A-Z][^\n]*[^.]\.$`)

func wantProblem(t *testing.T, out string, err error, kind verify.Kind, words string) {
	t.Helper()
	var p *monitor.Problem
	if !errors.As(err, &p) {
		t.Fatalf("want a %s problem, got %v\n%s", kind, err, out)
	}
	if p.Kind != kind || !strings.Contains(p.Sentence, words) {
		t.Fatalf("want a %s problem saying %q, got %s: %s", kind, words, p.Kind, p.Sentence)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	m := onePlainSentence.FindStringSubmatch(last)
	if m == nil || m[1] != string(kind) || strings.Count(strings.TrimPrefix(last, "PROBLEM ("+m[1]+"): "), ". ") > 0 {
		t.Fatalf("the report is not one plain sentence: %q", last)
	}
	t.Logf("%s", last)
}

func TestMonitorRecordEdited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := start(t, db)
		w.add(12, "a")
		state := filepath.Join(t.TempDir(), "state.json")
		if out, err := w.round(state, w.witnessVkey); err != nil || !strings.Contains(out, "entries match their records") {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		w.exec(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`, w.ids[4])
		out, err := w.round(state, w.witnessVkey)
		wantProblem(t, out, err, verify.Changed, w.ids[4])
		if !strings.Contains(err.Error(), "edited after publication") {
			t.Fatalf("sentence: %v", err)
		}
	})
}

func TestMonitorTruncatedLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := start(t, db)
		w.add(20, "a")
		state := filepath.Join(t.TempDir(), "state.json")
		if out, err := w.round(state); err != nil {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		size, _ := db.TreeSize(context.Background())
		w.truncate(size - 7)
		out, err := w.round(state)
		wantProblem(t, out, err, verify.Shrunk, fmt.Sprintf("shrank from %d entries", size))
	})
}

func TestMonitorFork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := start(t, db)
		w.add(20, "a")
		state := filepath.Join(t.TempDir(), "state.json")
		if out, err := w.round(state); err != nil {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		// Roll back and write other records in their place: the log grows
		// past the size seen, but is not an extension of what was seen.
		size, _ := db.TreeSize(context.Background())
		w.truncate(size - 7)
		w.add(10, "forged")
		out, err := w.round(state)
		wantProblem(t, out, err, verify.Forked, "history was rewritten")
		// The state still holds the last good checkpoint, the evidence.
		st, _ := verify.LoadState(state)
		if st.Size != size {
			t.Fatalf("state file holds %d entries, want the %d last verified", st.Size, size)
		}
	})
}

func TestMonitorMissingCosignature(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := start(t, db)
		w.add(5, "a")
		state := filepath.Join(t.TempDir(), "state.json")
		if out, err := w.round(state, w.witnessVkey); err != nil || !strings.Contains(out, "cosigned by 1 trusted witnesses") {
			t.Fatalf("witnessed log: %v\n%s", err, out)
		}
		w.witness.Close()
		w.add(3, "b")
		out, err := w.round(state, w.witnessVkey)
		wantProblem(t, out, err, verify.QuorumLost, "cosigned by 0 of the witnesses you trust, fewer than the 1 required")
	})
}

func TestMonitorUnsigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := start(t, db)
		w.add(5, "a")
		state := filepath.Join(t.TempDir(), "state.json")
		if out, err := w.round(state); err != nil {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		// The same checkpoint body, signed by a key of the same name.
		signed, _ := db.ReadCheckpoint(ctx)
		body, _, _ := strings.Cut(string(signed), "\n\n")
		other, _, _ := note.GenerateKey(rand.Reader, "candor.test/log")
		signer, _ := note.NewSigner(other)
		forged, err := note.Sign(&note.Note{Text: body + "\n"}, signer)
		if err != nil {
			t.Fatal(err)
		}
		size, _ := db.TreeSize(ctx)
		if err := db.WriteCheckpoint(ctx, size, forged); err != nil {
			t.Fatal(err)
		}
		out, err := w.round(state)
		wantProblem(t, out, err, verify.Unsigned, "not validly signed by the log key candor.test/log")
	})
}

// TestMonitorAlertsOnceAndGoesOn: with KeepGoing, a problem is posted to
// the webhook once, signed, and the monitor keeps watching.
func TestMonitorAlertsOnceAndGoesOn(t *testing.T) {
	w := start(t, storetest.OpenSQLite(t))
	w.add(6, "a")
	var mu sync.Mutex
	var got []monitor.Problem
	var sigs []string
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var p monitor.Problem
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &p)
		mu.Lock()
		got, sigs = append(got, p), append(sigs, r.Header.Get("Candor-Signature"))
		mu.Unlock()
	}))
	defer hook.Close()
	state := filepath.Join(t.TempDir(), "state.json")
	if out, err := w.round(state); err != nil {
		t.Fatalf("clean log: %v\n%s", err, out)
	}
	w.exec(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`, w.ids[2])
	var out strings.Builder
	err := monitor.Run(context.Background(), monitor.Options{
		Verify: verify.Options{Server: w.srv.URL, StateFile: state}, Rounds: 3, Interval: time.Millisecond, Sample: 100,
		KeepGoing: true, Alert: &monitor.Webhook{URL: hook.URL, Secret: []byte("s3cret")}, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "PROBLEM (changed)"); n != 3 {
		t.Fatalf("%d problem lines in three rounds, want 3:\n%s", n, out.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Kind != verify.Changed || got[0].Checkpoint == "" || got[0].Previous == "" || !strings.HasPrefix(sigs[0], "sha256=") {
		t.Fatalf("webhook got %+v %v", got, sigs)
	}
}
