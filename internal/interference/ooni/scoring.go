package ooni

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Scores follow the fastpath's scores object: blocking likelihood per
// locality, accuracy (below 0.5 means the measurement failed) and whether a
// fingerprint confirmed blocking.
type Scores struct {
	BlockingGeneral float64        `json:"blocking_general"`
	BlockingGlobal  float64        `json:"blocking_global"`
	BlockingCountry float64        `json:"blocking_country"`
	BlockingISP     float64        `json:"blocking_isp"`
	BlockingLocal   float64        `json:"blocking_local"`
	Accuracy        *float64       `json:"accuracy,omitempty"`
	Confirmed       bool           `json:"confirmed,omitempty"`
	Fingerprints    []string       `json:"fingerprints,omitempty"`
	Analysis        map[string]any `json:"analysis,omitempty"`
	Msg             string         `json:"msg,omitempty"`
	BlockingType    string         `json:"-"`
}

func (s *Scores) fail() { z := 0.0; s.Accuracy = &z }

func (s *Scores) failed() bool { return s.Accuracy != nil && *s.Accuracy < 0.5 }

// Outcome is the one bucket OONI's aggregation counts a measurement in:
// failure first, then confirmed, then anomaly, else ok.
func (s *Scores) Outcome() string {
	switch {
	case s.failed():
		return "failure"
	case s.Confirmed:
		return "confirmed"
	case s.BlockingGeneral > 0.5:
		return "anomaly"
	}
	return "ok"
}

// Scorer scores measurements; it is safe for concurrent use.
type Scorer struct {
	FP *Fingerprints
}

// Score scores one parsed measurement. uid, when known, lets measurements
// with impossible start times be flagged as the fastpath does.
func (sc *Scorer) Score(m *fastjson.Value, uid string) Scores {
	var s Scores
	tk := testKeys(m)
	switch string(m.GetStringBytes("test_name")) {
	case "web_connectivity":
		s = sc.webConnectivity(m, tk)
	case "whatsapp":
		s = scoreWhatsApp(tk)
	case "telegram":
		s = scoreTelegram(tk)
	case "facebook_messenger":
		s = scoreFacebookMessenger(tk)
	case "signal":
		s = scoreSignal(m, tk)
	case "dash":
		s = scoreDash(tk)
	case "tcp_connect":
		s = scoreTCPConnect(tk)
	case "psiphon":
		s = scorePsiphon(m, tk)
	case "tor":
		s = scoreTor(tk)
	case "vanilla_tor":
		s = scoreVanillaTor(tk)
	case "riseupvpn":
		s = scoreRiseupVPN(tk)
	case "http_invalid_request_line":
		s = scoreInvalidRequestLine(tk)
	case "http_header_field_manipulation":
		s = scoreHeaderManipulation(tk)
	case "ndt":
		// The fastpath does not score speed tests for blocking.
	case "stunreachability", "torsf":
		if truthy(tk.Get("failure")) {
			s.BlockingGeneral = 1
		}
	case "openvpn":
		switch tk.Get("success").Type() {
		case fastjson.TypeFalse:
			s.BlockingGeneral = 1
		case fastjson.TypeNull:
			s.fail()
		}
	case "browser_web":
		switch string(tk.GetStringBytes("result")) {
		case "ok":
		case "error":
			s.BlockingGeneral = 1
		default:
			s.fail()
		}
	default:
		// Unsupported tests count as failures in the fastpath.
		s.fail()
	}
	flagWrongDate(m, uid, &s)
	return s
}

// testKeys returns the test keys; measurements in the oldest format carry
// them at the top level.
func testKeys(m *fastjson.Value) *fastjson.Value {
	tk := m.Get("test_keys")
	if tk == nil {
		if m.Get("blocking") != nil || m.Get("requests") != nil {
			return m
		}
		return emptyObject
	}
	if tk.Type() != fastjson.TypeObject {
		return emptyObject
	}
	return tk
}

var emptyObject = fastjson.MustParse(`{}`)

