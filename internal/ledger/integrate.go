package ledger

import (
	"context"
	"fmt"

	"github.com/candor-observatory/candor/internal/store"
)

// DefaultBatch is how many entries one integration step takes at most.
const DefaultBatch = 1 << 16

// Integrate extends the tiles over entries written since the last call, at
// most maxBatch at a time, until it has caught up. It returns the new tree
// size. Several integrators may run against one store: WriteTiles settles
// who wins, and a loser starts again from the winner's tree.
func Integrate(ctx context.Context, st store.LogStorage, maxBatch int64) (int64, error) {
	if maxBatch <= 0 {
		maxBatch = DefaultBatch
	}
	for {
		size, err := st.TreeSize(ctx)
		if err != nil {
			return 0, err
		}
		count, err := st.EntryCount(ctx)
		if err != nil {
			return 0, err
		}
		if count < size {
			return size, fmt.Errorf("ledger: %d entries stored but the tree already covers %d: entries were deleted", count, size)
		}
		if count == size {
			return size, nil
		}
		end := min(count, size+maxBatch)
		entries, err := st.ReadEntries(ctx, size, end)
		if err != nil {
			return size, err
		}
		tiles, err := extendTiles(ctx, st, size, entries)
		if err != nil {
			return size, err
		}
		err = st.WriteTiles(ctx, size, end, tiles)
		if err == store.ErrTreeMoved {
			continue
		}
		if err != nil {
			return size, err
		}
	}
}

// extendTiles returns the tiles that change when entries are appended to a
// tree of size oldSize.
func extendTiles(ctx context.Context, st store.LogStorage, oldSize int64, entries [][]byte) ([]store.Tile, error) {
	changed := map[[2]int64]*store.Tile{}
	var order []*store.Tile
	var add func(level int, pos int64, h Hash) error
	add = func(level int, pos int64, h Hash) error {
		key := [2]int64{int64(level), pos / TileWidth}
		t := changed[key]
		if t == nil {
			data, err := st.ReadTile(ctx, level, pos/TileWidth)
			if err != nil {
				return err
			}
			t = &store.Tile{Level: level, Index: pos / TileWidth, Hashes: append(make([]byte, 0, TileWidth*32), data...)}
			changed[key] = t
			order = append(order, t)
		}
		if want := int(pos%TileWidth) * 32; len(t.Hashes) != want {
			return fmt.Errorf("ledger: tile %d/%d holds %d bytes, expected %d: tiles and tree size disagree", level, t.Index, len(t.Hashes), want)
		}
		t.Hashes = append(t.Hashes, h[:]...)
		if len(t.Hashes) == TileWidth*32 {
			return add(level+1, t.Index, reduce(t.Hashes))
		}
		return nil
	}
	for i, e := range entries {
		if err := add(0, oldSize+int64(i), LeafHash(e)); err != nil {
			return nil, err
		}
	}
	tiles := make([]store.Tile, len(order))
	for i, t := range order {
		tiles[i] = *t
	}
	return tiles, nil
}
