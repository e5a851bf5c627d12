package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return storetest.OpenSQLite(tb) })
}

// A new file gets the large page size in WAL mode; a file made elsewhere
// keeps its own page size.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	fresh := filepath.Join(t.TempDir(), "new.db")
	db, err := sqlite.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	assertPragma(t, db.WriteDB(), "page_size", "16384")
	assertPragma(t, db.WriteDB(), "journal_mode", "wal")
	db.Close()

	old := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA page_size = 4096; CREATE TABLE kept (a)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	assertPragma(t, db.WriteDB(), "page_size", "4096")
	assertPragma(t, db.WriteDB(), "journal_mode", "wal")
}

func assertPragma(t *testing.T, db *sql.DB, name, want string) {
	t.Helper()
	var got string
	if err := db.QueryRow("PRAGMA " + name).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s = %s, want %s", name, got, want)
	}
}
