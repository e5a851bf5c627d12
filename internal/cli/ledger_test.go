package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestVerifyAndRedactCommands runs the ledger's commands as a user would:
// serve the demonstration data, verify it from outside, stop, verify the
// database, redact a personal field, verify again, tamper, and see verify fail.
func TestVerifyAndRedactCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "candor.db")
	base, _, stop := serveDemo(t, db)
	state := filepath.Join(dir, "state.json")
	var out, errs string
	var code int
	for try := 0; try < 50; try++ { // the first checkpoint follows the demo load
		out, errs, code = run(t, "verify", "--server", base, "--state", state, "--sample", "20")
		if code == 0 && !strings.Contains(out, " 0 entries") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if code != 0 || !strings.Contains(out, "OK: everything checked matches the log") {
		t.Fatalf("verify --server: exit %d\n%s%s", code, out, errs)
	}
	if fi, err := os.Stat(filepath.Join(dir, "candor-log.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log key file: %v", err)
	}
	if out, errs, code := run(t, "verify", "--db", db); code != 0 {
		t.Fatalf("verify --db: exit %d\n%s%s", code, out, errs)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var id string
	if err := raw.QueryRow(`SELECT id FROM records WHERE collection = 'demands' AND leaf_index IS NOT NULL
		AND body LIKE '%"summary":%' LIMIT 1`).Scan(&id); err != nil {
		t.Fatalf("no logged demand with a summary in the demonstration data: %v", err)
	}
	var salts int
	raw.QueryRow(`SELECT COUNT(*) FROM ledger_fields WHERE id = ? AND salt IS NOT NULL`, id).Scan(&salts)
	if salts == 0 {
		t.Fatal("the demand's summary has no salt")
	}
	if out, errs, code := run(t, "redact", "--db", db, "--by", "operators", "--reason", "names a person", "demands/"+id, "country"); code == 0 {
		t.Fatalf("redacting a non-personal field succeeded: %s%s", out, errs)
	}
	if out, errs, code := run(t, "redact", "--db", db, "--by", "operators", "--reason", "names a person", "demands/"+id, "summary"); code != 0 || !strings.Contains(out, "erased summary") {
		t.Fatalf("redact: exit %d\n%s%s", code, out, errs)
	}
	if out, errs, code := run(t, "verify", "--db", db); code != 0 {
		t.Fatalf("verify --db after redaction: exit %d\n%s%s", code, out, errs)
	}
	raw.QueryRow(`SELECT COUNT(*) FROM ledger_fields WHERE id = ? AND salt IS NOT NULL`, id).Scan(&salts)
	var body string
	raw.QueryRow(`SELECT body FROM records WHERE id = ? AND current = 1`, id).Scan(&body)
	if salts != 0 || strings.Contains(body, `"summary":`) || !strings.Contains(body, `"redacted_fields":["summary"]`) {
		t.Fatalf("after redaction: %d salts left, body %s", salts, body)
	}

	if _, err := raw.Exec(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	_, errs, code = run(t, "verify", "--db", db)
	if code != 1 || !strings.Contains(errs, "VERIFICATION FAILED") || !strings.Contains(errs, "edited in the database") {
		t.Fatalf("verify --db after tampering: exit %d: %s", code, errs)
	}
}
