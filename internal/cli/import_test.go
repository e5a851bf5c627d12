package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

func TestImportCommand(t *testing.T) {
	x := shareddatatest.Path(t, "transparency", "information-requests-report-jan-jun-2017.csv")
	fb := shareddatatest.Path(t, "transparency", "Facebook-Government-Report-2013-H1.csv")
	db := filepath.Join(t.TempDir(), "candor.db")

	out, errOut, code := run(t, "import", "--db", db, "x-info-requests", x)
	// 1 organisation, 83 demands, 55 responses (the 28 rows of "-" have none).
	if code != 0 || out != "information-requests-report-jan-jun-2017.csv: 139 records read: 139 created, 0 updated, 0 unchanged\n" {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if errOut != "" {
		t.Fatalf("progress written to a pipe: %q", errOut)
	}
	out, _, code = run(t, "import", "--db", db, "x-info-requests", x)
	if code != 0 || !strings.Contains(out, "139 records read: 0 created, 0 updated, 139 unchanged") {
		t.Fatalf("re-import: code %d, %q", code, out)
	}
	out, _, code = run(t, "import", "--db", db, "facebook-2013", fb)
	if code != 0 || !strings.Contains(out, "143 records read: 143 created") {
		t.Fatalf("facebook: code %d, %q", code, out)
	}

	// Garbage: the error names the file and line, and the file's records
	// are not written.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("TIME PERIOD,COUNTRY,ISO CODE,ACCOUNT INFORMATION REQUESTS,PERCENTAGE WHERE SOME INFORMATION PRODUCED,ACCOUNTS SPECIFIED,FLAGS,LINKS,REPORT LINKS\n"+
		"July - December 2017,Turkey,TR,554,0%,902,,,\nJuly - December 2017,Peru,PE,lots,0%,902,,,\n"), 0o644)
	_, errOut, code = run(t, "import", "--db", db, "x-info-requests", bad)
	if code != 1 || errOut != "candor import: bad.csv:3: ACCOUNT INFORMATION REQUESTS: \"lots\" is not a number\n" {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	out, _, _ = run(t, "export", "--db", db, "--collection", "demands")
	if strings.Contains(out, "2017-07-01") {
		t.Fatal("a rejected file left records behind")
	}

	_, errOut, code = run(t, "import", "--db", db, "nonsense", bad)
	if code != 1 || !strings.Contains(errOut, `no known format in`) || !strings.Contains(errOut, "google-removals") {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
}

// What export writes, import reads back unchanged.
func TestExportImportRoundTrip(t *testing.T) {
	x := shareddatatest.Path(t, "transparency", "information-requests-report-jan-jun-2017.csv")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	if _, e, code := run(t, "import", "--db", a, "x-info-requests", x); code != 0 {
		t.Fatal(e)
	}
	dump := filepath.Join(dir, "dump.ndjson")
	if _, e, code := run(t, "export", "--db", a, "--out", dump); code != 0 {
		t.Fatal(e)
	}
	out, e, code := run(t, "import", "--db", b, "ndjson", dump)
	if code != 0 || !strings.Contains(out, "139 records read: 139 created") {
		t.Fatalf("code %d: %q %q", code, out, e)
	}
	out, _, code = run(t, "import", "--db", a, "ndjson", dump)
	if code != 0 || !strings.Contains(out, "139 unchanged") {
		t.Fatalf("import into the source database: %q", out)
	}
	dump2 := filepath.Join(dir, "dump2.ndjson")
	run(t, "export", "--db", b, "--out", dump2)
	// The copy has the same records with the same ids; only the times of
	// writing are the new database's own.
	one, two := withoutWriteTimes(t, dump), withoutWriteTimes(t, dump2)
	if len(one) != 139 || strings.Join(one, "\n") != strings.Join(two, "\n") {
		t.Fatal("export of the imported copy differs from the original export")
	}
}

func withoutWriteTimes(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l struct {
			Collection string         `json:"collection"`
			Record     map[string]any `json:"record"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		delete(l.Record, "created_at")
		delete(l.Record, "updated_at")
		norm, _ := json.Marshal(l)
		out = append(out, string(norm))
	}
	return out
}
