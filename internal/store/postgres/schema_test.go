package postgres_test

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite schema.txt from the migrations")

// TestSchemaDump keeps schema.txt, the tables, columns and indexes the
// migrations produce, in the repository so that a change shows in review.
func TestSchemaDump(t *testing.T) {
	db := storetest.OpenPostgres(t)
	var b strings.Builder
	b.WriteString("# The PostgreSQL schema after all migrations; written by `go test ./internal/store/postgres -run SchemaDump -update`.\n")
	q := func(query string, each func(*sql.Rows) error) {
		rows, err := db.ReadDB().Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				t.Fatal(err)
			}
		}
	}
	last := ""
	q(`SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '') FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name NOT LIKE 'goose%' AND table_name NOT LIKE 'measurements_p%'
		ORDER BY table_name, ordinal_position`, func(r *sql.Rows) error {
		var table, col, typ, null, def string
		if err := r.Scan(&table, &col, &typ, &null, &def); err != nil {
			return err
		}
		if table != last {
			fmt.Fprintf(&b, "\ntable %s\n", table)
			last = table
		}
		fmt.Fprintf(&b, "    %s %s", col, typ)
		if null == "NO" {
			b.WriteString(" not null")
		}
		if def != "" && !strings.HasPrefix(def, "nextval(") {
			fmt.Fprintf(&b, " default %s", def)
		}
		b.WriteString("\n")
		return nil
	})
	b.WriteString("\n")
	q(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'goose%' AND tablename NOT LIKE 'measurements_p%'
		ORDER BY tablename, indexname`, func(r *sql.Rows) error {
		var def string
		if err := r.Scan(&def); err != nil {
			return err
		}
		b.WriteString(def + "\n")
		return nil
	})
	got := b.String()
	if *update {
		if err := os.WriteFile("schema.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.txt")
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Fatal("schema.txt is not what the migrations produce; run `go test ./internal/store/postgres -run SchemaDump -update` and review the diff")
	}
}
