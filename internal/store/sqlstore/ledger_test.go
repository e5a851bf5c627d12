package sqlstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func appendLeaves(t testing.TB, db *sqlstore.DB, data [][]byte) int64 {
	t.Helper()
	leaves := make([]store.Leaf, len(data))
	for i, d := range data {
		leaves[i] = store.Leaf{Data: d}
	}
	var first int64
	err := db.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		first, err = tx.AppendLeaves(context.Background(), leaves)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return first
}

func TestLedgerStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := db
		ref := testonly.New(rfc6962.DefaultHasher)
		n := 0
		for _, batch := range []int{1, 254, 1, 300, 4000, 33} {
			var leaves [][]byte
			for i := 0; i < batch; i++ {
				leaves = append(leaves, []byte(fmt.Sprintf(`{"n":%d}`, n)))
				ref.AppendData(leaves[i])
				n++
			}
			appendLeaves(t, db, leaves)
			size, err := ledger.Integrate(ctx, st, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if size != int64(n) {
				t.Fatalf("tree size %d, want %d", size, n)
			}
			root, err := ledger.NewTreeReader(st).TreeHash(ctx, size)
			if err != nil {
				t.Fatal(err)
			}
			if string(root[:]) != string(ref.Hash()) {
				t.Fatalf("size %d: root differs from transparency-dev/merkle", size)
			}
		}
		// A second integrator that lost the race is told so.
		if err := st.WriteTiles(ctx, 5, 6, nil); err != store.ErrTreeMoved {
			t.Fatalf("stale WriteTiles: %v, want ErrConflict", err)
		}
		// A checkpoint never goes back to a smaller size.
		st.WriteCheckpoint(ctx, 10, []byte("ten"))
		st.WriteCheckpoint(ctx, 9, []byte("nine"))
		if cp, _ := st.ReadCheckpoint(ctx); string(cp) != "ten" {
			t.Fatalf("checkpoint rolled back to %q", cp)
		}
		// A deleted entry is noticed, not skipped.
		if _, err := db.WriteDB().Exec(`DELETE FROM log_entries WHERE idx = 7`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReadEntries(ctx, 0, 10); err == nil {
			t.Fatal("reading across a deleted entry succeeded")
		}
	})
}

// TestRegistryLeavesProvable writes records through the registry and proves
// each public version's leaf from the SQL-stored tiles.
func TestRegistryLeavesProvable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := registrytest.NewFixture(t, db)
		day := time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC)
		var recs []model.Record
		for i := 0; i < 600; i++ {
			recs = append(recs, registrytest.Individual(f.X, "TR", day, int64(i+1), fmt.Sprintf("tr-%d", i)))
		}
		res, err := f.Reg.Write(ctx, f.PlatformX, recs, 0)
		if err != nil {
			t.Fatal(err)
		}
		skey, _, _ := note.GenerateKey(rand.Reader, "candor.example/log")
		l, err := ledger.New(db, skey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Sign(ctx, false); err != nil {
			t.Fatal(err)
		}
		_, cp, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(res); i += 97 {
			row, err := db.Get(ctx, res[i].Collection, res[i].ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if row.LeafIndex == nil {
				t.Fatalf("%s has no leaf index", row.ID)
			}
			p, err := l.Tree().InclusionProof(ctx, *row.LeafIndex, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := ledger.RebuildLeaf(row.Collection, row.Body, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := ledger.VerifyInclusion(ledger.LeafHash(leaf), *row.LeafIndex, cp.Size, p, cp.Hash); err != nil {
				t.Fatalf("%s: %v", row.ID, err)
			}
		}
	})
}