// get returns the value at key, or nil when it is missing or null, like
// the fastpath's g_or.
func get(v *fastjson.Value, keys ...string) *fastjson.Value {
	x := v.Get(keys...)
	if x == nil || x.Type() == fastjson.TypeNull {
		return nil
	}
	return x
}

func isTrue(v *fastjson.Value, key string) bool {
	x := v.Get(key)
	return x != nil && x.Type() == fastjson.TypeTrue
}

func isFalse(v *fastjson.Value, key string) bool {
	x := v.Get(key)
	return x != nil && x.Type() == fastjson.TypeFalse
}

// truthy is Python's truth of a JSON value.
func truthy(v *fastjson.Value) bool {
	if v == nil {
		return false
	}
	switch v.Type() {
	case fastjson.TypeNull, fastjson.TypeFalse:
		return false
	case fastjson.TypeString:
		return len(v.GetStringBytes()) > 0
	case fastjson.TypeNumber:
		return v.GetFloat64() != 0
	case fastjson.TypeArray:
		return len(v.GetArray()) > 0
	case fastjson.TypeObject:
		o, _ := v.Object()
		return o.Len() > 0
	}
	return true
}

func array(v *fastjson.Value, key string) []*fastjson.Value {
	x := get(v, key)
	if x == nil {
		return nil
	}
	a, _ := x.Array()
	return a
}

// hasUnknownFailure finds a *_failure key whose value starts with
// "unknown_failure": the probe itself broke.
func hasUnknownFailure(tk *fastjson.Value) bool {
	o, err := tk.Object()
	if err != nil {
		return false
	}
	found := false
	o.Visit(func(k []byte, v *fastjson.Value) {
		if bytes.HasSuffix(k, []byte("_failure")) && v.Type() == fastjson.TypeString &&
			bytes.HasPrefix(v.GetStringBytes(), []byte("unknown_failure")) {
			found = true
		}
	})
	return found
}

var webBlockingTypes = map[string]bool{"tcp_ip": true, "dns": true, "http-diff": true, "http-failure": true}

func (sc *Scorer) webConnectivity(m, tk *fastjson.Value) Scores {
	var s Scores
	matches := sc.match(tk)
	cc := strings.ToUpper(string(m.GetStringBytes("probe_cc")))
	if cc == "" {
		cc = "ZZ"
	}
	for _, fp := range matches {
		s.Fingerprints = append(s.Fingerprints, fp.Name)
		if fp.confirms(cc) {
			switch scopeLocality[fp.Scope] {
			case "local":
				s.BlockingLocal = 1
			case "isp":
				s.BlockingISP = 1
			case "country":
				s.BlockingCountry = 1
			default:
				s.BlockingGeneral = 1
			}
			s.Confirmed = true
		}
	}
	if tm := tk.Get("title_match"); tm != nil {
		switch tm.Type() {
		case fastjson.TypeTrue, fastjson.TypeFalse, fastjson.TypeNull:
		default:
			s.fail()
			return s
		}
	}
	b := tk.Get("blocking")
	switch {
	case b != nil && b.Type() == fastjson.TypeString && webBlockingTypes[string(b.GetStringBytes())]:
		s.BlockingGeneral = 1
		s.BlockingType = string(b.GetStringBytes())
		s.Analysis = map[string]any{"blocking_type": s.BlockingType}
	case b != nil && b.Type() == fastjson.TypeFalse:
	case b == nil || b.Type() == fastjson.TypeNull:
		// A broken measurement; a fingerprint match still makes it good.
		if len(matches) == 0 {
			s.fail()
		}
	default:
		s.Analysis = map[string]any{"msg": "Unsupported blocking type"}
		s.fail()
	}
	if hasUnknownFailure(tk) {
		s.fail()
	}
	s.BlockingGeneral += s.BlockingCountry + s.BlockingGlobal + s.BlockingISP + s.BlockingLocal
	if a := tk.Get("accessible"); a != nil && a.Type() == fastjson.TypeNull && len(matches) == 0 {
		s.fail()
	}
	return s
}

