package demo_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with a file in testdata/golden, or rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); if the change is meant, run go test -update and review the diff", path, len(got), len(want))
	}
}

// The demo's log, as a client fetches it: the first hash tile, the first
// entry bundle and the tree's root, the same bytes from both stores. A
// change to how records are canonicalised or leaves are built shows here
// first.
func TestDemoLedgerTiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) { demoLedgerTiles(t, db) })
}

func demoLedgerTiles(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := apptest.Demo(t, db)
	size, err := db.TreeSize(ctx)
	if err != nil || size == 0 {
		t.Fatalf("tree size %d, %v", size, err)
	}
	width := min(size, ledger.TileWidth)
	tile, err := db.ReadTile(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.ReadEntries(ctx, 0, width)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := ledger.EncodeBundle(entries)
	if err != nil {
		t.Fatal(err)
	}
	root, err := a.Ledger.Tree().TreeHash(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tile-0-000", tile[:width*32])
	golden(t, "entries-000", bundle)
	golden(t, "tree.txt", fmt.Appendf(nil, "size %d\nroot %s\n", size, base64.StdEncoding.EncodeToString(root[:])))
}
