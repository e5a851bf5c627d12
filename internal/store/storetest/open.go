// Package storetest is the one conformance suite both stores pass, and the
// helpers other packages use to run their tests on both stores.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/candor-observatory/candor/internal/store/postgres"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
)

// PostgresEnv names the variable that points tests at a PostgreSQL server
// whose user may create databases.
const PostgresEnv = "CANDOR_TEST_POSTGRES"

// OpenSQLite opens a fresh SQLite store in a temporary directory.
func OpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "candor.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// SQLitePath is the file behind a store opened by OpenSQLite.
func SQLitePath(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "candor.db")
}

// PostgresURL returns a URL to a new, empty database, dropped after the
// test; it skips the test when no server is configured.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skip(PostgresEnv + " is not set: PostgreSQL tests need a server (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "candor_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// OpenPostgres opens a store on a new database.
func OpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), PostgresURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Each runs fn once per store kind, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}
