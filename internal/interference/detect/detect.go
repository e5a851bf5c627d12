// Package detect finds episodes of blocking and throttling in scored
// measurements and turns each into an interference event.
//
// Measurements are folded into hourly buckets per network and domain, so
// memory grows with networks × domains × hours, not with measurements.
// See docs/design/interference-detection.md.
package detect

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/platform"
)

// Version changes whenever a change to the detectors can change their output.
const Version = "1"

// Detector names, as they appear in events.
const (
	BlockingDetector   = "candor.blocking-cusum"
	ThrottlingDetector = "candor.throttling-cusum"
)

// Params are the detectors' knobs; they are recorded in every event.
type Params struct {
	// Blocking: a Bernoulli CUSUM on the hourly share of anomalous or
	// confirmed measurements, from a baseline share p0 (the mean of the
	// series' lower three quarters, at least 3%) to p0+BlockShift, alarming
	// at log-likelihood BlockH.
	BlockShift float64
	BlockH     float64
	// MinBlockedShare is the least share an episode must average.
	MinBlockedShare float64
	// Throttling: a CUSUM on ln(hourly median TLS handshake / baseline)
	// with slack ln(ThrottleSlack), alarming at ThrottleH.
	ThrottleSlack float64
	ThrottleH     float64
	// MinSamples is the least number of handshakes that make an hour.
	MinSamples int
	// ControlMax is the highest handshake ratio control domains on the
	// same network may show for a rise to count as targeted throttling.
	ControlMax float64
	// MaxEvidence caps the measurement ids kept in an event, MaxWindows
	// the hourly windows, so that an event stays well under 64 KiB.
	MaxEvidence int
	MaxWindows  int
}

// DefaultParams are the parameters the tests and `candor detect` use.
func DefaultParams() Params {
	return Params{BlockShift: 0.5, BlockH: 10, MinBlockedShare: 0.3,
		ThrottleSlack: 1.5, ThrottleH: 2.8, MinSamples: 3, ControlMax: 1.5,
		MaxEvidence: 150, MaxWindows: 96}
}

func (p Params) blockingMap() map[string]any {
	return map[string]any{"shift": p.BlockShift, "h": p.BlockH, "min_share": p.MinBlockedShare,
		"baseline": "mean of lower 75% of hourly shares, min 0.03", "series": "country,asn,platform,hour"}
}

func (p Params) throttlingMap() map[string]any {
	return map[string]any{"slack_ratio": p.ThrottleSlack, "h": p.ThrottleH, "min_samples": p.MinSamples,
		"control_max_ratio": p.ControlMax, "baseline": "median of hourly medians", "series": "country,asn,domain,hour"}
}

type netKey struct {
	cc  string
	asn int64
}

type domainKey struct {
	net    netKey
	domain string
}

type bucket struct {
	n, failure, blocked, confirmed, dns int
	tls                                 []float64
	blockedIDs, tlsIDs                  []string
}

// maxIDsPerBucket bounds the measurement ids kept per hour and domain; an
// event cites at most MaxEvidence of them anyway.
const maxIDsPerBucket = 32

// Detector accumulates measurements; Events runs the detectors.
type Detector struct {
	p        Params
	buckets  map[domainKey]map[int64]*bucket // hour (unix/3600) → bucket
	platform map[domainKey]string
	// Bucket samples are capped so memory stays bounded per hour.
	maxPerBucket int
}

// New returns an empty Detector.
func New(p Params) *Detector {
	return &Detector{p: p, buckets: map[domainKey]map[int64]*bucket{}, platform: map[domainKey]string{}, maxPerBucket: 256}
}

