package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/tlog"
)

func entry(i int) []byte { return []byte(fmt.Sprintf(`{"n":%d}`, i)) }

// buildLog appends n entries in batches of random size and integrates after
// each, so tiles are extended from every possible partial state.
func buildLog(t testing.TB, n int, seed uint64) *MemStorage {
	t.Helper()
	st := NewMemStorage()
	r := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < n; {
		k := min(n-i, 1+r.IntN(700))
		for j := 0; j < k; j++ {
			st.Append(entry(i + j))
		}
		i += k
		if _, err := Integrate(context.Background(), st, int64(1+r.IntN(1000))); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func hashes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// TestTreeAgainstReference compares root hashes and proofs with two
// implementations Candor did not write: transparency-dev/merkle and the
// Go checksum database's tlog package.
func TestTreeAgainstReference(t *testing.T) {
	ctx := context.Background()
	const n = 70_000
	st := buildLog(t, n, 7)
	tr := NewTreeReader(st)
	ref := testonly.New(rfc6962.DefaultHasher)
	for i := 0; i < n; i++ {
		ref.AppendData(entry(i))
	}
	// The example of c2sp.org/tlog-tiles: size 70,000 has 273 full level-0
	// tiles, a partial one of width 112, a full level-1 tile, a partial one
	// of width 17 and a partial level-2 tile of width 1.
	for _, c := range []struct {
		level int
		index int64
		width int
	}{{0, 272, 256}, {0, 273, 112}, {1, 0, 256}, {1, 1, 17}, {2, 0, 1}} {
		got, _ := st.ReadTile(ctx, c.level, c.index)
		if len(got) != c.width*32 {
			t.Errorf("tile %d/%d: %d hashes, want %d", c.level, c.index, len(got)/32, c.width)
		}
	}

	r := rand.New(rand.NewPCG(1, 2))
	sizes := []int64{1, 2, 3, 255, 256, 257, 511, 512, 65535, 65536, 65537, n}
	for i := 0; i < 40; i++ {
		sizes = append(sizes, 1+r.Int64N(n))
	}
	for _, size := range sizes {
		root, err := tr.TreeHash(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		if want := ref.HashAt(uint64(size)); string(root[:]) != string(want) {
			t.Fatalf("size %d: root %x, reference %x", size, root, want)
		}
		for k := 0; k < 5; k++ {
			idx := r.Int64N(size)
			p, err := tr.InclusionProof(ctx, idx, size)
			if err != nil {
				t.Fatal(err)
			}
			leaf := LeafHash(entry(int(idx)))
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(idx), uint64(size), leaf[:], hashes(p), root[:]); err != nil {
				t.Fatalf("inclusion %d in %d rejected by transparency-dev/merkle: %v", idx, size, err)
			}
			tp := make(tlog.RecordProof, len(p))
			for i := range p {
				tp[i] = tlog.Hash(p[i])
			}
			if err := tlog.CheckRecord(tp, size, tlog.Hash(root), idx, tlog.Hash(leaf)); err != nil {
				t.Fatalf("inclusion %d in %d rejected by tlog: %v", idx, size, err)
			}
			if err := VerifyInclusion(leaf, idx, size, p, root); err != nil {
				t.Fatalf("own verifier rejects inclusion %d in %d: %v", idx, size, err)
			}

			old := 1 + r.Int64N(size)
			oldRoot, _ := tr.TreeHash(ctx, old)
			c, err := tr.ConsistencyProof(ctx, old, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old), uint64(size), hashes(c), oldRoot[:], root[:]); err != nil {
				t.Fatalf("consistency %d→%d rejected by transparency-dev/merkle: %v", old, size, err)
			}
			tc := make(tlog.TreeProof, len(c))
			for i := range c {
				tc[i] = tlog.Hash(c[i])
			}
			if err := tlog.CheckTree(tc, size, tlog.Hash(root), old, tlog.Hash(oldRoot)); err != nil {
				t.Fatalf("consistency %d→%d rejected by tlog: %v", old, size, err)
			}
			if err := VerifyConsistency(old, size, c, oldRoot, root); err != nil {
				t.Fatalf("own verifier rejects consistency %d→%d: %v", old, size, err)
			}
		}
	}
}

// TestVerifiersAgainstReference feeds the reference implementation's proofs
// to Candor's verifiers, and checks that they refuse altered ones.
func TestVerifiersAgainstReference(t *testing.T) {
	ref := testonly.New(rfc6962.DefaultHasher)
	for i := 0; i < 300; i++ {
		ref.AppendData(entry(i))
	}
	toHashes := func(b [][]byte) []Hash {
		out := make([]Hash, len(b))
		for i := range b {
			copy(out[i][:], b[i])
		}
		return out
	}
	for size := uint64(1); size <= 300; size++ {
		root := Hash(ref.HashAt(size))
		for idx := uint64(0); idx < size; idx += 7 {
			p, _ := ref.InclusionProof(idx, size)
			leaf := LeafHash(entry(int(idx)))
			if err := VerifyInclusion(leaf, int64(idx), int64(size), toHashes(p), root); err != nil {
				t.Fatalf("inclusion %d/%d: %v", idx, size, err)
			}
			if len(p) > 0 {
				bad := toHashes(p)
				bad[len(bad)-1][0] ^= 1
				if VerifyInclusion(leaf, int64(idx), int64(size), bad, root) == nil {
					t.Fatalf("inclusion %d/%d: altered proof accepted", idx, size)
				}
			}
			if VerifyInclusion(LeafHash([]byte("other")), int64(idx), int64(size), toHashes(p), root) == nil {
				t.Fatalf("inclusion %d/%d: wrong leaf accepted", idx, size)
			}
		}
		for old := uint64(1); old <= size; old += 5 {
			p, _ := ref.ConsistencyProof(old, size)
			oldRoot := Hash(ref.HashAt(old))
			if err := VerifyConsistency(int64(old), int64(size), toHashes(p), oldRoot, root); err != nil {
				t.Fatalf("consistency %d→%d: %v", old, size, err)
			}
			forged := oldRoot
			forged[3] ^= 1
			if VerifyConsistency(int64(old), int64(size), toHashes(p), forged, root) == nil {
				t.Fatalf("consistency %d→%d: forged old root accepted", old, size)
			}
		}
	}
}

func TestIntegrateDetectsDeletedEntries(t *testing.T) {
	st := buildLog(t, 1000, 3)
	st.Truncate(900)
	if _, err := Integrate(context.Background(), st, 0); err == nil {
		t.Fatal("integrating a log whose entries shrank succeeded")
	}
}

func BenchmarkIntegrate(b *testing.B) {
	ctx := context.Background()
	data := make([][]byte, 4096)
	for i := range data {
		data[i] = make([]byte, 600) // a typical demand's canonical JSON
		copy(data[i], entry(i))
	}
	st := NewMemStorage()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.Append(data...)
		if _, err := Integrate(ctx, st, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(data))/b.Elapsed().Seconds(), "entries/s")
}

func benchTree(b *testing.B) (*TreeReader, int64) {
	const n = 1_000_003
	st := NewMemStorage()
	for i := 0; i < n; i++ {
		st.Append(entry(i))
	}
	if _, err := Integrate(context.Background(), st, 0); err != nil {
		b.Fatal(err)
	}
	return NewTreeReader(st), n
}

func BenchmarkInclusionProof(b *testing.B) {
	ctx := context.Background()
	tr, n := benchTree(b)
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.InclusionProof(ctx, r.Int64N(n), n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsistencyProof(b *testing.B) {
	ctx := context.Background()
	tr, n := benchTree(b)
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.ConsistencyProof(ctx, 1+r.Int64N(n-1), n); err != nil {
			b.Fatal(err)
		}
	}
}
