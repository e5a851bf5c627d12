package detect

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatFloat(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }

// tlsSeries is a domain's hourly median handshake time and its baseline.
type tlsSeries struct {
	hours    []int64
	medians  []float64
	baseline float64
	byHour   map[int64]float64
}

func (d *Detector) tlsSeries(k domainKey) *tlsSeries {
	s := &tlsSeries{byHour: map[int64]float64{}}
	hours := d.buckets[k]
	for _, h := range sortedHours(hours) {
		b := hours[h]
		if len(b.tls) < d.p.MinSamples {
			continue
		}
		m := median(b.tls)
		s.hours = append(s.hours, h)
		s.medians = append(s.medians, m)
		s.byHour[h] = m
	}
	if len(s.hours) == 0 {
		return nil
	}
	s.baseline = median(s.medians)
	if s.baseline <= 0 {
		return nil
	}
	return s
}

// throttledEpisode is one domain's rise, before merging by platform.
type throttledEpisode struct {
	domain           string
	first, last      int64 // hours
	ongoing          bool
	ratio, controlRt float64
	controls         int
	ids              []string
	windows          []model.Window
}

// throttling looks for sustained rises of the TLS handshake time of a
// platform's domains that control domains on the same network do not share.
func (d *Detector) throttling() []*model.Event {
	series := map[domainKey]*tlsSeries{}
	for k := range d.buckets {
		if s := d.tlsSeries(k); s != nil {
			series[k] = s
		}
	}
	byPlatform := map[platformKey][]throttledEpisode{}
	for k, s := range series {
		pl := d.platform[k]
		if pl == "" {
			continue
		}
		up := make([]float64, len(s.hours))
		for i, m := range s.medians {
			up[i] = math.Log(m/s.baseline) - math.Log(d.p.ThrottleSlack)
		}
		for _, ep := range cusum(up, d.p.ThrottleH) {
			te := throttledEpisode{domain: k.domain, first: s.hours[ep.first], last: s.hours[ep.last], ongoing: ep.ongoing}
			var ratios []float64
			for i := ep.first; i <= ep.last; i++ {
				r := s.medians[i] / s.baseline
				ratios = append(ratios, r)
				te.windows = append(te.windows, model.Window{Start: hourTime(s.hours[i]), End: hourTime(s.hours[i] + 1),
					Metric: "tls_handshake_ratio", Value: round(r, 2), Count: len(d.buckets[k][s.hours[i]].tls)})
				te.ids = append(te.ids, d.buckets[k][s.hours[i]].tlsIDs...)
			}
			te.ratio = median(ratios)
			te.controlRt, te.controls = d.controlRatio(k, pl, series, te.first, te.last)
			if te.controls > 0 && te.controlRt > d.p.ControlMax {
				continue // the whole network slowed down: not aimed at the platform
			}
			pk := platformKey{k.net, pl}
			byPlatform[pk] = append(byPlatform[pk], te)
		}
	}
	var out []*model.Event
	for pk, eps := range byPlatform {
		out = append(out, d.throttlingEvents(pk, eps)...)
	}
	return out
}

// controlRatio is the median ratio to their own baselines of the other
// platforms' and unmapped domains on the same network over the same hours.
func (d *Detector) controlRatio(target domainKey, pl string, series map[domainKey]*tlsSeries, first, last int64) (float64, int) {
	var ratios []float64
	domains := 0
	for k, s := range series {
		if k.net != target.net || d.platform[k] == pl {
			continue
		}
		found := false
		for h := first; h <= last; h++ {
			if m, ok := s.byHour[h]; ok {
				ratios = append(ratios, m/s.baseline)
				found = true
			}
		}
		if found {
			domains++
		}
	}
	if len(ratios) == 0 {
		return math.NaN(), 0
	}
	return median(ratios), domains
}

// throttlingEvents merges overlapping episodes of one platform's domains.
func (d *Detector) throttlingEvents(pk platformKey, eps []throttledEpisode) []*model.Event {
	sort.Slice(eps, func(i, j int) bool {
		if eps[i].first != eps[j].first {
			return eps[i].first < eps[j].first
		}
		return eps[i].domain < eps[j].domain
	})
	var groups [][]throttledEpisode
	for _, e := range eps {
		if n := len(groups); n > 0 {
			g := groups[n-1]
			last := g[0].last
			for _, x := range g {
				last = max(last, x.last)
			}
			if e.first <= last+1 {
				groups[n-1] = append(g, e)
				continue
			}
		}
		groups = append(groups, []throttledEpisode{e})
	}
	var out []*model.Event
	for _, g := range groups {
		first, last, ongoing := g[0].first, g[0].last, false
		var domains, ids []string
		var windows []model.Window
		var ratios, controls []float64
		nControls := 0
		for _, e := range g {
			first, last = min(first, e.first), max(last, e.last)
			ongoing = ongoing || e.ongoing
			domains = append(domains, e.domain)
			ids = append(ids, e.ids...)
			windows = append(windows, e.windows...)
			ratios = append(ratios, e.ratio)
			if e.controls > 0 {
				controls = append(controls, e.controlRt)
				nControls = max(nControls, e.controls)
			}
		}
		sort.SliceStable(windows, func(i, j int) bool { return windows[i].Start.Before(windows[j].Start) })
		ratio := median(ratios)
		start := hourTime(first)
		e := &model.Event{
			Country: pk.net.cc, Scope: "network", ASNs: []int64{pk.net.asn}, Kind: "throttling",
			Targets:   append([]string{pk.platform}, sortedUnique(domains)...),
			StartedAt: start,
			Severity:  &model.Severity{Metric: "tls_handshake_ratio", Value: round(ratio, 1)},
			Detection: model.Detection{Detector: ThrottlingDetector, Version: Version, Params: d.p.throttlingMap()},
			Evidence:  model.Evidence{Measurements: capIDs(ids, d.p.MaxEvidence), Windows: capWindows(windows, d.p.MaxWindows)},
			SourceID:  sourceID(ThrottlingDetector, pk.net, pk.platform, start),
		}
		if !ongoing {
			end := hourTime(last + 1)
			e.EndedAt = &end
		}
		hours := last - first + 1
		control := math.NaN()
		if len(controls) > 0 {
			control = median(controls)
			e.Detection.Params["control_ratio"] = round(control, 2)
			e.Detection.Params["control_domains"] = nControls
		}
		switch {
		case nControls > 0 && control <= 1.2 && hours >= 3 && ratio >= 3:
			e.Confidence = "high"
		case nControls > 0:
			e.Confidence = "medium"
		default:
			e.Confidence = "low"
		}
		e.Title = platformName(pk.platform) + " throttled on AS" + formatInt(pk.net.asn) + " (" + pk.net.cc + ")"
		e.Summary = "TLS handshakes to " + strings.Join(sortedUnique(domains), ", ") + " took " + formatFloat(ratio, 1) +
			"× their usual time from " + start.Format("2006-01-02T15:04Z")
		if e.EndedAt != nil {
			e.Summary += " to " + e.EndedAt.Format("2006-01-02T15:04Z")
		}
		if nControls > 0 {
			e.Summary += "; control domains on the same network stayed at " + formatFloat(control, 1) + "×"
		} else {
			e.Summary += "; no control domains were measured on this network"
		}
		out = append(out, e)
	}
	return out
}
