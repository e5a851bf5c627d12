package sqlite_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite schema.sql from the migrations")

// TestSchemaDump keeps schema.sql, the schema the migrations produce, in
// the repository so that a change to it shows in review.
func TestSchemaDump(t *testing.T) {
	db := storetest.OpenSQLite(t)
	rows, err := db.ReadDB().Query(`SELECT type, name, sql FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose_%' AND name NOT LIKE '%_fts_%'
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString("-- The SQLite schema after all migrations; written by `go test ./internal/store/sqlite -run SchemaDump -update`.\n\n")
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.TrimSpace(sql) + ";\n\n")
	}
	got := b.String()
	if *update {
		if err := os.WriteFile("schema.sql", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Fatal("schema.sql is not what the migrations produce; run `go test ./internal/store/sqlite -run SchemaDump -update` and review the diff")
	}
}
