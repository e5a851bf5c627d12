// Package postgres is Candor's store for deployments that outgrow one
// machine: stateless servers on one PostgreSQL primary.
package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/candor-observatory/candor/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dialect keeps the URL for pg_dump.
type dialect struct{ url string }

func (dialect) Name() string                 { return "postgres" }
func (dialect) Placeholders(q string) string { return sqlstore.Rebind(q) }
func (dialect) MaxParams() int               { return 65535 }

func (dialect) TxSetup() string { return "" }

// The GIN index over to_tsvector(search) keeps itself.
func (dialect) IndexSearch() string               { return "" }
func (dialect) ReplaceSearch() (drop, add string) { return "", "" }
func (dialect) ArrayParams() bool                 { return true }
func (dialect) PartitionedMeasurements() bool     { return true }

// A large import into a fresh database fills tables whose statistics still
// say they are empty; the planner then filters whole indexes for lookups
// that one index probe answers, or probes the wrong partial index. ANALYZE
// inside the transaction sees its rows; it reads only the columns that
// lookups filter on, not the wide body and search text.
func (dialect) RefreshStats() string {
	return "ANALYZE records (collection, id, version, current, submitted_by, source_id)"
}

// Appends take the lock until commit so that log indexes follow commit order.
func (dialect) LockLog() string { return "LOCK TABLE log_entries IN SHARE ROW EXCLUSIVE MODE" }

func (dialect) SearchCondition(alias string, terms []string) (string, []any) {
	// Terms are letters and digits only (fold.Terms), so they are safe in a tsquery.
	prefixed := make([]string, len(terms))
	for i, t := range terms {
		prefixed[i] = t + ":*"
	}
	return "to_tsvector('simple', " + alias + ".search) @@ to_tsquery('simple', ?)", []any{strings.Join(prefixed, " & ")}
}

// pg_dump takes a consistent snapshot without stopping writers.
func (d dialect) Backup(ctx context.Context, _ *sql.DB, dest string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file="+dest, d.url)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Open connects to the database at url and migrates it.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(db, db, dialect{url: url}), nil
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}
