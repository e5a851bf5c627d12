package detect

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// stat is what one bucket tells one of a platform's detectors.
type stat struct {
	b int64
	// blocking: usable and blocked measurements, of which confirmed by a
	// fingerprint or blocked by DNS; the baseline share they were judged by
	n, k, confirmed, dns int
	baseline             float64
	// throttling: handshakes, their median ratio to the usual time, and
	// the controls' median ratio over as many control handshakes
	samples  int
	ratio    float64
	control  float64
	controls int
	ids      []string
	domains  []string
}

// maxRun bounds the buckets remembered before an alarm.
const maxRun = 2 * 288

// machine is a CUSUM with its episode. Out of an episode it sums the
// evidence of each bucket, floored at zero, and opens an episode when the
// sum passes h: the episode starts where that run of evidence began. In an
// episode a mirror sum of the opposite evidence closes it when it passes
// h: the episode ends where that run began.
type machine struct {
	s         float64
	runStart  int64
	run       []stat
	ep        *episode
	down      float64
	downStart int64
	tail      []stat
}

func (m *machine) quiet() bool { return m.ep == nil && m.s == 0 }

// step takes one bucket's evidence and says whether an episode opened or
// closed with it.
func (m *machine) step(e float64, st stat, h float64, accept func([]stat) bool, p Params) string {
	if m.ep == nil {
		if m.s == 0 {
			m.runStart, m.run = st.b, m.run[:0]
		}
		m.s = math.Max(0, m.s+e)
		if m.s == 0 {
			m.run = m.run[:0]
			return ""
		}
		if len(m.run) < maxRun {
			m.run = append(m.run, st)
		}
		if m.s > h && accept(m.run) {
			m.ep = &episode{start: m.runStart, opened: st.b, maxIDs: p.MaxEvidence, maxHours: p.MaxWindows, bucket: p.Bucket}
			for _, x := range m.run {
				m.ep.add(x)
			}
			m.run = m.run[:0]
			return "opened"
		}
		return ""
	}
	if m.down == 0 {
		m.downStart, m.tail = st.b, m.tail[:0]
	}
	m.down = math.Max(0, m.down-e)
	if m.down == 0 {
		// A quiet spell too short to end the episode was part of it.
		for _, x := range m.tail {
			m.ep.add(x)
		}
		m.ep.add(st)
		m.tail = m.tail[:0]
		return ""
	}
	if len(m.tail) < maxRun {
		m.tail = append(m.tail, st)
	}
	if m.down > h {
		return "closed"
	}
	return ""
}

func (m *machine) reset() {
	m.s, m.down, m.ep, m.run, m.tail = 0, 0, nil, m.run[:0], m.tail[:0]
}

// episode accumulates what an event says: totals, hourly windows and
// the first measurement ids.
type episode struct {
	start, opened, last int64
	kind                string
	sourceID            string
	revised             bool
	baseline            float64
	domains             []string
	n, k, confirmed     int
	dns                 int
	ratios              []float64 // throttling: each bucket's median ratio
	controls            []float64
	controlHandshakes   int
	ids                 []string
	hours               []hour
	maxIDs, maxHours    int
	bucket              time.Duration
}

type hour struct {
	h       int64 // unix hour
	n, k    int
	ratios  []float64
	samples int
}

func (ep *episode) add(st stat) {
	if ep.baseline == 0 {
		ep.baseline = st.baseline
	}
	ep.last = st.b
	ep.domains = sortedUnique(append(ep.domains, st.domains...))
	ep.n += st.n
	ep.k += st.k
	ep.confirmed += st.confirmed
	ep.dns += st.dns
	if st.samples > 0 {
		ep.ratios = append(ep.ratios, st.ratio)
	}
	if st.controls > 0 {
		ep.controls = append(ep.controls, st.control)
		ep.controlHandshakes += st.controls
	}
	for _, id := range st.ids {
		if len(ep.ids) >= ep.maxIDs {
			break
		}
		ep.ids = append(ep.ids, id)
	}
	h := time.Unix(0, st.b*int64(ep.bucket)).Unix() / 3600
	if n := len(ep.hours); n == 0 || ep.hours[n-1].h != h {
		if n >= ep.maxHours {
			return
		}
		ep.hours = append(ep.hours, hour{h: h})
	}
	hr := &ep.hours[len(ep.hours)-1]
	hr.n += st.n
	hr.k += st.k
	hr.samples += st.samples
	if st.samples > 0 {
		hr.ratios = append(hr.ratios, st.ratio)
	}
}

// version builds the event a transition of a network's detector writes,
// and the national versions it leads to.
func (d *Detector) version(phase string, pk platformKey, kind string, m *machine, b int64) []Transition {
	ep := m.ep
	asOf := d.bucketStart(b + 1)
	var end *time.Time
	if phase == "closed" {
		t := d.bucketStart(m.downStart)
		end = &t
	}
	if phase == "opened" {
		ep.kind = kind
		if kind == "" {
			ep.kind = "blocking"
			if ep.dns*2 >= ep.k {
				ep.kind = "dns_manipulation"
			}
		}
		detector := BlockingDetector
		if ep.kind == "throttling" {
			detector = ThrottlingDetector
		}
		ep.sourceID = sourceID(detector, pk.net, pk.platform, d.bucketStart(ep.start))
	}
	e := d.networkEvent(pk, ep, phase, asOf, end)
	if phase == "closed" {
		m.reset()
	}
	out := []Transition{{Phase: phase, Event: e}}
	return append(out, d.nationalStep(phase, pk, e, b)...)
}

