// Package oonitest writes realistic OONI measurements for tests and
// benchmarks: web_connectivity measurements in the probe's own JSON format,
// with DNS answers, TCP connects, TLS handshakes with timings and HTTP
// bodies, over chosen networks, domains and hours, with episodes of
// throttling or DNS blocking laid on top.
package oonitest

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Network is a probe's network.
type Network struct {
	CC   string
	ASN  int64
	Name string
}

// Episode is interference on one network against some domains.
type Episode struct {
	Kind    string // "throttling" or "dns"
	ASN     int64
	Domains []string
	Start   time.Time
	End     time.Time
	// Factor multiplies TLS handshake times while throttling (30 = 100 ms → 3 s).
	Factor float64
	// BlockIP is the address a censoring resolver answers with.
	BlockIP string
	// TimeoutShare is the share of measurements whose TLS handshake times
	// out while throttling, as a squeezed connection does (0.2 = 20%).
	TimeoutShare float64
}

// Spec describes what to generate.
type Spec struct {
	Start, End time.Time
	Networks   []Network
	Domains    []string
	// PerHour is the number of measurements per network, domain and hour,
	// unless Step is set: then PerStep measurements are made in every Step
	// (5 minutes and 2 make 24 an hour, spread over the hour).
	PerHour  int
	Step     time.Duration
	PerStep  int
	Seed     uint64
	Episodes []Episode
	// BodyBytes is the size of the HTML body in each response (default 6 KiB),
	// CertBytes that of the server certificate (default 1200).
	BodyBytes, CertBytes int
	// NoiseAnomaly and NoiseFailure are the shares of measurements that show
	// a spurious anomaly or fail, as real networks do (defaults 2% and 3%).
	NoiseAnomaly, NoiseFailure float64
	// SlowShare is the share of handshakes that are 3–20× slower than usual
	// for reasons of their own (a busy probe, a lossy radio link).
	SlowShare float64
}

// DefaultDomains are platform domains and the control domains beside them.
var DefaultDomains = []string{"twitter.com", "www.facebook.com", "www.youtube.com", "example.org", "www.bbc.com", "www.wikipedia.org"}

// Write writes the measurements as JSON Lines, hour by hour.
func Write(w io.Writer, s Spec) (int, error) {
	g := newGen(s)
	bw := bufio.NewWriterSize(w, 1<<20)
	n := 0
	step, per := time.Hour, s.PerHour
	if s.Step > 0 {
		step, per = s.Step, s.PerStep
	}
	for h := s.Start.Truncate(step); h.Before(s.End); h = h.Add(step) {
		for _, net := range s.Networks {
			for _, d := range s.Domains {
				for i := 0; i < per; i++ {
					at := h.Add(time.Duration(g.r.Int64N(int64(step))))
					b, err := g.measurement(net, d, at)
					if err != nil {
						return n, err
					}
					bw.Write(b)
					bw.WriteByte('\n')
					n++
				}
			}
		}
	}
	return n, bw.Flush()
}

type gen struct {
	s      Spec
	r      *rand.Rand
	seq    int
	corpus string
}

func newGen(s Spec) *gen {
	if s.BodyBytes == 0 {
		s.BodyBytes = 6 << 10
	}
	if s.CertBytes == 0 {
		s.CertBytes = 1200
	}
	if s.NoiseAnomaly == 0 {
		s.NoiseAnomaly = 0.02
	}
	if s.NoiseFailure == 0 {
		s.NoiseFailure = 0.03
	}
	g := &gen{s: s, r: rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))}
	// A corpus of varied words, so that bodies compress like real pages do.
	var sb strings.Builder
	for sb.Len() < 64<<10+4*s.BodyBytes {
		n := 2 + g.r.IntN(9)
		for range n {
			sb.WriteByte(byte('a' + g.r.IntN(26)))
		}
		switch g.r.IntN(12) {
		case 0:
			sb.WriteString("</p><p>")
		case 1:
			sb.WriteString("ş ğ ı đ ư ")
		case 2:
			sb.WriteString("<a href=\"/")
			sb.WriteString(strconv.Itoa(g.r.IntN(100000)))
			sb.WriteString("\">")
		default:
			sb.WriteByte(' ')
		}
	}
	g.corpus = sb.String()
	return g
}

