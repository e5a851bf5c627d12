// Package sqlite is Candor's embedded store: one SQLite file in WAL mode,
// one writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"runtime"
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
func (dialect) SearchCondition(alias string, terms []string) (string, []any) {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return alias + ".rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)", []any{strings.Join(quoted, " ")}
}

func dsn(path string, readOnly bool) string {
	v := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-65536)", "wal_autocheckpoint(16384)"} {
		v.Add("_pragma", p)
	}
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the SQLite file at path and migrates it.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
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
