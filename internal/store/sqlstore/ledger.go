package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/candor-observatory/candor/internal/store"
)

// The ledger's storage (store.LogStorage): entries are the log_entries rows
// the registry writes with each record; tiles and the latest checkpoint
// live in log_tiles and log_state.

func (db *DB) EntryCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries`).Scan(&n)
	return n, wrap("ledger: count entries", err)
}

func (db *DB) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	if out, ok := db.recent.get(start, end); ok {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT idx, data FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx`), start, end)
	if err != nil {
		return nil, wrap("ledger: read entries", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, wrap("ledger: read entries", err)
		}
		if want := start + int64(len(out)); idx != want {
			return nil, fmt.Errorf("ledger: log entry %d is missing", want)
		}
		out = append(out, data)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("ledger: read entries", err)
	}
	if int64(len(out)) != end-start {
		return nil, fmt.Errorf("ledger: log entry %d is missing", start+int64(len(out)))
	}
	return out, nil
}

func (db *DB) TreeSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT tree_size FROM log_state WHERE id = 1`).Scan(&n)
	return n, wrap("ledger: read tree size", err)
}

func (db *DB) ReadTile(ctx context.Context, level int, index int64) ([]byte, error) {
	var b []byte
	err := db.read.QueryRowContext(ctx, db.q(`SELECT hashes FROM log_tiles WHERE level = ? AND idx = ?`), level, index).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, wrap("ledger: read tile", err)
}

func (db *DB) WriteTiles(ctx context.Context, oldSize, newSize int64, tiles []store.Tile) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return wrap("ledger: write tiles", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE log_state SET tree_size = ? WHERE id = 1 AND tree_size = ?`), newSize, oldSize)
	if err != nil {
		return wrap("ledger: move tree size", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return store.ErrTreeMoved
	}
	stmt, err := tx.PrepareContext(ctx, db.q(`INSERT INTO log_tiles (level, idx, hashes) VALUES (?, ?, ?)
		ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`))
	if err != nil {
		return wrap("ledger: write tiles", err)
	}
	defer stmt.Close()
	for _, t := range tiles {
		if _, err := stmt.ExecContext(ctx, t.Level, t.Index, t.Hashes); err != nil {
			return wrap("ledger: write tile", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap("ledger: write tiles", err)
	}
	db.recent.trim(newSize)
	return nil
}

func (db *DB) ReadCheckpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	err := db.read.QueryRowContext(ctx, `SELECT checkpoint FROM log_state WHERE id = 1`).Scan(&b)
	return b, wrap("ledger: read checkpoint", err)
}

func (db *DB) WriteCheckpoint(ctx context.Context, size int64, note []byte) error {
	_, err := db.write.ExecContext(ctx, db.q(`UPDATE log_state SET checkpoint = ?, checkpoint_size = ?
		WHERE id = 1 AND checkpoint_size <= ?`), note, size, size)
	return wrap("ledger: write checkpoint", err)
}

// maxRecentLeaves bounds the leaves kept in memory when no integrator runs
// (an import from the command line, say): past it they are read back.
const maxRecentLeaves = 1 << 16

// recentLeaves is a contiguous run of committed, not yet integrated leaves.
// It is only a cache: anything missing is read from log_entries.
type recentLeaves struct {
	mu    sync.Mutex
	start int64
	data  [][]byte
}

func (r *recentLeaves) add(first int64, leaves [][]byte) {
	if len(leaves) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.data) == 0 || first != r.start+int64(len(r.data)) || len(r.data)+len(leaves) > maxRecentLeaves {
		// Not contiguous (another transaction got in between) or too
		// many: start afresh.
		r.start, r.data = first, nil
		if len(leaves) > maxRecentLeaves {
			return
		}
	}
	r.data = append(r.data, leaves...)
}

func (r *recentLeaves) get(start, end int64) ([][]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.data) == 0 || start < r.start || end > r.start+int64(len(r.data)) || start > end {
		return nil, false
	}
	return append([][]byte(nil), r.data[start-r.start:end-r.start]...), true
}

// trim forgets leaves below size, which the tiles now cover.
func (r *recentLeaves) trim(size int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if size <= r.start {
		return
	}
	if size >= r.start+int64(len(r.data)) {
		r.start, r.data = size, nil
		return
	}
	r.data = append([][]byte(nil), r.data[size-r.start:]...)
	r.start = size
}