// body is a page cut from the corpus at a random place.
func (g *gen) page() string {
	n := g.s.BodyBytes
	at := g.r.IntN(len(g.corpus) - n)
	return "<!DOCTYPE html><html><head><title>Home</title></head><body>" + g.corpus[at:at+n] + "</body></html>"
}

// certificate is a random DER-sized blob, as incompressible as a real one.
func (g *gen) certificate() string {
	c := make([]byte, (g.s.CertBytes+7)/8*8)
	for i := 0; i < len(c); i += 8 {
		binary.LittleEndian.PutUint64(c[i:], g.r.Uint64())
	}
	return base64.StdEncoding.EncodeToString(c)
}

func (g *gen) episode(asn int64, domain string, at time.Time, kind string) *Episode {
	for i := range g.s.Episodes {
		e := &g.s.Episodes[i]
		if e.Kind != kind || e.ASN != asn || at.Before(e.Start) || !at.Before(e.End) {
			continue
		}
		for _, d := range e.Domains {
			if d == domain {
				return e
			}
		}
	}
	return nil
}

// baseTLS is a domain's usual handshake time in seconds: 60–150 ms.
func baseTLS(domain string) float64 {
	h := 0
	for _, c := range domain {
		h = h*31 + int(c)
	}
	return 0.06 + float64(uint(h)%90)/1000
}

type obj = map[string]any

