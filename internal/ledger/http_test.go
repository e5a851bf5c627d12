package ledger

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/store"
	tdlog "github.com/transparency-dev/formats/log"
	tdproof "github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileClient reads tiles over HTTP for tlog.TileHashReader, the way the Go
// checksum database client does, but at tlog-tiles paths.
type tileClient struct {
	t    testing.TB
	base string
}

func (c tileClient) Height() int { return TileHeight }

func (c tileClient) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := get(c.base + "/log/" + TileRef{Level: t.L, Index: t.N, Width: t.W}.Path())
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (c tileClient) SaveTiles([]tlog.Tile, [][]byte) {}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, err
}

func newTestLog(t testing.TB, st store.LogStorage) *Log {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "candor.example/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(st, skey)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestServeWithTlogClient serves a log over HTTP and checks it with the Go
// checksum database's tlog package: tiles are fetched and authenticated by
// tlog.TileHashReader, and proofs built from them are checked with
// tlog.CheckRecord and tlog.CheckTree against the signed checkpoint.
func TestServeWithTlogClient(t *testing.T) {
	ctx := context.Background()
	st := NewMemStorage()
	l := newTestLog(t, st)
	srv := httptest.NewServer(l.Handler())
	defer srv.Close()

	for i := 0; i < 1000; i++ {
		st.Append(entry(i))
	}
	if _, err := l.Sign(ctx, false); err != nil {
		t.Fatal(err)
	}
	first := readTree(t, srv.URL, l)

	for i := 1000; i < 70_123; i++ {
		st.Append(entry(i))
	}
	if _, err := l.Sign(ctx, false); err != nil {
		t.Fatal(err)
	}
	tree := readTree(t, srv.URL, l)
	if tree.N != 70_123 {
		t.Fatalf("checkpoint size %d, want 70123", tree.N)
	}
	thr := tlog.TileHashReader(tree, tileClient{t, srv.URL})
	for _, idx := range []int64{0, 1, 255, 256, 999, 65535, 65536, 70_122} {
		p, err := tlog.ProveRecord(tree.N, idx, thr)
		if err != nil {
			t.Fatalf("prove %d: %v", idx, err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, idx, tlog.RecordHash(entry(int(idx)))); err != nil {
			t.Fatalf("record %d: %v", idx, err)
		}
	}
	cp, err := tlog.ProveTree(tree.N, first.N, thr)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(cp, tree.N, tree.Hash, first.N, first.Hash); err != nil {
		t.Fatalf("consistency: %v", err)
	}

	// Entry bundles hash to the level-0 tile that tlog authenticated.
	tile := tlog.TileForIndex(TileHeight, 70_000)
	data, err := tlog.ReadTileData(tile, thr)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := get(srv.URL + "/log/" + TileRef{EntriesLevel, tile.N, tile.W}.Path())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := DecodeBundle(bundle)
	if err != nil || len(entries) != tile.W {
		t.Fatalf("bundle: %d entries, %v", len(entries), err)
	}
	for i, e := range entries {
		h, err := tlog.HashFromTile(tile, data, tlog.StoredHashIndex(0, tile.N*TileWidth+int64(i)))
		if err != nil || h != tlog.RecordHash(e) {
			t.Fatalf("entry %d of bundle does not match its tile hash", i)
		}
	}

	// The receipt is a tlog-proof that transparency-dev/formats reads.
	rec, err := l.Receipt(ctx, 4242)
	if err != nil {
		t.Fatal(err)
	}
	var tp tdproof.TLogProof
	if err := tp.Unmarshal(rec.Marshal()); err != nil {
		t.Fatalf("tlog-proof not accepted by transparency-dev/formats: %v", err)
	}
	if _, _, _, err := tdlog.ParseCheckpoint(tp.Checkpoint, l.Origin(), l.Verifier()); err != nil {
		t.Fatalf("checkpoint not accepted by transparency-dev/formats: %v", err)
	}
	rp := make(tlog.RecordProof, len(tp.Hashes))
	for i := range tp.Hashes {
		rp[i] = tp.Hashes[i]
	}
	if err := tlog.CheckRecord(rp, tree.N, tree.Hash, int64(tp.Index), tlog.RecordHash(entry(4242))); err != nil {
		t.Fatalf("receipt: %v", err)
	}
}

func readTree(t *testing.T, base string, l *Log) tlog.Tree {
	t.Helper()
	signed, err := get(base + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(signed, note.VerifierList(l.Verifier()))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c2sp.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: cp.Size, Hash: tlog.Hash(cp.Hash)}
}

func TestHTTPHeadersAndErrors(t *testing.T) {
	ctx := context.Background()
	st := NewMemStorage()
	l := newTestLog(t, st)
	srv := httptest.NewServer(l.Handler())
	defer srv.Close()

	if resp, _ := http.Get(srv.URL + "/log/checkpoint"); resp.StatusCode != 404 {
		t.Errorf("checkpoint before signing: %s", resp.Status)
	}
	for i := 0; i < 300; i++ {
		st.Append(entry(i))
	}
	l.Sign(ctx, false)

	for _, c := range []struct {
		path, ctype, cache string
		status             int
	}{
		{"/log/checkpoint", "text/plain; charset=utf-8", "no-cache", 200},
		{"/log/key", "text/plain; charset=utf-8", "", 200},
		{"/log/tile/0/000", "application/octet-stream", immutable, 200},
		{"/log/tile/0/001.p/44", "application/octet-stream", immutable, 200},
		{"/log/tile/1/000.p/1", "application/octet-stream", immutable, 200},
		{"/log/tile/entries/000", "application/octet-stream", immutable, 200},
		{"/log/tile/entries/001.p/44", "application/octet-stream", immutable, 200},
		{"/log/tile/0/001", "", "", 404},            // not full yet
		{"/log/tile/0/001.p/45", "", "", 404},       // beyond the tree
		{"/log/tile/entries/001.p/45", "", "", 404}, // beyond the tree
		{"/log/tile/0/1", "", "", 404},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %s, want %d", c.path, resp.Status, c.status)
			continue
		}
		if c.status == 200 {
			if got := resp.Header.Get("Content-Type"); got != c.ctype {
				t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s: Access-Control-Allow-Origin %q", c.path, got)
			}
			if got := resp.Header.Get("Cache-Control"); got != c.cache {
				t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
			}
		}
	}

	// Entry bundles are gzip-compressed for clients that ask.
	req, _ := http.NewRequest("GET", srv.URL+"/log/tile/entries/000", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("bundle not gzip-encoded")
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	entries, err := DecodeBundle(b)
	if err != nil || len(entries) != 256 || !bytes.Equal(entries[7], entry(7)) {
		t.Fatalf("gzip bundle: %d entries, %v", len(entries), err)
	}
}
