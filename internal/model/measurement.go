package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Measurement is one OONI measurement, normalised and scored. Measurements
// are many, so they live in their own table rather than among the records;
// they are still validated before they are stored.
type Measurement struct {
	MeasurementUID string    `json:"measurement_uid"`
	ReportID       string    `json:"report_id"`
	TestName       string    `json:"test_name"`
	Input          string    `json:"input,omitempty"`
	Domain         string    `json:"domain,omitempty"`
	ProbeCC        string    `json:"probe_cc"`
	ProbeASN       int64     `json:"probe_asn"`
	StartTime      time.Time `json:"measurement_start_time"`
	// Platform is the slug of the platform the domain or test belongs to
	// ("x", "meta"), Service the product within it ("instagram").
	Platform string `json:"platform,omitempty"`
	Service  string `json:"service,omitempty"`
	// Category is the Citizen Lab test-list category of the domain.
	Category     string   `json:"category_code,omitempty"`
	Outcome      string   `json:"outcome"`
	BlockingType string   `json:"blocking_type,omitempty"`
	TLSHandshake *float64 `json:"tls_handshake_ms,omitempty"`
	DownloadKbps *float64 `json:"download_kbps,omitempty"`
	// Scores is the fastpath-style scores object.
	Scores json.RawMessage `json:"scores,omitempty"`
	// Raw locates the raw measurement: file, line and the file's sha256.
	Raw Source `json:"raw"`
}

// Outcomes are mutually exclusive, in OONI aggregation's order of precedence:
// failure, then confirmed, then anomaly, else ok.
var MeasurementOutcomes = NewEnum("ok", "anomaly", "confirmed", "failure")

// Validate checks the fields the store and the detectors rely on.
func (m *Measurement) Validate(v *Validator) {
	v.Required("test_name", m.TestName)
	v.Country("probe_cc", m.ProbeCC, true)
	if m.ProbeASN < 0 || m.ProbeASN > 1<<32-1 {
		v.Add("probe_asn", "%d is not an AS number", m.ProbeASN)
	}
	if m.StartTime.IsZero() {
		v.Add("measurement_start_time", "is required")
	}
	m.StartTime = m.StartTime.UTC()
	v.Enum("outcome", m.Outcome, MeasurementOutcomes)
	if m.TLSHandshake != nil && *m.TLSHandshake < 0 {
		v.Add("tls_handshake_ms", "must not be negative")
	}
	if m.DownloadKbps != nil && *m.DownloadKbps < 0 {
		v.Add("download_kbps", "must not be negative")
	}
	if len(m.Scores) > 0 && !json.Valid(m.Scores) {
		v.Add("scores", "is not valid JSON")
	}
}

// Key is what deduplicates measurements: the uid OONI assigns, or, for
// measurements that never had one, the report id and the input, or, with
// neither, the place of the raw measurement in its file.
func (m *Measurement) Key() string {
	switch {
	case m.MeasurementUID != "":
		return m.MeasurementUID
	case m.ReportID != "":
		return m.ReportID + " " + strings.TrimSpace(m.Input)
	}
	return fmt.Sprintf("sha256:%s:%d", m.Raw.SHA256, m.Raw.Line)
}