// match finds the fingerprints in DNS answers, HTTP bodies and headers.
func (sc *Scorer) match(tk *fastjson.Value) []*Fingerprint {
	if sc.FP == nil {
		return nil
	}
	var out []*Fingerprint
	add := func(fp *Fingerprint) { out = append(out, fp) }
	for _, q := range array(tk, "queries") {
		for _, a := range array(q, "answers") {
			var addr []byte
			switch {
			case a.Get("ipv4") != nil:
				addr = a.GetStringBytes("ipv4")
			case a.Get("hostname") != nil:
				addr = a.GetStringBytes("hostname")
			case a.Get("ipv6") != nil:
				addr = a.GetStringBytes("ipv6")
			}
			for _, fp := range sc.FP.dns[string(addr)] {
				add(fp)
			}
		}
	}
	for _, req := range array(tk, "requests") {
		resp := get(req, "response")
		if resp == nil || resp.Type() != fastjson.TypeObject {
			continue
		}
		if body := bodyBytes(resp.Get("body")); body != nil {
			sc.FP.body.match(body, add)
		}
		sc.matchHeaders(resp, add)
	}
	return out
}

// bodyBytes returns a response body, decoding the {"format":"base64"} form.
func bodyBytes(b *fastjson.Value) []byte {
	if b == nil {
		return nil
	}
	switch b.Type() {
	case fastjson.TypeString:
		return b.GetStringBytes()
	case fastjson.TypeObject:
		if string(b.GetStringBytes("format")) == "base64" {
			d, err := base64.StdEncoding.DecodeString(string(b.GetStringBytes("data")))
			if err == nil {
				return d
			}
		}
	}
	return nil
}

func (sc *Scorer) matchHeaders(resp *fastjson.Value, add func(*Fingerprint)) {
	if len(sc.FP.headers) == 0 {
		return
	}
	check := func(name []byte, v *fastjson.Value) {
		fps := sc.FP.headers[strings.ToLower(string(name))]
		if len(fps) == 0 || v == nil {
			return
		}
		var val string
		var isString bool
		switch v.Type() {
		case fastjson.TypeString:
			val, isString = string(v.GetStringBytes()), true
		case fastjson.TypeObject:
			if string(v.GetStringBytes("format")) == "base64" {
				d, err := base64.StdEncoding.DecodeString(string(v.GetStringBytes("data")))
				if err == nil {
					val = string(d)
				}
			}
		default:
			return
		}
		for _, fp := range fps {
			switch fp.PatternType {
			case "full":
				if isString && val == fp.Pattern {
					add(fp)
				}
			case "prefix":
				if strings.HasPrefix(val, fp.Pattern) {
					add(fp)
				}
			}
		}
	}
	h := get(resp, "headers")
	if h != nil && h.Type() == fastjson.TypeObject {
		o, _ := h.Object()
		o.Visit(func(k []byte, v *fastjson.Value) { check(k, v) })
		return
	}
	// Without a headers map, read headers_list: [[name, value], ...].
	for _, pair := range array(resp, "headers_list") {
		a, err := pair.Array()
		if err == nil && len(a) == 2 {
			check(a[0].GetStringBytes(), a[1])
		}
	}
}

// tcpConnectCounts counts the endpoints reached and not reached.
func tcpConnectCounts(tk *fastjson.Value) (ok, failed int) {
	for _, e := range array(tk, "tcp_connect") {
		st := e.Get("status", "success")
		if st == nil {
			continue
		}
		switch st.Type() {
		case fastjson.TypeTrue:
			ok++
		case fastjson.TypeFalse:
			failed++
		}
	}
	return ok, failed
}

