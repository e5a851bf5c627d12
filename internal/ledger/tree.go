package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sync"

	"github.com/candor-observatory/candor/internal/store"

	merkleproof "github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TreeReader computes tree hashes and proofs from stored tiles. A tile's
// hashes never change once written (a partial tile only grows), so any
// cached copy long enough for a request is still right; it keeps the
// recently used ones in memory.
type TreeReader struct {
	st store.LogStorage

	mu    sync.Mutex
	cache map[[2]int64][]byte
}

// maxCachedTiles bounds the tile cache (at most 8 KiB each).
const maxCachedTiles = 4096

// NewTreeReader returns a reader over st.
func NewTreeReader(st store.LogStorage) *TreeReader {
	return &TreeReader{st: st, cache: map[[2]int64][]byte{}}
}

func (r *TreeReader) tile(ctx context.Context, level int, index int64, need int) ([]byte, error) {
	key := [2]int64{int64(level), index}
	r.mu.Lock()
	t, ok := r.cache[key]
	r.mu.Unlock()
	if ok && len(t) >= need*32 {
		return t, nil
	}
	t, err := r.st.ReadTile(ctx, level, index)
	if err != nil {
		return nil, err
	}
	if len(t) < need*32 {
		return nil, fmt.Errorf("ledger: tile %d/%d has %d hashes, need %d", level, index, len(t)/32, need)
	}
	r.mu.Lock()
	if len(r.cache) >= maxCachedTiles {
		clear(r.cache)
	}
	r.cache[key] = t
	r.mu.Unlock()
	return t, nil
}

// subtreeHash is the root of the perfect subtree of 2^height leaves starting at start.
func (r *TreeReader) subtreeHash(ctx context.Context, start int64, height int) (Hash, error) {
	level := height / TileHeight
	count := 1 << (height % TileHeight)
	pos := start >> (TileHeight * level)
	off := int(pos % TileWidth)
	t, err := r.tile(ctx, level, pos/TileWidth, off+count)
	if err != nil {
		return Hash{}, err
	}
	return reduce(t[off*32 : (off+count)*32]), nil
}

// rangeHash is MTH(D[lo:hi]) where lo is aligned on the largest power of two
// below hi-lo, as in every range the RFC 6962 recursion visits.
func (r *TreeReader) rangeHash(ctx context.Context, lo, hi int64) (Hash, error) {
	n := hi - lo
	if n&(n-1) == 0 && lo%n == 0 {
		return r.subtreeHash(ctx, lo, bits.TrailingZeros64(uint64(n)))
	}
	k := splitPoint(n)
	left, err := r.rangeHash(ctx, lo, lo+k)
	if err != nil {
		return Hash{}, err
	}
	right, err := r.rangeHash(ctx, lo+k, hi)
	if err != nil {
		return Hash{}, err
	}
	return NodeHash(left, right), nil
}

// splitPoint is the largest power of two smaller than n (n > 1).
func splitPoint(n int64) int64 {
	return 1 << (63 - bits.LeadingZeros64(uint64(n-1)))
}

// TreeHash returns the root hash of the tree of the first size entries.
func (r *TreeReader) TreeHash(ctx context.Context, size int64) (Hash, error) {
	if size == 0 {
		return emptyHash, nil
	}
	return r.rangeHash(ctx, 0, size)
}

// InclusionProof returns the RFC 6962 audit path of entry index in the tree
// of the given size, from the leaf's sibling up.
func (r *TreeReader) InclusionProof(ctx context.Context, index, size int64) ([]Hash, error) {
	if index < 0 || index >= size {
		return nil, fmt.Errorf("ledger: index %d is not in a tree of size %d", index, size)
	}
	var proof []Hash
	lo, hi := int64(0), size
	var stack [][2]int64
	for hi-lo > 1 {
		k := splitPoint(hi - lo)
		if index < lo+k {
			stack = append(stack, [2]int64{lo + k, hi})
			hi = lo + k
		} else {
			stack = append(stack, [2]int64{lo, lo + k})
			lo = lo + k
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		h, err := r.rangeHash(ctx, stack[i][0], stack[i][1])
		if err != nil {
			return nil, err
		}
		proof = append(proof, h)
	}
	return proof, nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size oldSize
// is a prefix of the tree of size newSize.
func (r *TreeReader) ConsistencyProof(ctx context.Context, oldSize, newSize int64) ([]Hash, error) {
	if oldSize < 0 || oldSize > newSize {
		return nil, fmt.Errorf("ledger: no consistency proof from size %d to %d", oldSize, newSize)
	}
	if oldSize == 0 || oldSize == newSize {
		return nil, nil
	}
	var stack [][2]int64
	m, lo, hi := oldSize, int64(0), newSize
	complete := true
	for {
		n := hi - lo
		if m == n {
			if !complete {
				stack = append(stack, [2]int64{lo, hi})
			}
			break
		}
		k := splitPoint(n)
		if m <= k {
			stack = append(stack, [2]int64{lo + k, hi})
			hi = lo + k
		} else {
			stack = append(stack, [2]int64{lo, lo + k})
			m -= k
			lo += k
			complete = false
		}
	}
	proof := make([]Hash, 0, len(stack))
	for i := len(stack) - 1; i >= 0; i-- {
		h, err := r.rangeHash(ctx, stack[i][0], stack[i][1])
		if err != nil {
			return nil, err
		}
		proof = append(proof, h)
	}
	return proof, nil
}

// Errors from proof verification.
var (
	ErrInclusion   = errors.New("inclusion proof does not lead to the root hash")
	ErrConsistency = errors.New("consistency proof does not connect the two tree heads")
)

// VerifyInclusion checks an RFC 6962 inclusion proof (RFC 9162 §2.1.3.2)
// with transparency-dev/merkle.
func VerifyInclusion(leaf Hash, index, size int64, proof []Hash, root Hash) error {
	if index < 0 || index >= size {
		return fmt.Errorf("index %d is not in a tree of size %d", index, size)
	}
	if err := merkleproof.VerifyInclusion(rfc6962.DefaultHasher, uint64(index), uint64(size), leaf[:], hashBytes(proof), root[:]); err != nil {
		return fmt.Errorf("%w: %v", ErrInclusion, err)
	}
	return nil
}

// VerifyConsistency checks an RFC 6962 consistency proof (RFC 9162
// §2.1.4.2) with transparency-dev/merkle.
func VerifyConsistency(oldSize, newSize int64, proof []Hash, oldRoot, newRoot Hash) error {
	if oldSize < 0 || oldSize > newSize {
		return fmt.Errorf("cannot go from size %d to %d", oldSize, newSize)
	}
	if err := merkleproof.VerifyConsistency(rfc6962.DefaultHasher, uint64(oldSize), uint64(newSize), hashBytes(proof), oldRoot[:], newRoot[:]); err != nil {
		return fmt.Errorf("%w: %v", ErrConsistency, err)
	}
	return nil
}

func hashBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
