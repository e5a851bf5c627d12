package ooni

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/platform"
)

// ErrDiscarded marks measurements the fastpath ignores: no report id, an
// unknown country (ZZ) or network (AS0). They are counted, not reported.
var ErrDiscarded = errors.New("discarded")

// Normalize turns one parsed measurement into a scored model.Measurement.
// uid is used when the measurement does not carry its own.
func (sc *Scorer) Normalize(v *fastjson.Value, uid string) (*model.Measurement, error) {
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("a measurement must be a JSON object, not %s", v.Type())
	}
	// The postcan form wraps the measurement: {"format":"json","content":{...}}.
	if c := v.Get("content"); c != nil && v.Get("format") != nil {
		if o, _ := v.Object(); o.Len() == 2 {
			if f := strings.ToLower(string(v.GetStringBytes("format"))); f != "json" {
				return nil, fmt.Errorf("postcan format %q is not supported", f)
			}
			v = c
			if v.Type() != fastjson.TypeObject {
				return nil, fmt.Errorf("postcan content must be a JSON object")
			}
		}
	}
	m := &model.Measurement{
		MeasurementUID: string(v.GetStringBytes("measurement_uid")),
		ReportID:       string(v.GetStringBytes("report_id")),
		TestName:       string(v.GetStringBytes("test_name")),
		Input:          inputString(v.Get("input")),
		ProbeCC:        strings.ToUpper(string(v.GetStringBytes("probe_cc"))),
	}
	if m.MeasurementUID == "" {
		m.MeasurementUID = uid
	}
	if rid := v.Get("report_id"); rid == nil || rid.Type() == fastjson.TypeNull {
		return nil, ErrDiscarded
	}
	if m.ProbeCC == "ZZ" {
		return nil, ErrDiscarded
	}
	asn, err := parseASN(v.Get("probe_asn"))
	if err != nil {
		return nil, fmt.Errorf("probe_asn: %w", err)
	}
	if asn == 0 {
		return nil, ErrDiscarded
	}
	m.ProbeASN = asn
	if m.TestName == "" {
		return nil, fmt.Errorf("test_name is missing")
	}
	st, err := parseTime(string(v.GetStringBytes("measurement_start_time")))
	if err != nil {
		return nil, fmt.Errorf("measurement_start_time: %w", err)
	}
	m.StartTime = st
	m.Domain = hostOf(m.Input)
	if r, ok := platform.For(m.TestName, m.Domain); ok {
		m.Platform, m.Service = r.Platform, r.Service
	}
	s := sc.Score(v, m.MeasurementUID)
	m.Outcome = s.Outcome()
	m.BlockingType = s.BlockingType
	tk := testKeys(v)
	m.TLSHandshake = tlsHandshakeMS(tk, m.Domain)
	m.DownloadKbps = downloadKbps(m.TestName, tk)
	if m.Scores, err = json.Marshal(&s); err != nil {
		return nil, err
	}
	return m, nil
}

// inputString reads input, which old reports sometimes give as a list.
func inputString(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeArray:
		a := v.GetArray()
		if len(a) > 0 {
			return string(a[0].GetStringBytes())
		}
	}
	return ""
}

// parseASN reads "AS1234" or 1234.
func parseASN(v *fastjson.Value) (int64, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return 0, nil
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		n := v.GetInt64()
		if n < 0 {
			return 0, fmt.Errorf("%d is not an AS number", n)
		}
		return n, nil
	case fastjson.TypeString:
		s := strings.TrimPrefix(strings.ToUpper(string(v.GetStringBytes())), "AS")
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 1<<32-1 {
			return 0, fmt.Errorf("%q is not an AS number", v.GetStringBytes())
		}
		return n, nil
	}
	return 0, fmt.Errorf("want a string like \"AS1234\", got %s", v.Type())
}

// parseTime reads OONI's "2006-01-02 15:04:05" (UTC) and RFC 3339.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("is missing")
	}
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want YYYY-MM-DD hh:mm:ss)", s)
}

// hostOf returns the host of an input URL, as the fastpath's domain column.
func hostOf(input string) string {
	if input == "" {
		return ""
	}
	u, err := url.Parse(input)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// tlsHandshakeMS is the duration of the first successful TLS handshake to
// the measured domain (any successful one if none names it), from the
// t0/t timings that probes since 2022 record.
func tlsHandshakeMS(tk *fastjson.Value, domain string) *float64 {
	var fallback *float64
	for _, h := range array(tk, "tls_handshakes") {
		if truthyFailure(h.Get("failure")) {
			continue
		}
		t0, t := h.Get("t0"), h.Get("t")
		if t0 == nil || t == nil || t0.Type() != fastjson.TypeNumber || t.Type() != fastjson.TypeNumber {
			continue
		}
		ms := (t.GetFloat64() - t0.GetFloat64()) * 1000
		if ms < 0 {
			continue
		}
		if domain == "" || strings.EqualFold(string(h.GetStringBytes("server_name")), domain) {
			return &ms
		}
		if fallback == nil {
			fallback = &ms
		}
	}
	return fallback
}

// downloadKbps reads the download speed of ndt (summary.download, kbit/s)
// and dash (simple.median_bitrate, kbit/s).
func downloadKbps(testName string, tk *fastjson.Value) *float64 {
	var x *fastjson.Value
	switch testName {
	case "ndt":
		x = get(tk, "summary", "download")
	case "dash":
		x = get(tk, "simple", "median_bitrate")
	}
	if x == nil || x.Type() != fastjson.TypeNumber {
		return nil
	}
	f := x.GetFloat64()
	if f < 0 {
		return nil
	}
	return &f
}
