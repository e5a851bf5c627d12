package ooni

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Fingerprint is a known sign of blocking: a DNS answer or an HTTP header or
// body pattern that a blockpage or a censor's resolver gives away, in the
// form of OONI's fingerprints_dns.json and fingerprints_http.json.
type Fingerprint struct {
	Name              string   `json:"name"`
	Scope             string   `json:"scope"` // nat, isp, inst, prod
	LocationFound     string   `json:"location_found"`
	Pattern           string   `json:"pattern"`
	PatternType       string   `json:"pattern_type"`
	ExpectedCountries []string `json:"-"`
	ConfidenceNoFP    int      `json:"confidence_no_fp"`
}

// scopeLocality is how OONI turns a fingerprint's scope into a blocking
// locality in the scores.
var scopeLocality = map[string]string{"inst": "local", "isp": "isp", "nat": "country", "prod": "general"}

// confirms reports whether a match proves blocking for a probe in cc: the
// fingerprint is known in that country, or it is national or ISP-wide.
func (fp *Fingerprint) confirms(cc string) bool {
	if cc != "ZZ" {
		for _, c := range fp.ExpectedCountries {
			if c == cc {
				return true
			}
		}
	}
	return fp.Scope == "isp" || fp.Scope == "nat"
}

// Fingerprints holds both kinds, indexed for matching.
type Fingerprints struct {
	dns     map[string][]*Fingerprint
	headers map[string][]*Fingerprint // by lower-case header name
	body    *bodyMatcher
	count   int
}

// Len is the number of fingerprints loaded.
func (f *Fingerprints) Len() int {
	if f == nil {
		return 0
	}
	return f.count
}

// LoadFingerprints reads OONI's two fingerprint files.
func LoadFingerprints(dnsPath, httpPath string) (*Fingerprints, error) {
	dns, err := readFingerprintFile(dnsPath)
	if err != nil {
		return nil, err
	}
	http, err := readFingerprintFile(httpPath)
	if err != nil {
		return nil, err
	}
	return NewFingerprints(dns, http), nil
}

func readFingerprintFile(path string) ([]*Fingerprint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		Fingerprint
		ExpectedCountries string `json:"expected_countries"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]*Fingerprint, 0, len(raw))
	for i := range raw {
		fp := raw[i].Fingerprint
		if fp.Name == "" || fp.Pattern == "" {
			return nil, fmt.Errorf("%s: fingerprint %d has no name or pattern", path, i)
		}
		for _, c := range strings.Split(raw[i].ExpectedCountries, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if c != "" && c != "ZZ" {
				fp.ExpectedCountries = append(fp.ExpectedCountries, c)
			}
		}
		sort.Strings(fp.ExpectedCountries)
		out = append(out, &fp)
	}
	return out, nil
}

// NewFingerprints indexes fingerprints for matching.
func NewFingerprints(dns, http []*Fingerprint) *Fingerprints {
	f := &Fingerprints{dns: map[string][]*Fingerprint{}, headers: map[string][]*Fingerprint{}}
	for _, fp := range dns {
		f.dns[fp.Pattern] = append(f.dns[fp.Pattern], fp)
		f.count++
	}
	var bodies []*Fingerprint
	for _, fp := range http {
		f.count++
		switch {
		case fp.LocationFound == "body":
			bodies = append(bodies, fp)
		case strings.HasPrefix(fp.LocationFound, "header."):
			// Like the fastpath, only full and prefix header patterns are used.
			if fp.PatternType == "full" || fp.PatternType == "prefix" {
				h := strings.ToLower(strings.TrimPrefix(fp.LocationFound, "header."))
				f.headers[h] = append(f.headers[h], fp)
			}
		}
	}
	f.body = newBodyMatcher(bodies)
	return f
}

// bodyMatcher finds every body fingerprint in a body in one pass: a 16-bit
// filter on the first four bytes of each pattern rules out most positions,
// and only candidates are compared in full. The fastpath compares body
// patterns literally whatever their pattern_type, and so does this.
type bodyMatcher struct {
	filter [1 << 16 / 64]uint64
	byHead map[uint32][]*Fingerprint
	short  []*Fingerprint // patterns under four bytes
}

func head4(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

func slot(k uint32) uint32 { return (k * 2654435761) >> 16 }

func newBodyMatcher(fps []*Fingerprint) *bodyMatcher {
	m := &bodyMatcher{byHead: map[uint32][]*Fingerprint{}}
	for _, fp := range fps {
		p := []byte(fp.Pattern)
		if len(p) < 4 {
			m.short = append(m.short, fp)
			continue
		}
		k := head4(p)
		s := slot(k)
		m.filter[s/64] |= 1 << (s % 64)
		m.byHead[k] = append(m.byHead[k], fp)
	}
	return m
}

// match calls found once for each fingerprint present in body.
func (m *bodyMatcher) match(body []byte, found func(*Fingerprint)) {
	var seen map[*Fingerprint]bool
	for _, fp := range m.short {
		if strings.Contains(string(body), fp.Pattern) {
			found(fp)
		}
	}
	for i := 0; i+4 <= len(body); i++ {
		k := head4(body[i:])
		s := slot(k)
		if m.filter[s/64]&(1<<(s%64)) == 0 {
			continue
		}
		for _, fp := range m.byHead[k] {
			if len(body)-i >= len(fp.Pattern) && string(body[i:i+len(fp.Pattern)]) == fp.Pattern {
				if seen == nil {
					seen = map[*Fingerprint]bool{}
				}
				if !seen[fp] {
					seen[fp] = true
					found(fp)
				}
			}
		}
	}
}
