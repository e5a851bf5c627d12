package verify_test

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
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/candor-observatory/candor/internal/verify"
	"github.com/candor-observatory/candor/internal/witness"
)

type world struct {
	app *app.App
	srv *httptest.Server
	f   *registrytest.Fixture
	db  *sqlstore.DB
	ids []string
}

func start(t *testing.T, db *sqlstore.DB, witnesses ...string) *world {
	t.Helper()
	f := registrytest.NewFixture(t, db)
	a := apptest.New(t, db, &app.Config{Ledger: app.LedgerConfig{Witnesses: witnesses, Quorum: 1, Interval: time.Hour,
		Delay: time.Millisecond, Timeout: 5 * time.Second}})
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return &world{app: a, srv: srv, f: f, db: db}
}

// add writes n demands (every third with a personal summary) and signs.
func (w *world) add(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	var recs []model.Record
	for i := 0; i < n; i++ {
		d := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), int64(i+1), fmt.Sprintf("v-%d-%d", len(w.ids), i))
		if i%3 == 0 {
			d.Summary = fmt.Sprintf("order about the account of person %d", i)
		}
		recs = append(recs, d)
	}
	res, err := w.f.Reg.Write(ctx, w.f.PlatformX, recs, registry.Create)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		w.ids = append(w.ids, "demands/"+r.ID)
	}
	if _, err := w.app.Ledger.Sign(ctx, false); err != nil {
		t.Fatal(err)
	}
}

func (w *world) verify(t *testing.T, state string, records ...string) (string, error) {
	var out strings.Builder
	err := verify.Server(context.Background(), verify.Options{Server: w.srv.URL, StateFile: state, Records: records, Sample: 5, Out: &out})
	return out.String(), err
}

func wantMismatch(t *testing.T, err error, words string) {
	t.Helper()
	var m *verify.Mismatch
	if !errors.As(err, &m) {
		t.Fatalf("want a verification failure mentioning %q, got %v", words, err)
	}
	if !strings.Contains(m.Msg, words) {
		t.Fatalf("failure %q does not say %q", m.Msg, words)
	}
}

func TestVerifyServerAndTamper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := start(t, db)
		w.add(t, 300)
		state := filepath.Join(t.TempDir(), "state.json")
		out, err := w.verify(t, state, w.ids[0], strings.TrimPrefix(w.ids[1], "demands/"), w.ids[299])
		if err != nil {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		if !strings.Contains(out, "content matches") {
			t.Fatalf("output: %s", out)
		}
		w.add(t, 50)
		if out, err := w.verify(t, state); err != nil || !strings.Contains(out, "only grew") {
			t.Fatalf("grown log: %v\n%s", err, out)
		}
		if err := verify.DB(ctx, db, w.app.Ledger.VerifierKey(), io.Discard); err != nil {
			t.Fatalf("clean database: %v", err)
		}

		// Edit a record directly in the database.
		victim := strings.TrimPrefix(w.ids[10], "demands/")
		if _, err := db.WriteDB().Exec(db.Dialect().Placeholders(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`), victim); err != nil {
			t.Fatal(err)
		}
		_, err = w.verify(t, state, w.ids[10])
		wantMismatch(t, err, "edited after publication")
		wantMismatch(t, verify.DB(ctx, db, "", io.Discard), "edited in the database")
		db.WriteDB().Exec(db.Dialect().Placeholders(`UPDATE records SET body = REPLACE(body, '"VN"', '"TR"') WHERE id = ?`), victim)
		if err := verify.DB(ctx, db, "", io.Discard); err != nil {
			t.Fatalf("restored database: %v", err)
		}

		// Edit a personal field: its commitment no longer matches.
		personal := strings.TrimPrefix(w.ids[3], "demands/")
		db.WriteDB().Exec(db.Dialect().Placeholders(`UPDATE records SET body = REPLACE(body, 'person 3', 'person X') WHERE id = ?`), personal)
		_, err = w.verify(t, state, w.ids[3])
		wantMismatch(t, err, "edited after publication")
		wantMismatch(t, verify.DB(ctx, db, "", io.Discard), "edited in the database")
		db.WriteDB().Exec(db.Dialect().Placeholders(`UPDATE records SET body = REPLACE(body, 'person X', 'person 3') WHERE id = ?`), personal)

		// Delete a record.
		gone := strings.TrimPrefix(w.ids[20], "demands/")
		if _, err := db.WriteDB().Exec(db.Dialect().Placeholders(`DELETE FROM records WHERE id = ?`), gone); err != nil {
			t.Fatal(err)
		}
		_, err = w.verify(t, state, w.ids[20])
		wantMismatch(t, err, "does not serve it")
		wantMismatch(t, verify.DB(ctx, db, "", io.Discard), "was deleted")
	})
}

func TestVerifyDBLogTamper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := start(t, db)
		w.add(t, 40)
		// Rewrite a log entry and its record consistently: only the signed
		// checkpoint can tell.
		victim := strings.TrimPrefix(w.ids[5], "demands/")
		q := db.Dialect().Placeholders
		db.WriteDB().Exec(q(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`), victim)
		row, _ := db.Get(ctx, "demands", victim, 0)
		leaf, _ := ledger.RebuildLeaf("demands", row.Body, nil)
		if _, err := db.WriteDB().Exec(q(`UPDATE log_entries SET data = ? WHERE idx = ?`), leaf, *row.LeafIndex); err != nil {
			t.Fatal(err)
		}
		wantMismatch(t, verify.DB(ctx, db, w.app.Ledger.VerifierKey(), io.Discard), "no longer hash to the signed checkpoint")
	})
}

