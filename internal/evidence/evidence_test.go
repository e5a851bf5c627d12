package evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/canonjson"
	"github.com/candor-observatory/candor/internal/evidence"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/candor-observatory/candor/internal/verify"
	"github.com/candor-observatory/candor/internal/witness"
)

// keys are a log key and a witness that knows it, shared by an honest log
// and a forged one in the fork test.
type keys struct {
	logSkey, logVkey string
	witnessURL       string
	witnessVkey      string
}

func newKeys(t testing.TB) keys {
	t.Helper()
	wskey, wvkey, err := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w1")
	if err != nil {
		t.Fatal(err)
	}
	lskey, lvkey, err := note.GenerateKey(rand.Reader, "candor.test/log")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.NewServer(wskey, map[string][]string{"candor.test/log": {lvkey}}, filepath.Join(t.TempDir(), "w.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ws.Handler())
	t.Cleanup(srv.Close)
	return keys{logSkey: lskey, logVkey: lvkey, witnessURL: srv.URL, witnessVkey: wvkey}
}

type world struct {
	app *app.App
	f   *registrytest.Fixture
	db  *sqlstore.DB
	// refs are the demands written, collection/id.
	refs []evidence.Ref
}

func start(t testing.TB, db *sqlstore.DB, k keys) *world {
	t.Helper()
	f := registrytest.NewFixture(t, db)
	a := apptest.New(t, db, &app.Config{Ledger: app.LedgerConfig{Key: k.logSkey, Witnesses: []string{k.witnessURL + "=" + k.witnessVkey},
		Quorum: 1, Interval: time.Hour, Delay: time.Millisecond, Timeout: 5 * time.Second}})
	return &world{app: a, f: f, db: db}
}

// add writes n demands (every third with a personal summary, every one
// citing an imported file by hash) and signs.
func (w *world) add(t testing.TB, n int, tag string) {
	t.Helper()
	ctx := context.Background()
	var recs []model.Record
	for i := 0; i < n; i++ {
		d := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), int64(i+1), fmt.Sprintf("%s-%d", tag, i))
		if i%3 == 0 {
			d.Summary = fmt.Sprintf("order about the account of person %d", i)
		}
		d.Sources = append(d.Sources, model.Source{URL: "https://transparency.x.com/tr-2023.csv", Publisher: "X", Claim: "platform_attested",
			SHA256: fmt.Sprintf("%064x", i%2), File: "tr-2023.csv", Line: i + 2})
		recs = append(recs, d)
	}
	res, err := w.f.Reg.Write(ctx, w.f.PlatformX, recs, registry.Create)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		w.refs = append(w.refs, evidence.Ref{Collection: "demands", ID: r.ID})
	}
	if _, err := w.app.Ledger.Sign(ctx, false); err != nil {
		t.Fatal(err)
	}
}

func (w *world) builder() *evidence.Builder {
	return &evidence.Builder{Store: w.db, Log: w.app.Ledger}
}

func wantKind(t *testing.T, err error, kind verify.Kind) *verify.Mismatch {
	t.Helper()
	var m *verify.Mismatch
	if !errors.As(err, &m) {
		t.Fatalf("want a %s failure, got %v", kind, err)
	}
	if m.Kind != kind {
		t.Fatalf("want a %s failure, got %s: %s", kind, m.Kind, m.Msg)
	}
	return m
}

