package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
	"github.com/candor-observatory/candor/internal/store"
)

func runCLI(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("candor %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func TestImportOONIThenDetect(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "candor.db")
	fp := filepath.Dir(shareddatatest.Path(t, "ooni", "ooni-backend-fastpath", "fingerprints_dns.json"))
	start := time.Date(2023, 2, 6, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	oonitest.Write(&buf, oonitest.Spec{Start: start, End: start.Add(60 * time.Hour), Networks: oonitest.DefaultNetworks[:2],
		Domains: oonitest.DefaultDomains[:4], PerHour: 5, Seed: 3, BodyBytes: 256, CertBytes: 64,
		Episodes: []oonitest.Episode{{Kind: "dns", ASN: 16135, Domains: []string{"twitter.com"},
			Start: start.Add(30 * time.Hour), End: start.Add(40 * time.Hour), BlockIP: "195.175.254.2"}}})
	buf.WriteString("{not json\n")
	in := filepath.Join(dir, "m.jsonl")
	os.WriteFile(in, buf.Bytes(), 0o644)

	// Tags first, so that measurements get their domain's category.
	runCLI(t, "import", "citizenlab", "--db", db, shareddatatest.Path(t, "citizenlab-test-lists", "global.csv"))
	out, errOut := runCLI(t, "import", "ooni", "--db", db, "--fingerprints", fp, in)
	if !strings.Contains(out, "2400 measurements read (2400 new") || !strings.Contains(out, "1 interference events detected (1 new") ||
		!strings.Contains(out, "dns_manipulation  2023-02-07T06:00:00Z → 2023-02-07T16:00:00Z  X/Twitter blocked by DNS manipulation on AS16135 (TR)") {
		t.Errorf("output:\n%s", out)
	}
	// Piped: no progress bar, only the malformed line, with its file and line.
	if !strings.HasPrefix(errOut, "candor import ooni: skipped m.jsonl:2401: malformed JSON") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr: %q", errOut)
	}
	out, _ = runCLI(t, "import", "ooni", "--db", db, "--fingerprints", fp, in)
	if !strings.Contains(out, "(0 new") || !strings.Contains(out, "(0 new, 0 updated, 1 unchanged)") {
		t.Errorf("second import:\n%s", out)
	}
	out, _ = runCLI(t, "detect", "--db", db, "--country", "TR")
	if !strings.Contains(out, "1 interference events detected (0 new, 0 updated, 1 unchanged)") {
		t.Errorf("detect:\n%s", out)
	}
	s, err := app.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	page, err := s.ListMeasurements(context.Background(), store.MeasurementQuery{Domain: "twitter.com", Limit: 1})
	if err != nil || len(page.Measurements) != 1 || page.Measurements[0].Category != "GRP" {
		t.Errorf("twitter.com measurement category: %+v %v", page, err)
	}
}

func TestImportEventLists(t *testing.T) {
	db := filepath.Join(t.TempDir(), "candor.db")
	out, _ := runCLI(t, "import", "stop", "--db", db, shareddatatest.Path(t, "internet-shutdowns", "access_now_snapshot_2026-05-20_TR_VN.csv"))
	if !strings.Contains(out, "31 rows, 21 events, 0 rows skipped") || !strings.Contains(out, "21 events written (21 new") {
		t.Errorf("stop:\n%s", out)
	}
	// The XLSX holds some of the same shutdowns: importing it, then the CSV
	// again, keeps both files' sources on those events; a further import of
	// the CSV changes nothing.
	runCLI(t, "import", "stop", "--db", db, shareddatatest.Path(t, "internet-shutdowns", "keepiton-stop-2016-2022-public.xlsx"))
	runCLI(t, "import", "stop", "--db", db, shareddatatest.Path(t, "internet-shutdowns", "access_now_snapshot_2026-05-20_TR_VN.csv"))
	out, _ = runCLI(t, "import", "stop", "--db", db, shareddatatest.Path(t, "internet-shutdowns", "access_now_snapshot_2026-05-20_TR_VN.csv"))
	if !strings.Contains(out, "21 events written (0 new, 0 updated, 21 unchanged)") {
		t.Errorf("stop again:\n%s", out)
	}
	out, _ = runCLI(t, "import", "ioda", "--db", db, shareddatatest.Path(t, "internet-outages-ioda", "ioda_investigated_outages_cleaned_phase1+2.csv"))
	if !strings.Contains(out, "1704 rows, 1703 events, 1 rows skipped") {
		t.Errorf("ioda:\n%s", out)
	}
	out, _ = runCLI(t, "import", "citizenlab", "--db", db, shareddatatest.Path(t, "citizenlab-test-lists", "tr.csv"))
	if !strings.Contains(out, "domains tagged") {
		t.Errorf("citizenlab:\n%s", out)
	}
	s, err := app.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	page, err := s.List(context.Background(), store.Query{Collection: "events", Country: "VN", Limit: 1000})
	if err != nil || len(page.Rows) < 3 {
		t.Fatalf("VN events: %v %v", page, err)
	}
	both := 0
	for _, row := range page.Rows {
		if strings.Contains(string(row.Body), ".xlsx!") && strings.Contains(string(row.Body), "TR_VN.csv") {
			both++
		}
	}
	if both == 0 {
		t.Error("no Vietnamese event keeps the sources of both STOP files")
	}
	if n, _ := s.EntryCount(context.Background()); n < 1700 {
		t.Errorf("ledger holds %d leaves; every public event is one", n)
	}
}

// A directory is walked for measurement files; the fingerprint files
// beside OONI's samples are not measurements and are left out.
func TestImportOONIDirectory(t *testing.T) {
	db := filepath.Join(t.TempDir(), "candor.db")
	dir := filepath.Dir(shareddatatest.Path(t, "ooni", "ooni-backend-fastpath", "whatsapp.json"))
	out, errOut := runCLI(t, "import", "ooni", "--db", db, "--fingerprints", dir, "--no-detect", filepath.Dir(dir))
	if !strings.Contains(out, "10 measurements read (10 new, 0 discarded") || !strings.Contains(out, "from 10 files") || errOut != "" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}
