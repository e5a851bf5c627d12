package ooni

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

// fastpathData is where OONI's own fastpath test measurements and the
// fingerprint files are kept beside the repository.
func fastpathData(t testing.TB, name string) string {
	return shareddatatest.Path(t, "ooni", "ooni-backend-fastpath", name)
}

func testScorer(t testing.TB) *Scorer {
	t.Helper()
	fp, err := LoadFingerprints(fastpathData(t, "fingerprints_dns.json"), fastpathData(t, "fingerprints_http.json"))
	if err != nil {
		t.Fatal(err)
	}
	return &Scorer{FP: fp}
}

func ingestOne(t *testing.T, sc *Scorer, path string) *model.Measurement {
	t.Helper()
	var got []*model.Measurement
	st, err := Ingest(context.Background(), []string{path}, Options{Scorer: sc,
		OnError: func(e *LineError) { t.Errorf("unexpected error: %v", e) }},
		func(ms []*model.Measurement) error { got = append(got, ms...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || st.Measurements != 1 {
		t.Fatalf("%s: got %d measurements, want 1 (stats %+v)", path, len(got), st)
	}
	return got[0]
}

// TestRealSamples scores every real OONI measurement shipped beside the
// repository and expects the outcome OONI itself gives it.
func TestRealSamples(t *testing.T) {
	sc := testScorer(t)
	cases := []struct {
		path                       []string
		outcome, platform, service string
		blockingType, fingerprint  string
		uid                        string
		why                        string
	}{
		{path: []string{"ooni-backend-fastpath", "web_connectivity_ir_fp.json"},
			outcome: "confirmed", platform: "meta", service: "facebook", blockingType: "dns", fingerprint: "ooni.ir_10dot10_ipv4_1",
			why: "IR, www.facebook.com resolves to 10.10.34.36, OONI's national (nat) Iranian DNS fingerprint: confirmed blocking"},
		{path: []string{"ooni-backend-fastpath", "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"},
			outcome: "confirmed", fingerprint: "ooni.id_lamanlabuh_kominfo",
			uid: "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3",
			why: "the probe says accessible (blocking:false) but archive.org redirects to the Kominfo blockpage; the Location header matches the ID fingerprint, so OONI confirms it; the file name is the measurement uid"},
		{path: []string{"ooni-backend-fastpath", "bug_352.json"},
			outcome: "confirmed", platform: "wikimedia", service: "wikipedia", blockingType: "dns", fingerprint: "ooni.ir_10dot10_ipv4_1",
			why: "legacy Measurement Kit web_connectivity 0.0.1: fa.wikipedia.org answers 10.10.34.36 in IR, the same national fingerprint"},
		{path: []string{"ooni-backend-fastpath", "web_connectivity_null.json"},
			outcome: "failure",
			why:     "blocking:null and accessible:null with no fingerprint (control_failure connection_refused): the fastpath sets accuracy 0, a failure"},
		{path: []string{"ooni-backend-fastpath", "whatsapp.json"},
			outcome: "ok", platform: "meta", service: "whatsapp",
			why: "whatsapp_web_status:blocked is a probe false positive; the fastpath looks only at request failures and endpoints, which all succeeded"},
		{path: []string{"ooni-backend-fastpath", "signal_2627.json"},
			outcome: "failure", platform: "signal", service: "signal",
			why: "signal 0.2.0 after 19 October 2022 reports ssl_unknown_authority falsely (ooni/probe#2627): accuracy 0, counted as failure even though blocking_general is 1"},
		{path: []string{"ooni-backend-fastpath", "signal_022.json"},
			outcome: "ok", platform: "signal", service: "signal",
			why: "signal 0.2.2, backend status ok"},
		{path: []string{"ooni-backend-fastpath", "telegram_nourl.json"},
			outcome: "failure", platform: "telegram", service: "telegram",
			why: "Measurement Kit telegram with a request whose URL is missing: a probe bug, accuracy 0"},
		{path: []string{"ooni-probe-cli", "minipipeline-nexa", "measurement.json"},
			outcome: "ok",
			why:     "web_connectivity 0.5.26, nexa.polito.it accessible (blocking:false)"},
		{path: []string{"ooni-probe-cli", "generated-throttlingWithHTTPS", "measurement.json"},
			outcome: "anomaly", blockingType: "http-failure",
			why: "synthetic netem throttling: the HTTPS download timed out, blocking:http-failure; the empty report_id is kept as the fastpath keeps it"},
	}
	for _, c := range cases {
		t.Run(c.path[len(c.path)-2]+"/"+c.path[len(c.path)-1], func(t *testing.T) {
			m := ingestOne(t, sc, shareddatatest.Path(t, append([]string{"ooni"}, c.path...)...))
			if m.Outcome != c.outcome {
				t.Errorf("outcome %s, want %s: %s (scores %s)", m.Outcome, c.outcome, c.why, m.Scores)
			}
			if m.Platform != c.platform || m.Service != c.service {
				t.Errorf("platform %q/%q, want %q/%q", m.Platform, m.Service, c.platform, c.service)
			}
			if m.BlockingType != c.blockingType {
				t.Errorf("blocking type %q, want %q", m.BlockingType, c.blockingType)
			}
			if c.fingerprint != "" && !strings.Contains(string(m.Scores), `"`+c.fingerprint+`"`) {
				t.Errorf("scores %s do not name fingerprint %s", m.Scores, c.fingerprint)
			}
			if c.uid != "" && m.MeasurementUID != c.uid {
				t.Errorf("uid %q, want %q", m.MeasurementUID, c.uid)
			}
			if m.Raw.File != filepath.Base(c.path[len(c.path)-1]) || len(m.Raw.SHA256) != 64 {
				t.Errorf("raw reference %+v", m.Raw)
			}
		})
	}
}

// TestTLSHandshakeTime reads the handshake duration from tls_handshakes:
// in the nexa measurement the handshake to nexa.polito.it ran from t0
// 0.198 s to t 0.234 s.
func TestTLSHandshakeTime(t *testing.T) {
	m := ingestOne(t, testScorer(t), shareddatatest.Path(t, "ooni", "ooni-probe-cli", "minipipeline-nexa", "measurement.json"))
	if m.TLSHandshake == nil || *m.TLSHandshake < 30 || *m.TLSHandshake > 40 {
		t.Fatalf("tls_handshake_ms = %v, want about 36", m.TLSHandshake)
	}
	if m.ProbeCC != "IT" || m.ProbeASN != 30722 || m.Domain != "nexa.polito.it" {
		t.Errorf("network/domain %s AS%d %s", m.ProbeCC, m.ProbeASN, m.Domain)
	}
}