// Add folds one measurement in. Measurements must be deduplicated.
func (d *Detector) Add(m *model.Measurement) {
	dom := m.Domain
	if dom == "" {
		dom = "test:" + m.TestName
	}
	k := domainKey{netKey{m.ProbeCC, m.ProbeASN}, dom}
	hours := d.buckets[k]
	if hours == nil {
		hours = map[int64]*bucket{}
		d.buckets[k] = hours
		d.platform[k] = m.Platform
	}
	h := m.StartTime.Unix() / 3600
	b := hours[h]
	if b == nil {
		b = &bucket{}
		hours[h] = b
	}
	b.n++
	id := m.Key()
	switch m.Outcome {
	case "failure":
		b.failure++
		return
	case "confirmed":
		b.confirmed++
		fallthrough
	case "anomaly":
		b.blocked++
		if m.BlockingType == "dns" {
			b.dns++
		}
		if len(b.blockedIDs) < maxIDsPerBucket {
			b.blockedIDs = append(b.blockedIDs, id)
		}
	}
	if m.TLSHandshake != nil && len(b.tls) < d.maxPerBucket {
		b.tls = append(b.tls, *m.TLSHandshake)
		if len(b.tlsIDs) < maxIDsPerBucket {
			b.tlsIDs = append(b.tlsIDs, id)
		}
	}
}

// Events runs both detectors and returns their events in a stable order.
func (d *Detector) Events() []*model.Event {
	var out []*model.Event
	out = append(out, d.blocking()...)
	out = append(out, d.throttling()...)
	out = append(out, d.national(out)...)
	sort.Slice(out, func(i, j int) bool { return out[i].SourceID < out[j].SourceID })
	return out
}

func hourTime(h int64) time.Time { return time.Unix(h*3600, 0).UTC() }

func sortedHours(m map[int64]*bucket) []int64 {
	hs := make([]int64, 0, len(m))
	for h := range m {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return hs
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Round(q * float64(len(s)-1)))
	return s[i]
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// episode is a run of hours [first, last] flagged by a CUSUM.
type episode struct {
	first, last int // indexes into the series
	ongoing     bool
}

// cusum finds episodes in a series of per-hour scores: up[i] is the
// evidence that hour i is in an episode (positive) or not (negative).
// An episode starts at the first hour of the run that crossed h and ends
// before the first hour of the run of opposite evidence that crossed h.
func cusum(up []float64, h float64) []episode {
	var eps []episode
	s, from := 0.0, 0
	for i := 0; i < len(up); i++ {
		if s == 0 {
			from = i
		}
		s = math.Max(0, s+up[i])
		if s <= h {
			continue
		}
		// In an episode since from; look for its end.
		ep := episode{first: from, ongoing: true}
		down, downFrom := 0.0, i+1
		j := i + 1
		for ; j < len(up); j++ {
			if down == 0 {
				downFrom = j
			}
			down = math.Max(0, down-up[j])
			if down > h {
				ep.ongoing = false
				break
			}
		}
		if ep.ongoing {
			// The data ends inside the episode, or during a quiet spell not yet
			// long enough to call it over: end at the last hour of evidence.
			ep.last = lastPositive(up, from, len(up)-1)
			ep.ongoing = ep.last == len(up)-1
			eps = append(eps, ep)
			return eps
		}
		ep.last = downFrom - 1
		eps = append(eps, ep)
		s, i = 0, downFrom-1
	}
	return eps
}

func lastPositive(up []float64, from, to int) int {
	for i := to; i > from; i-- {
		if up[i] > 0 {
			return i
		}
	}
	return from
}

func sourceID(detector string, k netKey, target string, start time.Time) string {
	return fmt.Sprintf("%s/v%s/%s/AS%d/%s/%s", detector, Version, k.cc, k.asn, target, start.Format("2006-01-02T15Z"))
}

func platformName(slug string) string {
	if n, ok := platform.Name[slug]; ok {
		return n
	}
	return slug
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func capIDs(ids []string, n int) []string {
	sort.Strings(ids)
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids
}

func capWindows(ws []model.Window, n int) []model.Window {
	if len(ws) > n {
		return ws[:n]
	}
	return ws
}