func TestBundleVerifiesOffline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k := newKeys(t)
		w := start(t, db, k)
		w.add(t, 6, "a")
		// An erased personal field keeps its commitment in the bundle.
		if _, err := w.app.Registry.Redact(ctx, auth.System, "demands", w.refs[3].ID, []string{"summary"}, "test"); err != nil {
			t.Fatal(err)
		}
		refs := append([]evidence.Ref{{Collection: "laws", ID: w.f.Law5651}, {ID: w.f.X}}, w.refs...)
		file, err := w.builder().Build(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		res, err := evidence.Verify(file, evidence.Options{LogKey: k.logVkey, WitnessKeys: []string{k.witnessVkey}})
		if err != nil {
			t.Fatalf("bundle does not verify: %v", err)
		}
		if len(res.Records) != 8 || res.Sources != 2 || len(res.Cosigned) != 1 || len(res.Warnings) != 0 {
			t.Fatalf("result %+v", res)
		}
		if !strings.Contains(res.Summary(), "record organisations/"+w.f.X+"@1: included at log index") {
			t.Fatalf("summary:\n%s", res.Summary())
		}
		// Without keys of one's own, the bundle's keys are used, and the
		// result says so.
		res, err = evidence.Verify(file, evidence.Options{})
		if err != nil || len(res.Warnings) != 2 {
			t.Fatalf("without keys: %v %v", res, err)
		}
		// Another log key, or another witness, is refused.
		_, otherLog, _ := note.GenerateKey(rand.Reader, "candor.test/log")
		_, err = evidence.Verify(file, evidence.Options{LogKey: otherLog})
		wantKind(t, err, verify.Unsigned)
		_, otherWitness, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.test/w2")
		_, err = evidence.Verify(file, evidence.Options{LogKey: k.logVkey, WitnessKeys: []string{otherWitness}})
		wantKind(t, err, verify.QuorumLost)

		// Members-only records are not in the log and cannot be bundled.
		d := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), 1, "hidden")
		d.Visibility = model.Members
		hidden, err := w.f.Reg.Create(ctx, w.f.PlatformX, d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.builder().Build(ctx, []evidence.Ref{{Collection: "demands", ID: hidden.ID}}); !errors.Is(err, evidence.ErrNotPublic) {
			t.Fatalf("members-only record: %v", err)
		}
		// A record edited in the store no longer yields a bundle at all.
		q := db.Dialect().Placeholders
		if _, err := db.WriteDB().Exec(q(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`), w.refs[1].ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.builder().Build(ctx, w.refs[1:2])
		wantKind(t, err, verify.Changed)
	})
}

// TestBundleEveryByte changes every byte of a bundle, three ways each, and
// checks that each changed file fails verification.
func TestBundleEveryByte(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	w := start(t, storetest.OpenSQLite(t), k)
	w.add(t, 4, "b")
	if _, err := w.app.Registry.Redact(ctx, auth.System, "demands", w.refs[3].ID, []string{"summary"}, "test"); err != nil {
		t.Fatal(err)
	}
	file, err := w.builder().Build(ctx, w.refs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.Verify(file, evidence.Options{}); err != nil {
		t.Fatal(err)
	}
	// The bundle holds a salt, a commitment of an erased field, a
	// cosignature and several proofs: every part is exercised.
	for _, part := range []string{`"salt":`, `"redacted":true`, "— witness.test/w1 ", "c2sp.org/tlog-proof@v1", `"sha256":`} {
		if !bytes.Contains(file, []byte(part)) {
			t.Fatalf("bundle lacks %q", part)
		}
	}
	kinds := map[verify.Kind]int{}
	changed := make([]byte, len(file))
	for i := range file {
		for _, mask := range []byte{0x01, 0x20, 0x80} {
			copy(changed, file)
			changed[i] ^= mask
			_, err := evidence.Verify(changed, evidence.Options{})
			var m *verify.Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("byte %d of %d (%q) xor %#x: verification passed or failed without saying why: %v", i, len(file), file[i], mask, err)
			}
			kinds[m.Kind]++
		}
	}
	t.Logf("%d bytes, %d changed files, all refused: %v", len(file), 3*len(file), kinds)
}

// TestForkedLogBundle: a log operator who forks the log (same key, other
// history) cannot get the witness to cosign it, so its bundles fail.
func TestForkedLogBundle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k := newKeys(t)
		honest := start(t, db, k)
		honest.add(t, 5, "h")
		good, err := honest.builder().Build(ctx, honest.refs[:1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.Verify(good, evidence.Options{LogKey: k.logVkey, WitnessKeys: []string{k.witnessVkey}}); err != nil {
			t.Fatal(err)
		}
		res, _ := evidence.Verify(good, evidence.Options{})
		known := verify.State{Origin: res.Origin, Size: res.Size, Root: res.Root.String(), Checkpoint: "seen", Seen: time.Now()}

		// The fork: another database, the same log key, other records, the
		// same number of entries.
		forked := start(t, storetest.OpenSQLite(t), k)
		forked.add(t, 5, "f")
		bad, err := forked.builder().Build(ctx, forked.refs[:1])
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := evidence.Verify(bad, evidence.Options{}); res != nil && res.Size != known.Size {
			t.Fatalf("the fork has %d entries, the honest log %d", res.Size, known.Size)
		}
		_, err = evidence.Verify(bad, evidence.Options{LogKey: k.logVkey})
		wantKind(t, err, verify.QuorumLost)

		// Stripped of its claim to need a witness, it still fails for a
		// verifier who trusts the witness, and for one who saw the honest
		// checkpoint of the same size.
		stripped := strip(t, bad)
		if _, err := evidence.Verify(stripped, evidence.Options{LogKey: k.logVkey}); err != nil {
			t.Fatalf("the stripped bundle should pass without witness keys (with a warning): %v", err)
		}
		_, err = evidence.Verify(stripped, evidence.Options{LogKey: k.logVkey, WitnessKeys: []string{k.witnessVkey}})
		wantKind(t, err, verify.QuorumLost)
		_, err = evidence.Verify(stripped, evidence.Options{LogKey: k.logVkey, Known: &known})
		m := wantKind(t, err, verify.Forked)
		if !strings.Contains(m.Msg, "comes from a fork of the log") {
			t.Fatalf("fork message: %s", m.Msg)
		}
	})
}

// strip rewrites a bundle as a forger would: no witness claimed.
func strip(t *testing.T, file []byte) []byte {
	t.Helper()
	var b evidence.Bundle
	if err := jsonDecode(file, &b); err != nil {
		t.Fatal(err)
	}
	b.Log.Witnesses, b.Log.Quorum = []string{}, 0
	out, err := canonjson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }
