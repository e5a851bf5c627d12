package cli

import (
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEvidenceCommands: fetch a bundle from a server, check it offline,
// change one byte and see the check fail; build one from the database; and
// check every entry of the served log with verify --full.
func TestEvidenceCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "candor.db")
	base, _, stop := serveDemo(t, db)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var law, demand string
	if err := raw.QueryRow(`SELECT id FROM records WHERE collection = 'laws' AND leaf_index IS NOT NULL LIMIT 1`).Scan(&law); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT id FROM records WHERE collection = 'demands' AND leaf_index IS NOT NULL AND body LIKE '%"summary":%' LIMIT 1`).Scan(&demand); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "evidence.json")
	var out, errs string
	var code int
	for try := 0; try < 50; try++ { // the first checkpoint follows the demo load
		out, errs, code = run(t, "evidence", "--server", base, "--out", bundle, "laws/"+law, "demands/"+demand)
		if code == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 0 || !strings.Contains(errs, "wrote "+bundle+" (2 records") {
		t.Fatalf("evidence --server: exit %d\n%s%s", code, out, errs)
	}
	resp, err := http.Get(base + "/log/key")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 200)
	n, _ := resp.Body.Read(key)
	resp.Body.Close()
	logKey := strings.TrimSpace(string(key[:n]))

	out, errs, code = run(t, "verify", "--bundle", bundle, "--log-key", logKey, "--state", filepath.Join(dir, "none.json"))
	if code != 0 || !strings.Contains(out, "OK: "+bundle+" verifies: its 2 records") || !strings.Contains(out, "record demands/"+demand+"@") {
		t.Fatalf("verify --bundle: exit %d\n%s%s", code, out, errs)
	}
	file, _ := os.ReadFile(bundle)
	i := strings.Index(string(file), `"country":"`) + len(`"country":"`)
	file[i] ^= 0x01
	os.WriteFile(bundle, file, 0o644)
	_, errs, code = run(t, "verify", "--bundle", bundle, "--log-key", logKey)
	if code != 1 || !strings.Contains(errs, "VERIFICATION FAILED: Record ") {
		t.Fatalf("verify --bundle of a changed file: exit %d: %s", code, errs)
	}

	// The per-record download the explorer links to.
	resp, err = http.Get(base + "/api/v1/demands/" + demand + "/evidence")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "candor-evidence-demands-"+demand+".json") {
		t.Fatalf("record evidence: %d %v", resp.StatusCode, resp.Header)
	}

	out, errs, code = run(t, "verify", "--server", base, "--full", "--state", filepath.Join(dir, "state.json"))
	if code != 0 || !strings.Contains(out, "log entries: in the signed tree, and every record served matches its entry") {
		t.Fatalf("verify --full: exit %d\n%s%s", code, out, errs)
	}
	stop()

	// From the database, with the key candor serve created beside it.
	local := filepath.Join(dir, "local.json")
	out, errs, code = run(t, "evidence", "--db", db, "--out", local, "demands/"+demand)
	if code != 0 || !strings.Contains(errs, "wrote "+local+" (1 records") {
		t.Fatalf("evidence --db: exit %d\n%s%s", code, out, errs)
	}
	if _, errs, code := run(t, "evidence", "--db", filepath.Join(t.TempDir(), "other.db"), "demands/"+demand); code == 0 || !strings.Contains(errs, "no log key at") {
		t.Fatalf("evidence --db without a key: exit %d: %s", code, errs)
	}
}
