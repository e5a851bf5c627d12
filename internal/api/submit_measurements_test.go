package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// Measurements posted hour by hour, as probes or a partner's collector
// would, are stored and streamed to the detectors: a DNS block laid into
// them becomes an event, opened then closed, while they arrive.
func TestSubmitMeasurements(t *testing.T) { storetest.Each(t, testSubmitMeasurements) }

func testSubmitMeasurements(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	f := registrytest.NewFixture(t, db)
	// The server scores with the fingerprints of the shared data.
	shareddatatest.Path(t, "ooni", "ooni-backend-fastpath", "fingerprints_dns.json")
	srv := httptest.NewServer(apptest.New(t, db, nil).API)
	t.Cleanup(srv.Close)
	csToken, _, _ := auth.NewToken(ctx, db, f.Group, auth.CivilSociety, "")
	xToken, _, _ := auth.NewToken(ctx, db, f.X, auth.Platform, "")
	post := func(token, ctype string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/measurements", bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	start := time.Date(2023, 2, 6, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	n, _ := oonitest.Write(&buf, oonitest.Spec{Start: start, End: start.Add(12 * time.Hour), Networks: oonitest.DefaultNetworks[:1],
		Domains: oonitest.DefaultDomains[:4], Step: 5 * time.Minute, PerStep: 1, Seed: 9, BodyBytes: 256, CertBytes: 64,
		Episodes: []oonitest.Episode{{Kind: "dns", ASN: 9121, Domains: []string{"twitter.com"},
			Start: start.Add(5 * time.Hour), End: start.Add(8 * time.Hour), BlockIP: "195.175.254.2"}}})
	lines := bytes.SplitAfter(bytes.TrimSpace(buf.Bytes()), []byte("\n"))

	// Who may post: a civil-society token, not a platform's, not anonymous.
	one := lines[0]
	if code, body := post("", "application/json", one); code != 401 {
		t.Errorf("anonymous: %d %s", code, body)
	}
	if code, body := post(xToken, "application/json", one); code != 403 || !strings.Contains(body, "civil_society") {
		t.Errorf("platform token: %d %s", code, body)
	}
	if code, body := post(csToken, "text/plain", one); code != 415 {
		t.Errorf("text/plain: %d %s", code, body)
	}
	// A malformed line rejects the whole body, naming the line.
	bad := append(append(append([]byte{}, lines[0]...), lines[1]...), []byte("{not json\n")...)
	if code, body := post(csToken, "application/x-ndjson", bad); code != 400 || !strings.Contains(body, `"field":"line 3"`) {
		t.Errorf("malformed line: %d %s", code, body)
	}
	if page, _ := db.ListMeasurements(ctx, store.MeasurementQuery{Limit: 10}); len(page.Measurements) != 0 {
		t.Fatalf("a rejected body stored %d measurements", len(page.Measurements))
	}
	// One measurement as application/json, then the rest an hour a post.
	if code, body := post(csToken, "application/json", one); code != 200 || !strings.Contains(body, `"new":1`) {
		t.Fatalf("one measurement: %d %s", code, body)
	}
	sent, posts := 1, 1
	phases := map[string]bool{}
	for i := 1; i < len(lines); {
		j := i
		for j < len(lines) && j < i+48 {
			j++
		}
		code, body := post(csToken, "application/x-ndjson", bytes.Join(lines[i:j], nil))
		if code != 200 {
			t.Fatalf("hour from line %d: %d %s", i+1, code, body)
		}
		sent, posts = sent+j-i, posts+1
		i = j
		page, _ := db.List(ctx, store.Query{Collection: "events"})
		for _, row := range page.Rows {
			var e model.Event
			json.Unmarshal(row.Body, &e)
			phases[e.Phase] = true
		}
	}
	if sent != n || !phases["opened"] || !phases["closed"] {
		t.Errorf("sent %d of %d; phases seen while posting %v", sent, n, phases)
	}
	page, err := db.List(ctx, store.Query{Collection: "events"})
	if err != nil || len(page.Rows) != 1 || page.Rows[0].Version != 2 {
		t.Fatalf("events: %+v %v", page, err)
	}
	audit, _ := db.Audit(ctx, store.AuditQuery{ActorOrg: f.Group, Limit: 100})
	submits := 0
	for _, a := range audit {
		if a.Action == "submit" && a.Collection == "measurements" {
			submits++
		}
	}
	if submits != posts {
		t.Errorf("%d audit entries for submissions, want one for each of the %d accepted", submits, posts)
	}
}