func scoreWhatsApp(tk *fastjson.Value) Scores {
	var s Scores
	if hasUnknownFailure(tk) {
		s.fail()
	}
	if wf := string(tk.GetStringBytes("whatsapp_web_failure")); strings.Contains(wf, "unknown_failure 'ascii' co") {
		s.fail()
		return s
	}
	reqs := array(tk, "requests")
	if len(reqs) == 0 {
		s.fail()
		return s
	}
	var webapp, registration *bool
	for _, r := range reqs {
		switch string(r.GetStringBytes("request", "url")) {
		case "https://web.whatsapp.com/":
			// A missing failure key counts as a failure here, as in the fastpath.
			f := r.Get("failure")
			ok := f != nil && (f.Type() == fastjson.TypeNull || f.Type() == fastjson.TypeFalse ||
				(f.Type() == fastjson.TypeString && len(f.GetStringBytes()) == 0))
			webapp = &ok
		case "https://v.whatsapp.net/v2/register":
			f := r.Get("failure")
			ok := f == nil || f.Type() == fastjson.TypeNull
			registration = &ok
		}
	}
	if webapp == nil || registration == nil {
		s.fail()
		return s
	}
	if !*webapp || !*registration {
		s.BlockingGeneral = 1
		return s
	}
	reached, unreached := tcpConnectCounts(tk)
	switch {
	case reached == 0 && unreached == 0:
		s.fail()
	case reached > 0:
	default:
		s.BlockingGeneral = 1
	}
	s.Analysis = map[string]any{
		"registration_server_accessible": *registration,
		"whatsapp_web_accessible":        *webapp,
		"whatsapp_endpoints_accessible":  reached > 0,
	}
	return s
}

func scoreTelegram(tk *fastjson.Value) Scores {
	var s Scores
	webBlocked := string(tk.GetStringBytes("telegram_web_status")) == "blocked"
	reached, unreached := tcpConnectCounts(tk)
	var httpOK, httpFailed int
	var webFailure string
	for _, r := range array(tk, "requests") {
		u := r.Get("request", "url")
		if u == nil {
			// A probe bug: the request URL is missing.
			var z Scores
			z.fail()
			return z
		}
		url := string(u.GetStringBytes())
		failed := truthyFailure(r.Get("failure"))
		if url == "https://web.telegram.org/" || url == "http://web.telegram.org/" {
			if failed {
				webFailure = string(r.GetStringBytes("failure"))
			}
			continue
		}
		if failed {
			httpFailed++
		} else {
			httpOK++
		}
	}
	score := 0.5
	if reached+unreached > 0 {
		score = float64(unreached) / float64(reached+unreached)
	}
	if httpOK+httpFailed > 0 {
		score += float64(httpFailed) / float64(httpOK+httpFailed)
	} else {
		score += 0.5
	}
	if webBlocked {
		score++
	}
	s.BlockingGeneral = score
	if webFailure != "" {
		s.Msg = "failure: " + webFailure
	}
	return s
}

// truthyFailure: a failure field that is present and not null.
func truthyFailure(f *fastjson.Value) bool { return f != nil && f.Type() != fastjson.TypeNull }

var (
	facebookConsistency = []string{
		"facebook_b_api_dns_consistent", "facebook_b_api_reachable",
		"facebook_b_graph_dns_consistent", "facebook_b_graph_reachable",
		"facebook_edge_dns_consistent", "facebook_edge_reachable",
		"facebook_external_cdn_dns_consistent", "facebook_external_cdn_reachable",
		"facebook_scontent_cdn_dns_consistent", "facebook_scontent_cdn_reachable",
		"facebook_star_dns_consistent", "facebook_star_reachable",
		"facebook_stun_dns_consistent",
	}
	facebookAnomaly = []string{"facebook_tcp_blocking", "facebook_dns_blocking"}
	// Probes that report facebook_dns_blocking=true while every endpoint
	// was consistent and reachable are not blocked.
	facebookAllTrue = []string{
		"facebook_b_api_dns_consistent", "facebook_b_api_reachable",
		"facebook_b_graph_dns_consistent", "facebook_b_graph_reachable",
		"facebook_dns_blocking", "facebook_edge_dns_consistent", "facebook_edge_reachable",
		"facebook_star_dns_consistent", "facebook_star_reachable", "facebook_stun_dns_consistent",
	}
)

func scoreFacebookMessenger(tk *fastjson.Value) Scores {
	var s Scores
	allTrue := true
	for _, k := range facebookAllTrue {
		if !isTrue(tk, k) {
			allTrue = false
			break
		}
	}
	if allTrue && isFalse(tk, "facebook_tcp_blocking") {
		return s
	}
	var flagged []string
	for _, k := range facebookConsistency {
		if isFalse(tk, k) {
			s.BlockingGeneral += 0.5
			flagged = append(flagged, k)
		}
	}
	for _, k := range facebookAnomaly {
		if isTrue(tk, k) {
			s.BlockingGeneral += 0.5
			flagged = append(flagged, k)
		}
	}
	if len(flagged) > 0 {
		s.Analysis = map[string]any{"flagged": flagged}
	}
	return s
}

func scoreSignal(m, tk *fastjson.Value) Scores {
	var s Scores
	// Missing keys count as failed, as in the fastpath.
	fo, f := tk.Get("failed_operation"), tk.Get("failure")
	if fo == nil || truthy(fo) || f == nil || truthy(f) {
		s.fail()
	}
	// Signal tests before 0.2.2 give false positives from 19 October 2022,
	// when Signal changed its certificate authority.
	tv := string(m.GetStringBytes("test_version"))
	if tv == "" {
		tv = "0.0.0"
	}
	if older, ok := versionLess(tv, "0.2.2"); !ok {
		s.fail()
	} else if older {
		st, err := time.Parse(time.DateTime, string(m.GetStringBytes("measurement_start_time")))
		if err != nil || !st.Before(time.Date(2022, 10, 19, 0, 0, 0, 0, time.UTC)) {
			s.fail()
		}
	}
	switch string(tk.GetStringBytes("signal_backend_status")) {
	case "ok":
	case "blocked":
		s.BlockingGeneral = 1
		s.Analysis = map[string]any{"signal_backend_failure": string(tk.GetStringBytes("signal_backend_failure"))}
	default:
		s.fail()
	}
	return s
}

// versionLess compares dotted numeric versions; ok is false when either
// is not one.
func versionLess(a, b string) (less, ok bool) {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		var err error
		if i < len(pa) {
			if x, err = strconv.Atoi(pa[i]); err != nil {
				return false, false
			}
		}
		if i < len(pb) {
			if y, err = strconv.Atoi(pb[i]); err != nil {
				return false, false
			}
		}
		if x != y {
			return x < y, true
		}
	}
	return false, true
}

var dashProbeFailures = map[string]bool{
	"connection_aborted": true, "json_parse_error": true, "eof_error": true, "json_processing_error": true,
	"http_request_failed": true, "connect_error": true, "generic_timeout_error": true, "broken_pipe": true,
	"connection_refused": true,
}

func scoreDash(tk *fastjson.Value) Scores {
	var s Scores
	if o, err := tk.Object(); err != nil || o.Len() == 0 {
		s.fail()
		return s
	}
	f := get(tk, "failure")
	if f == nil {
		return s
	}
	fs := string(f.GetStringBytes())
	if dashProbeFailures[fs] || strings.Contains(fs, "ssl_error") {
		s.BlockingGeneral = 0.1
	} else {
		s.Msg = "Probe error"
	}
	s.fail()
	return s
}

// flagWrongDate fails measurements whose start time is more than an hour
// after they were received, or more than a year before.
func flagWrongDate(m *fastjson.Value, uid string, s *Scores) {
	if len(uid) < 22 || !strings.HasPrefix(uid, "20") {
		return
	}
	recv, err := time.Parse("20060102150405.000000_", uid[:22])
	if err != nil {
		return
	}
	start, err := time.Parse(time.DateTime, string(m.GetStringBytes("measurement_start_time")))
	if err != nil {
		return
	}
	d := recv.Sub(start)
	switch {
	case d < -time.Hour:
		s.fail()
		s.Msg = "Measurement start time from the future"
	case d > 365*24*time.Hour:
		s.fail()
		s.Msg = "Measurement start time too old"
	}
}
