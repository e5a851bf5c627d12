package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

var base = time.Date(2023, 2, 6, 0, 0, 0, 0, time.UTC)

// detectFrom generates measurements, ingests them as a .jsonl file through
// the OONI reader and scorer, and runs the detectors on what came out.
func detectFrom(t *testing.T, spec oonitest.Spec) []*model.Event {
	t.Helper()
	var buf bytes.Buffer
	if _, err := oonitest.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "generated.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := shareddatatest.Path(t, "ooni", "ooni-backend-fastpath")
	fp, err := ooni.LoadFingerprints(filepath.Join(dir, "fingerprints_dns.json"), filepath.Join(dir, "fingerprints_http.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := New(DefaultParams())
	_, err = ooni.Ingest(context.Background(), []string{p}, ooni.Options{Scorer: &ooni.Scorer{FP: fp},
		OnError: func(e *ooni.LineError) { t.Errorf("generated measurement rejected: %v", e) }},
		func(ms []*model.Measurement) error {
			for _, m := range ms {
				d.Add(m)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	events := d.Events()
	for _, e := range events {
		var v model.Validator
		e.Validate(&v)
		if err := v.Err(); err != nil {
			t.Errorf("event %s does not validate: %v", e.SourceID, err)
		}
		if b, _ := json.Marshal(e); len(b) > 64<<10 {
			t.Errorf("event %s is %d bytes, over a ledger leaf", e.SourceID, len(b))
		}
	}
	return events
}

func spec(episodes ...oonitest.Episode) oonitest.Spec {
	return oonitest.Spec{Start: base, End: base.Add(84 * time.Hour), Networks: oonitest.DefaultNetworks[:3],
		Domains: oonitest.DefaultDomains, PerHour: 5, Seed: 7, BodyBytes: 512, CertBytes: 64, Episodes: episodes}
}

func near(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is missing, want %s", what, want)
		return
	}
	if d := got.Sub(want); d < -time.Hour || d > time.Hour {
		t.Errorf("%s = %s, want %s within an hour", what, got, want)
	}
}

func TestThrottlingAndDNSBlockingFound(t *testing.T) {
	thrStart, thrEnd := base.Add(30*time.Hour+20*time.Minute), base.Add(45*time.Hour+40*time.Minute)
	dnsStart, dnsEnd := base.Add(50*time.Hour), base.Add(68*time.Hour+30*time.Minute)
	events := detectFrom(t, spec(
		// Twitter's handshakes rise from ~100 ms to ~3 s on Türk Telekom.
		oonitest.Episode{Kind: "throttling", ASN: 9121, Domains: []string{"twitter.com"}, Start: thrStart, End: thrEnd, Factor: 30},
		// Turkcell's resolver answers YouTube with a known Turkish poison address.
		oonitest.Episode{Kind: "dns", ASN: 16135, Domains: []string{"www.youtube.com"}, Start: dnsStart, End: dnsEnd, BlockIP: "195.175.254.2"},
	))
	if len(events) != 2 {
		for _, e := range events {
			t.Logf("event: %s %s %v", e.SourceID, e.Summary, e.EndedAt)
		}
		t.Fatalf("got %d events, want 2", len(events))
	}
	var thr, dns *model.Event
	for _, e := range events {
		switch e.Kind {
		case "throttling":
			thr = e
		case "dns_manipulation":
			dns = e
		}
	}
	if thr == nil || dns == nil {
		t.Fatalf("want one throttling and one dns_manipulation event, got %s and %s", events[0].Kind, events[1].Kind)
	}

	if thr.Country != "TR" || len(thr.ASNs) != 1 || thr.ASNs[0] != 9121 || thr.Targets[0] != "x" {
		t.Errorf("throttling on %s %v %v", thr.Country, thr.ASNs, thr.Targets)
	}
	near(t, "throttling start", &thr.StartedAt, thrStart)
	near(t, "throttling end", thr.EndedAt, thrEnd)
	if thr.Severity.Metric != "tls_handshake_ratio" || thr.Severity.Value < 15 {
		t.Errorf("throttling severity %+v, want a ratio near 30", thr.Severity)
	}
	if thr.Confidence != "high" || thr.Detection.Params["control_ratio"].(float64) > 1.2 {
		t.Errorf("throttling confidence %s, params %v", thr.Confidence, thr.Detection.Params)
	}
	if len(thr.Evidence.Measurements) == 0 || len(thr.Evidence.Windows) < 14 {
		t.Errorf("throttling evidence: %d ids, %d windows", len(thr.Evidence.Measurements), len(thr.Evidence.Windows))
	}

	if dns.Country != "TR" || dns.ASNs[0] != 16135 || dns.Targets[0] != "google" || dns.Targets[1] != "www.youtube.com" {
		t.Errorf("dns blocking on %s %v %v", dns.Country, dns.ASNs, dns.Targets)
	}
	near(t, "dns start", &dns.StartedAt, dnsStart)
	near(t, "dns end", dns.EndedAt, dnsEnd)
	if dns.Severity.Metric != "anomaly_share" || dns.Severity.Value < 0.9 || dns.Confidence != "high" {
		t.Errorf("dns severity %+v confidence %s: every measurement matched a fingerprint", dns.Severity, dns.Confidence)
	}
}

func TestCleanPeriodYieldsNoEvents(t *testing.T) {
	if events := detectFrom(t, spec()); len(events) != 0 {
		for _, e := range events {
			t.Errorf("unexpected event: %s: %s", e.SourceID, e.Summary)
		}
	}
}

// When every domain on a network slows down, the platform is not singled
// out: that is congestion or an outage, not throttling.
func TestNetworkWideSlowdownIsNotThrottling(t *testing.T) {
	events := detectFrom(t, spec(oonitest.Episode{Kind: "throttling", ASN: 9121, Domains: oonitest.DefaultDomains,
		Start: base.Add(30 * time.Hour), End: base.Add(40 * time.Hour), Factor: 8}))
	for _, e := range events {
		if e.Kind == "throttling" {
			t.Errorf("network-wide slowdown reported as throttling: %s", e.Summary)
		}
	}
}

func TestDetectionIsIdempotent(t *testing.T) {
	s := spec(oonitest.Episode{Kind: "dns", ASN: 15897, Domains: []string{"www.facebook.com"},
		Start: base.Add(10 * time.Hour), End: base.Add(20 * time.Hour), BlockIP: "203.113.131.1"})
	a, _ := json.Marshal(detectFrom(t, s))
	b, _ := json.Marshal(detectFrom(t, s))
	if !bytes.Equal(a, b) {
		t.Fatalf("two runs on the same input differ:\n%s\n%s", a, b)
	}
	if bytes.Count(a, []byte(`"source_id"`)) != 1 {
		t.Errorf("want one event, got %s", a)
	}
}

// Throttling on two networks at once is reported per network and once for
// the country.
func TestNationalEvent(t *testing.T) {
	start, end := base.Add(30*time.Hour), base.Add(42*time.Hour)
	events := detectFrom(t, spec(
		oonitest.Episode{Kind: "throttling", ASN: 9121, Domains: []string{"twitter.com"}, Start: start, End: end, Factor: 20},
		oonitest.Episode{Kind: "throttling", ASN: 16135, Domains: []string{"twitter.com"}, Start: start.Add(2 * time.Hour), End: end, Factor: 20},
	))
	var national *model.Event
	networks := 0
	for _, e := range events {
		switch e.Scope {
		case "national":
			national = e
		case "network":
			networks++
		}
	}
	if networks != 2 || national == nil {
		t.Fatalf("%d network events, national %v; want 2 and one", networks, national)
	}
	if len(national.ASNs) != 2 || national.ASNs[0] != 9121 || national.ASNs[1] != 16135 || national.Targets[0] != "x" {
		t.Errorf("national event %+v", national)
	}
	near(t, "national start", &national.StartedAt, start)
	near(t, "national end", national.EndedAt, end)
}
