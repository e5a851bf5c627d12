package witness

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"golang.org/x/mod/sumdb/note"
)

const origin = "candor.example/log"

type testLog struct {
	st   *ledger.MemStorage
	log  *ledger.Log
	skey string
}

func newLog(t *testing.T, skey string, entries ...string) *testLog {
	t.Helper()
	if skey == "" {
		var err error
		skey, _, err = note.GenerateKey(rand.Reader, origin)
		if err != nil {
			t.Fatal(err)
		}
	}
	st := ledger.NewMemStorage()
	l, err := ledger.New(st, skey)
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLog{st, l, skey}
	tl.add(entries...)
	return tl
}

func (tl *testLog) add(entries ...string) {
	for _, e := range entries {
		tl.st.Append([]byte(e))
	}
}

func entries(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// sign returns a freshly signed checkpoint without witnesses.
func (tl *testLog) sign(t *testing.T) []byte {
	t.Helper()
	signed, err := tl.log.Sign(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func newWitness(t *testing.T, name string, dir string, logs map[string][]string) (*Server, string) {
	t.Helper()
	skey, _, err := c2sp.GenerateCosignatureKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(skey, logs, filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s, skey
}

func post(t *testing.T, url string, body []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func proof(t *testing.T, tl *testLog, old, size int64) [][c2sp.HashSize]byte {
	t.Helper()
	p, err := tl.log.Tree().ConsistencyProof(context.Background(), old, size)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][c2sp.HashSize]byte, len(p))
	for i := range p {
		out[i] = p[i]
	}
	return out
}

func TestAddCheckpointStatusCodes(t *testing.T) {
	dir := t.TempDir()
	tl := newLog(t, "", entries("e", 0, 100)...)
	w, _ := newWitness(t, "witness.example/w1", dir, map[string][]string{origin: {tl.log.VerifierKey()}})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	cp100 := tl.sign(t)

	// First contact: old 0, empty proof.
	code, ctype, body := post(t, srv.URL, c2sp.AddCheckpoint{OldSize: 0, Checkpoint: cp100}.Marshal())
	if code != 200 || !strings.HasPrefix(body, "— witness.example/w1 ") || ctype != "text/plain; charset=utf-8" {
		t.Fatalf("first add: %d %q", code, body)
	}
	if _, err := note.Open(append(append([]byte(nil), cp100...), body...), note.VerifierList(w.Verifier())); err != nil {
		t.Fatalf("cosignature does not verify: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil || !strings.Contains(string(data), `"size": 100`) {
		t.Fatalf("state not persisted: %s %v", data, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".state.json.tmp*")); len(left) > 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}

	tl.add(entries("e", 100, 150)...)
	cp150 := tl.sign(t)
	other := newLog(t, "", "x")
	otherKey := other.sign(t) // same origin, a key the witness does not know
	unknown, _, _ := note.GenerateKey(rand.Reader, "elsewhere.example/log")
	elsewhere := newLog(t, unknown, "y")

	badProof := proof(t, tl, 100, 150)
	badProof[0][0] ^= 1

	for _, c := range []struct {
		name   string
		body   []byte
		status int
		ctype  string
		text   string
	}{
		{"malformed", []byte("old x\n\n"), 400, "", ""},
		{"old above size", c2sp.AddCheckpoint{OldSize: 151, Checkpoint: cp150}.Marshal(), 400, "", ""},
		{"unknown origin", c2sp.AddCheckpoint{Checkpoint: elsewhere.sign(t)}.Marshal(), 404, "", ""},
		{"unknown key", c2sp.AddCheckpoint{OldSize: 100, Checkpoint: otherKey}.Marshal(), 403, "", ""},
		{"stale old size", c2sp.AddCheckpoint{OldSize: 0, Checkpoint: cp150}.Marshal(), 409, "text/x.tlog.size", "100\n"},
		{"bad proof", c2sp.AddCheckpoint{OldSize: 100, Proof: badProof, Checkpoint: cp150}.Marshal(), 422, "", ""},
		{"good", c2sp.AddCheckpoint{OldSize: 100, Proof: proof(t, tl, 100, 150), Checkpoint: cp150}.Marshal(), 200, "", ""},
		{"same size again", c2sp.AddCheckpoint{OldSize: 150, Checkpoint: cp150}.Marshal(), 200, "", ""},
		{"rolled back", c2sp.AddCheckpoint{OldSize: 100, Proof: proof(t, tl, 100, 150), Checkpoint: cp150}.Marshal(), 409, "text/x.tlog.size", "150\n"},
	} {
		code, ctype, body := post(t, srv.URL, c.body)
		if code != c.status {
			t.Errorf("%s: status %d (%q), want %d", c.name, code, body, c.status)
		}
		if c.ctype != "" && ctype != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.name, ctype, c.ctype)
		}
		if c.text != "" && body != c.text {
			t.Errorf("%s: body %q, want %q", c.name, body, c.text)
		}
	}
}

// TestForkedLogRefused: a log that rewrites history, even signed with the
// genuine key, gets no cosignature.
func TestForkedLogRefused(t *testing.T) {
	dir := t.TempDir()
	honest := newLog(t, "", entries("e", 0, 100)...)
	w, _ := newWitness(t, "witness.example/w1", dir, map[string][]string{origin: {honest.log.VerifierKey()}})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	if code, _, body := post(t, srv.URL, c2sp.AddCheckpoint{Checkpoint: honest.sign(t)}.Marshal()); code != 200 {
		t.Fatalf("honest checkpoint: %d %s", code, body)
	}

	// The fork shares the first 60 entries, then differs, and grows further.
	fork := newLog(t, honest.skey, entries("e", 0, 60)...)
	fork.add(entries("forged", 60, 100)...)
	sameSize := fork.sign(t)
	if code, _, _ := post(t, srv.URL, c2sp.AddCheckpoint{OldSize: 100, Checkpoint: sameSize}.Marshal()); code != 409 {
		t.Fatalf("fork at the same size: status %d, want 409", code)
	}
	fork.add(entries("forged", 100, 180)...)
	bigger := fork.sign(t)
	if code, _, _ := post(t, srv.URL, c2sp.AddCheckpoint{OldSize: 100, Proof: proof(t, fork, 100, 180), Checkpoint: bigger}.Marshal()); code != 422 {
		t.Fatalf("larger fork: status %d, want 422", code)
	}

	// The client refuses to publish cosignatures it did not get.
	c := &Client{Witnesses: []Remote{{URL: srv.URL, Verifier: w.Verifier()}}, Timeout: 5 * time.Second}
	fork.log.Cosigner = c
	fork.add("more")
	out, err := fork.log.Sign(context.Background(), false)
	if err == nil && bytes.Contains(out, []byte("witness.example/w1")) {
		t.Fatal("forked log obtained a cosignature")
	}
}

// TestClientGathersCosignatures: two witnesses answer, a third stalls and
// must not hold up the others; a restarted witness is caught up through 409.
func TestClientGathersCosignatures(t *testing.T) {
	tl := newLog(t, "", entries("e", 0, 10)...)
	logs := map[string][]string{origin: {tl.log.VerifierKey()}}
	dir1, dir2 := t.TempDir(), t.TempDir()
	w1, w1key := newWitness(t, "witness.example/w1", dir1, logs)
	w2, _ := newWitness(t, "witness.example/w2", dir2, logs)
	s1 := httptest.NewServer(w1.Handler())
	s2 := httptest.NewServer(w2.Handler())
	stall := make(chan struct{})
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer s1.Close()
	defer s2.Close()
	defer s3.Close()
	defer close(stall)
	_, v3key, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.example/w3")
	v3, _ := c2sp.NewCosignatureVerifier(v3key)

	client := &Client{Timeout: 300 * time.Millisecond, Witnesses: []Remote{
		{URL: s1.URL, Verifier: w1.Verifier()},
		{URL: s2.URL, Verifier: w2.Verifier()},
		{URL: s3.URL, Verifier: v3},
	}}
	tl.log.Cosigner = client
	start := time.Now()
	signed, err := tl.log.Sign(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("a stalled witness held signing for %v", time.Since(start))
	}
	n, err := note.Open(signed, note.VerifierList(tl.log.Verifier(), w1.Verifier(), w2.Verifier(), v3))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Sigs) != 3 {
		t.Fatalf("%d verified signatures, want log + 2 witnesses: %s", len(n.Sigs), signed)
	}
	served, _ := tl.st.ReadCheckpoint(context.Background())
	if !bytes.Equal(served, signed) {
		t.Fatal("the served checkpoint lacks the cosignatures")
	}

	// Witness 1 restarts from its state file; a new client does not know
	// its size, learns it from the 409 and proves consistency from there.
	w1again, err := NewServer(w1key, logs, filepath.Join(dir1, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	s1.Config.Handler = w1again.Handler()
	tl.log.Cosigner = &Client{Timeout: time.Second, Witnesses: []Remote{{URL: s1.URL, Verifier: w1.Verifier()}}}
	tl.add(entries("e", 10, 700)...)
	signed, err = tl.log.Sign(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := note.Open(signed, note.VerifierList(tl.log.Verifier(), w1.Verifier())); err != nil || len(n.Sigs) != 2 {
		t.Fatalf("after restart: %v, %s", err, signed)
	}
}

func TestParseRemote(t *testing.T) {
	_, vkey, _ := c2sp.GenerateCosignatureKey(rand.Reader, "witness.example/w1")
	r, err := ParseRemote("https://w.example/sub/=" + vkey)
	if err != nil || r.URL != "https://w.example/sub" || r.Verifier.Name() != "witness.example/w1" {
		t.Fatalf("ParseRemote: %+v %v", r, err)
	}
	if _, err := ParseRemote("https://w.example"); err == nil {
		t.Fatal("a witness without key accepted")
	}
}