func (g *gen) measurement(net Network, domain string, at time.Time) ([]byte, error) {
	g.seq++
	input := "https://" + domain + "/"
	ip := fmt.Sprintf("203.0.%d.%d", len(domain)%250, g.seq%250+1)
	start := at.UTC().Format(time.DateTime)
	reportID := fmt.Sprintf("%s_webconnectivity_%s_%d_n1_%08x", at.UTC().Format("20060102T150405Z"), net.CC, net.ASN, g.r.Uint32())
	uid := fmt.Sprintf("%s.%06d_%s_webconnectivity_%016x", at.UTC().Add(2*time.Second).Format("20060102150405"), g.seq%1000000, net.CC, g.r.Uint64())

	dnsEp := g.episode(net.ASN, domain, at, "dns")
	thrEp := g.episode(net.ASN, domain, at, "throttling")
	noise := g.r.Float64()

	// Lognormal jitter around the domain's base handshake time.
	tls := baseTLS(domain) * math.Exp(g.r.NormFloat64()*0.25)
	if g.r.Float64() < g.s.SlowShare {
		tls *= 3 + 17*g.r.Float64()
	}
	timedOut := false
	if thrEp != nil {
		tls *= thrEp.Factor
		timedOut = g.r.Float64() < thrEp.TimeoutShare
	}
	t0 := 0.05 + g.r.Float64()*0.05
	answer := ip
	tk := obj{
		"agent": "redirect", "client_resolver": "10.0.0.1", "retries": nil, "socksproxy": nil,
		"dns_experiment_failure": nil, "dns_consistency": "consistent", "control_failure": nil,
		"http_experiment_failure": nil, "body_length_match": true, "body_proportion": 1,
		"status_code_match": true, "headers_match": true, "title_match": true,
		"accessible": true, "blocking": false,
		"x_status": 1, "x_dns_runtime": 1000000, "x_th_runtime": 2000000,
	}
	page := g.page()
	body := any(page)
	code := 200
	reqFailure := any(nil)
	hsFailure := any(nil)
	switch {
	case dnsEp != nil:
		answer = dnsEp.BlockIP
		tk["dns_consistency"] = "inconsistent"
		tk["accessible"] = false
		tk["blocking"] = "dns"
		tk["body_length_match"] = nil
		tk["status_code_match"] = nil
		tk["headers_match"] = nil
		tk["title_match"] = nil
		tk["http_experiment_failure"] = "connection_refused"
		reqFailure, hsFailure, body, code = "connection_refused", "connection_refused", nil, 0
	case timedOut:
		// The handshake never completes within the probe's timeout.
		tk["accessible"] = false
		tk["blocking"] = "http-failure"
		tk["http_experiment_failure"] = "generic_timeout_error"
		reqFailure, hsFailure, body, code = "generic_timeout_error", "generic_timeout_error", nil, 0
	case noise < g.s.NoiseFailure:
		tk["control_failure"] = "generic_timeout_error"
		tk["accessible"] = nil
		tk["blocking"] = nil
	case noise < g.s.NoiseFailure+g.s.NoiseAnomaly:
		tk["accessible"] = false
		tk["blocking"] = "http-failure"
		tk["http_experiment_failure"] = "generic_timeout_error"
		reqFailure, body, code = "generic_timeout_error", nil, 0
	}
	handshake := obj{
		"address": ip + ":443", "cipher_suite": "TLS_AES_128_GCM_SHA256", "failure": hsFailure,
		"negotiated_protocol": "h2", "no_tls_verify": false, "server_name": domain,
		"t0": t0, "t": t0 + tls, "tags": []string{}, "tls_version": "TLSv1.3",
		"peer_certificates": []obj{{"data": g.certificate(), "format": "base64"}},
	}
	if hsFailure != nil {
		handshake["peer_certificates"] = nil
		handshake["t"] = t0 + 0.01
	}
	resp := obj{"body": body, "body_is_truncated": false, "code": code,
		"headers": obj{"Content-Type": "text/html; charset=utf-8", "Server": "nginx", "Date": at.UTC().Format(time.RFC1123)}}
	if code == 0 {
		resp = obj{"body": nil, "code": 0, "headers": obj{}}
	}
	tk["queries"] = []obj{{
		"answers": []obj{{"answer_type": "A", "ipv4": answer, "ttl": nil, "asn": 13335, "as_org_name": "Example Hosting"}},
		"engine":  "system", "failure": nil, "hostname": domain, "query_type": "A", "resolver_address": "", "t": 0.02,
	}}
	tcpFailure := hsFailure
	if timedOut {
		tcpFailure = nil // the connection is made; the handshake over it stalls
	}
	tk["tcp_connect"] = []obj{{"ip": answer, "port": 443, "status": obj{"blocked": dnsEp != nil, "failure": tcpFailure, "success": tcpFailure == nil}, "t0": 0.03, "t": t0}}
	tk["tls_handshakes"] = []obj{handshake}
	tk["requests"] = []obj{{
		"failure": reqFailure, "t0": t0 + tls, "t": t0 + tls + 0.05,
		"request":  obj{"method": "GET", "url": input, "headers": obj{"Accept": "*/*", "User-Agent": "Mozilla/5.0"}, "body": "", "tor": obj{"is_tor": false}},
		"response": resp,
	}}
	tk["control"] = obj{
		"tcp_connect":  obj{ip + ":443": obj{"status": true, "failure": nil}},
		"http_request": obj{"body_length": len(page), "failure": nil, "title": "Home", "status_code": 200, "headers": obj{"Server": "nginx"}},
		"dns":          obj{"failure": nil, "addrs": []string{ip}},
	}
	m := obj{
		"annotations":            obj{"architecture": "arm64", "engine_name": "ooniprobe-engine", "engine_version": "3.20.0", "platform": "android", "network_type": "mobile"},
		"data_format_version":    "0.2.0",
		"input":                  input,
		"measurement_start_time": start,
		"measurement_uid":        uid,
		"probe_asn":              fmt.Sprintf("AS%d", net.ASN),
		"probe_cc":               net.CC,
		"probe_ip":               "127.0.0.1",
		"probe_network_name":     net.Name,
		"report_id":              reportID,
		"resolver_asn":           fmt.Sprintf("AS%d", net.ASN),
		"resolver_ip":            "10.0.0.1",
		"software_name":          "ooniprobe-android",
		"software_version":       "3.20.0",
		"test_keys":              tk,
		"test_name":              "web_connectivity",
		"test_runtime":           t0 + tls + 0.2,
		"test_start_time":        start,
		"test_version":           "0.4.3",
	}
	return json.Marshal(m)
}

// DefaultNetworks are mobile and fixed networks of Turkey and Vietnam.
var DefaultNetworks = []Network{
	{CC: "TR", ASN: 9121, Name: "Turk Telekom"},
	{CC: "TR", ASN: 16135, Name: "Turkcell"},
	{CC: "TR", ASN: 15897, Name: "Vodafone TR"},
	{CC: "VN", ASN: 7552, Name: "Viettel"},
	{CC: "VN", ASN: 45899, Name: "VNPT"},
}