// TestVerifyWitnessQuorum: the server's checkpoint carries a witness's
// cosignature; a verifier requiring another witness refuses it.
func TestVerifyWitnessQuorum(t *testing.T) {
	db := storetest.OpenSQLite(t)
	wskey, wvkey, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w1")
	// The witness must know the log key before the log starts: use a fixed one.
	lkey, lvkey, _ := note.GenerateKey(rand.Reader, "candor.test/log")
	ws, err := witness.NewServer(wskey, map[string][]string{"candor.test/log": {lvkey}}, filepath.Join(t.TempDir(), "w.json"))
	if err != nil {
		t.Fatal(err)
	}
	wsrv := httptest.NewServer(ws.Handler())
	defer wsrv.Close()
	ctx := context.Background()
	f := registrytest.NewFixture(t, db)
	a := apptest.New(t, db, &app.Config{Ledger: app.LedgerConfig{Key: lkey, Witnesses: []string{wsrv.URL + "=" + wvkey}, Quorum: 1,
		Interval: time.Hour, Delay: time.Millisecond, Timeout: 5 * time.Second}})
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	w := &world{app: a, srv: srv, f: f, db: db}
	w.add(t, 5)

	resp, err := http.Get(srv.URL + "/api/v1/" + w.ids[0])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Candor-Log-Status"); got != "witnessed" {
		t.Fatalf("Candor-Log-Status %q, want witnessed", got)
	}
	resp, err = http.Get(srv.URL + "/api/v1/" + w.ids[0] + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	var p ledger.RecordProof
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if !p.Witnessed || p.Cosignatures != 1 || p.Quorum != 1 {
		t.Fatalf("proof says witnessed=%v cosignatures=%d quorum=%d", p.Witnessed, p.Cosignatures, p.Quorum)
	}

	o := verify.Options{Server: srv.URL, LogKey: lvkey, WitnessKeys: []string{wvkey}, Quorum: 1, Records: w.ids[:1], Out: io.Discard}
	if err := verify.Server(ctx, o); err != nil {
		t.Fatalf("witnessed log: %v", err)
	}
	_, other, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w2")
	o.WitnessKeys, o.Quorum = []string{other}, 1
	wantMismatch(t, verify.Server(ctx, o), "fewer than the 1 required")
	o.WitnessKeys, o.Quorum = []string{wvkey, other}, 2
	wantMismatch(t, verify.Server(ctx, o), "fewer than the 2 required")
	// A wrong log key is refused.
	_, wrong, _ := note.GenerateKey(rand.Reader, "candor.test/log")
	o.WitnessKeys, o.Quorum, o.LogKey = nil, 0, wrong
	wantMismatch(t, verify.Server(ctx, o), "not validly signed")
}

// TestVerifyTruncatedAndForkedLog: a verifier holding an older checkpoint
// notices a log that shrank or was rewritten, even when signed with the
// genuine key.
func TestVerifyTruncatedAndForkedLog(t *testing.T) {
	ctx := context.Background()
	skey, _, _ := note.GenerateKey(rand.Reader, "candor.test/log")
	serve := func(entries ...string) (*httptest.Server, *ledger.Log) {
		st := ledger.NewMemStorage()
		for _, e := range entries {
			st.Append([]byte(e))
		}
		l, err := ledger.New(st, skey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Sign(ctx, false); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(l.Handler())
		t.Cleanup(srv.Close)
		return srv, l
	}
	entries := func(prefix string, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	state := filepath.Join(t.TempDir(), "state.json")
	empty, _ := serve()
	o := verify.Options{Server: empty.URL, StateFile: state, Sample: -1, Out: io.Discard}
	if err := verify.Server(ctx, o); err != nil {
		t.Fatal(err)
	}
	honest, _ := serve(entries("e", 1000)...)
	o.Server = honest.URL
	if err := verify.Server(ctx, o); err != nil {
		t.Fatalf("growth from the empty log refused: %v", err)
	}
	grown, _ := serve(entries("e", 1500)...)
	o.Server = grown.URL
	if err := verify.Server(ctx, o); err != nil {
		t.Fatalf("honest growth refused: %v", err)
	}

	truncated, _ := serve(entries("e", 1200)...)
	o.Server = truncated.URL
	wantMismatch(t, verify.Server(ctx, o), "log shrank")

	forked, _ := serve(append(entries("e", 700), entries("forged", 900)...)...)
	o.Server = forked.URL
	wantMismatch(t, verify.Server(ctx, o), "history was rewritten")

	// The state still holds the last good checkpoint.
	o.Server = grown.URL
	if err := verify.Server(ctx, o); err != nil {
		t.Fatalf("state was overwritten by a failed check: %v", err)
	}
}
