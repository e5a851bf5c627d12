// Package sqlite is Candor's embedded store: one SQLite file in WAL mode,
// one writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/candor-observatory/candor/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

type dialect struct{}

func (dialect) Name() string                 { return "sqlite" }
func (dialect) Placeholders(q string) string { return q }
func (dialect) LockLog() string              { return "" }
func (dialect) MaxParams() int               { return 32766 }
func (dialect) IndexSearch() string {
	return "INSERT INTO records_fts (rowid, search) SELECT rid, search FROM records WHERE rid > ?"
}
func (dialect) ReplaceSearch() (drop, add string) {
	return `INSERT INTO records_fts (records_fts, rowid, search) VALUES ('delete', ?, ?)`,
		`INSERT INTO records_fts (rowid, search) VALUES (?, ?)`
}
func (dialect) ArrayParams() bool             { return false }
func (dialect) PartitionedMeasurements() bool { return false }
func (dialect) TxSetup() string               { return "" }
func (dialect) RefreshStats() string          { return "" }

// VACUUM INTO copies a consistent snapshot while readers and the writer go on.
func (dialect) Backup(ctx context.Context, db *sql.DB, dest string) error {
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func (dialect) SearchCondition(alias string, terms []string) (string, []any) {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return alias + ".rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)", []any{strings.Join(quoted, " ")}
}

// dsn: a 64 MiB page cache, and a checkpoint once the WAL holds 4,096
// pages (64 MiB at pageSize).
func dsn(path string, readOnly bool) string {
	v := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-65536)", "wal_autocheckpoint(4096)"} {
		v.Add("_pragma", p)
	}
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}

// pageSize is the page size of new files. Records with their body are
// about a kilobyte; with 16 KiB pages a batch writes a quarter of the WAL
// frames it would with the default 4 KiB, and each frame is a system call
// (import and ledger benchmarks: 10 – 20 % faster).
const pageSize = 16384

// Open opens (creating if needed) the SQLite file at path and migrates it.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if err := create(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := Migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
	r.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	return sqlstore.New(r, w, dialect{}), nil
}

// create makes a new file with pageSize pages. The page size is fixed
// once a file is in WAL mode, which every connection of Open asks for.
func create(path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, pragma := range []string{"PRAGMA page_size = " + strconv.Itoa(pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.Exec(pragma); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
	}
	return db.Close()
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	return nil
}