// maybeRevise writes the one revision of an open event, once Revise has
// passed since it opened.
func (d *Detector) maybeRevise(pk platformKey, kind string, m *machine, b int64) []Transition {
	ep := m.ep
	if ep.revised || d.bucketStart(b+1).Sub(d.bucketStart(ep.opened+1)) < d.p.Revise {
		return nil
	}
	ep.revised = true
	return d.version("revised", pk, kind, m, b)
}

func (d *Detector) networkEvent(pk platformKey, ep *episode, phase string, asOf time.Time, end *time.Time) *model.Event {
	start := d.bucketStart(ep.start)
	lasted := asOf.Sub(start)
	if end != nil {
		lasted = end.Sub(start)
	}
	e := &model.Event{
		Country: pk.net.cc, Scope: "network", ASNs: []int64{pk.net.asn}, Kind: ep.kind,
		Targets:   append([]string{pk.platform}, ep.domains...),
		StartedAt: start, EndedAt: end, Phase: phase, SourceID: ep.sourceID,
		Evidence: model.Evidence{Measurements: slices.Clone(ep.ids)},
	}
	e.Detection.AsOf = &asOf
	e.Detection.Version = Version
	windowEnd := func(h int64) time.Time {
		t := time.Unix((h+1)*3600, 0).UTC()
		if end != nil && t.After(*end) {
			return *end
		}
		if end == nil && t.After(asOf) {
			return asOf
		}
		return t
	}
	windowStart := func(h int64) time.Time {
		t := time.Unix(h*3600, 0).UTC()
		if t.Before(start) {
			return start
		}
		return t
	}
	if ep.kind == "throttling" {
		ratio := median(ep.ratios)
		e.Severity = &model.Severity{Metric: "tls_handshake_ratio", Value: round(ratio, 1)}
		e.Detection.Detector = ThrottlingDetector
		e.Detection.Params = d.p.throttlingMap()
		for _, h := range ep.hours {
			if len(h.ratios) > 0 {
				e.Evidence.Windows = append(e.Evidence.Windows, model.Window{Start: windowStart(h.h), End: windowEnd(h.h),
					Metric: "tls_handshake_ratio", Value: round(median(h.ratios), 2), Count: h.samples})
			}
		}
		control := math.NaN()
		if len(ep.controls) > 0 {
			control = median(ep.controls)
			e.Detection.Params["control_ratio"] = round(control, 2)
			e.Detection.Params["control_handshakes"] = ep.controlHandshakes
		}
		switch {
		case len(ep.controls) > 0 && control <= 1.2 && lasted >= time.Hour && ratio >= 3:
			e.Confidence = "high"
		case len(ep.controls) > 0:
			e.Confidence = "medium"
		default:
			e.Confidence = "low"
		}
		e.Title = platformName(pk.platform) + " throttled on AS" + formatInt(pk.net.asn) + " (" + pk.net.cc + ")"
		e.Summary = "TLS handshakes to " + strings.Join(ep.domains, ", ") + " took " + formatFloat(ratio, 1) +
			"× their usual time from " + start.Format(minuteLayout)
		if end != nil {
			e.Summary += " to " + end.Format(minuteLayout)
		}
		if len(ep.controls) > 0 {
			e.Summary += "; control domains on the same network stayed at " + formatFloat(control, 1) + "×"
		} else {
			e.Summary += "; no control domains were measured on this network"
		}
		return e
	}
	share := 0.0
	if ep.n > 0 {
		share = float64(ep.k) / float64(ep.n)
	}
	e.Severity = &model.Severity{Metric: "anomaly_share", Value: round(share, 3)}
	e.Detection.Detector = BlockingDetector
	e.Detection.Params = d.p.blockingMap()
	e.Detection.Params["baseline_share"] = round(ep.baseline, 4)
	for _, h := range ep.hours {
		if h.n > 0 {
			e.Evidence.Windows = append(e.Evidence.Windows, model.Window{Start: windowStart(h.h), End: windowEnd(h.h),
				Metric: "anomaly_share", Value: round(float64(h.k)/float64(h.n), 3), Count: h.n})
		}
	}
	switch {
	case ep.confirmed*2 >= ep.k && lasted >= time.Hour:
		e.Confidence = "high"
	case lasted >= 30*time.Minute || ep.n >= 20:
		e.Confidence = "medium"
	default:
		e.Confidence = "low"
	}
	how := "blocked"
	if ep.kind == "dns_manipulation" {
		how = "blocked by DNS manipulation"
	}
	e.Title = platformName(pk.platform) + " " + how + " on AS" + formatInt(pk.net.asn) + " (" + pk.net.cc + ")"
	e.Summary = formatFloat(share*100, 0) + "% of " + formatInt(int64(ep.n)) + " measurements anomalous (" +
		formatInt(int64(ep.confirmed)) + " confirmed by a blocking fingerprint) from " + start.Format(minuteLayout)
	if end != nil {
		e.Summary += " to " + end.Format(minuteLayout)
	} else {
		e.Summary += ", ongoing"
	}
	return e
}

const minuteLayout = "2006-01-02T15:04Z"

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatFloat(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }
