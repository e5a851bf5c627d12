// Package sqlstore implements store.Store over database/sql. The SQL is
// shared by SQLite and PostgreSQL; a Dialect covers what differs.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/candor-observatory/candor/internal/store"
)

// Dialect is what SQLite and PostgreSQL do differently.
type Dialect interface {
	Name() string
	// Placeholders rewrites '?' placeholders into the dialect's form.
	Placeholders(query string) string
	// SearchCondition returns a WHERE fragment over alias matching the folded terms.
	SearchCondition(alias string, terms []string) (string, []any)
	// LockLog serialises ledger appends until commit ("" if writes are already serial).
	LockLog() string
	// MaxParams bounds the placeholders of one statement.
	MaxParams() int
	// TxSetup is run first in every write transaction ("" for none).
	TxSetup() string
	// IndexSearch, if set, adds the search text of records with rid > ? to
	// a separate full-text index.
	IndexSearch() string
	// ReplaceSearch, if set, drops a row's old text from that index
	// (rid, old text) and adds its new text (rid, new text).
	ReplaceSearch() (drop, add string)
	// ArrayParams says whether Go slices bind as SQL arrays, so that a
	// batch can go in as one unnest() of one array per column.
	ArrayParams() bool
	// PartitionedMeasurements says whether measurements live in monthly
	// partitions that must exist before rows go in.
	PartitionedMeasurements() bool
	// Backup writes a consistent copy of the database to dest while
	// readers and the writer go on.
	Backup(ctx context.Context, db *sql.DB, dest string) error
	// RefreshStats updates the planner's statistics from inside a
	// transaction that has grown a table ("" when the planner needs none).
	RefreshStats() string
}

// DB is a store.Store. Reads and writes may use separate pools (SQLite
// allows one writer).
type DB struct {
	read, write *sql.DB
	d           Dialect
	// recent keeps the leaves this process committed until they are
	// integrated, so the ledger need not read them back.
	recent recentLeaves
	stats  statsClock
}

// statsClock says when the rows written by this process have doubled.
type statsClock struct {
	mu            sync.Mutex
	written, next int
}

func (c *statsClock) due(rows int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == 0 {
		c.next = 2000
	}
	c.written += rows
	if c.written < c.next {
		return false
	}
	for c.next <= c.written {
		c.next *= 2
	}
	return true
}

var _ store.Store = (*DB)(nil)

// New wraps open pools; read and write may be the same.
func New(read, write *sql.DB, d Dialect) *DB { return &DB{read: read, write: write, d: d} }

func (db *DB) Dialect() Dialect { return db.d }
func (db *DB) ReadDB() *sql.DB  { return db.read }
func (db *DB) WriteDB() *sql.DB { return db.write }

func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		if e := db.write.Close(); err == nil {
			err = e
		}
	}
	return err
}

func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", dest)
	}
	return db.d.Backup(ctx, db.write, dest)
}

func (db *DB) q(query string) string { return db.d.Placeholders(query) }

// InTx runs fn in one write transaction.
func (db *DB) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return db.inTx(ctx, func(t *Tx) error { return fn(t) })
}

// inTx is InTx for the store's own writes, which need the SQL transaction.
func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &Tx{tx: tx, db: db}
	defer t.closeStmts()
	if setup := db.d.TxSetup(); setup != "" {
		if _, err := tx.ExecContext(ctx, setup); err != nil {
			tx.Rollback()
			return wrap("set up transaction", err)
		}
	}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := t.flushFields(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.recent.add(t.leavesFirst, t.leaves)
	return nil
}

// Rebind turns '?' into '$1', '$2'… for PostgreSQL.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
