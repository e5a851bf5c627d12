package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMonitorCommand: candor monitor --once passes on a clean log and
// exits 1 with one sentence once a published record is edited.
func TestMonitorCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "candor.db")
	base, _, stop := serveDemo(t, db)
	defer func() { stop() }()
	state := filepath.Join(dir, "monitor.json")
	var out, errs string
	var code int
	for try := 0; try < 50; try++ { // the first checkpoint follows the demo load
		out, errs, code = run(t, "monitor", "--server", base, "--state", state, "--once", "--sample", "0")
		if code == 0 && !strings.Contains(out, "checkpoint of 0 entries") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 0 || !strings.Contains(out, "entries match their records") {
		t.Fatalf("monitor --once: exit %d\n%s%s", code, out, errs)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE records SET body = REPLACE(body, '"TR"', '"VN"') WHERE collection = 'laws' AND body LIKE '%"TR"%'`); err != nil {
		t.Fatal(err)
	}
	out, errs, code = run(t, "monitor", "--server", base, "--state", state, "--once", "--sample", "100000")
	if code != 1 || !strings.Contains(out, "PROBLEM (changed): Record laws/") || !strings.Contains(errs, "LOG PROBLEM: Record laws/") {
		t.Fatalf("monitor after an edit: exit %d\n%s%s", code, out, errs)
	}
}
