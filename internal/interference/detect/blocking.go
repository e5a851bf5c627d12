package detect

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

type platformKey struct {
	net      netKey
	platform string
}

// blocking runs the Bernoulli CUSUM per country, network and platform.
func (d *Detector) blocking() []*model.Event {
	series := map[platformKey]map[int64]*bucket{}
	domains := map[platformKey][]string{}
	for k, hours := range d.buckets {
		pl := d.platform[k]
		if pl == "" {
			continue
		}
		pk := platformKey{k.net, pl}
		agg := series[pk]
		if agg == nil {
			agg = map[int64]*bucket{}
			series[pk] = agg
		}
		domains[pk] = append(domains[pk], k.domain)
		for h, b := range hours {
			a := agg[h]
			if a == nil {
				a = &bucket{}
				agg[h] = a
			}
			a.n += b.n
			a.failure += b.failure
			a.blocked += b.blocked
			a.confirmed += b.confirmed
			a.dns += b.dns
			a.blockedIDs = append(a.blockedIDs, b.blockedIDs...)
		}
	}
	var out []*model.Event
	for pk, agg := range series {
		out = append(out, d.blockingSeries(pk, agg, domains[pk])...)
	}
	return out
}

func (d *Detector) blockingSeries(pk platformKey, agg map[int64]*bucket, domains []string) []*model.Event {
	var hours []int64
	var shares []float64
	for _, h := range sortedHours(agg) {
		b := agg[h]
		if n := b.n - b.failure; n > 0 {
			hours = append(hours, h)
			shares = append(shares, float64(b.blocked)/float64(n))
		}
	}
	if len(hours) == 0 {
		return nil
	}
	p0 := math.Min(math.Max(lowerMean(shares, 0.75), 0.03), 0.45)
	p1 := math.Min(p0+d.p.BlockShift, 0.99)
	mid := (p0 + p1) / 2
	up := make([]float64, len(hours))
	for i, h := range hours {
		b := agg[h]
		k, n := float64(b.blocked), float64(b.n-b.failure)
		up[i] = k*math.Log(p1/p0) + (n-k)*math.Log((1-p1)/(1-p0))
	}
	var out []*model.Event
	for _, ep := range cusum(up, d.p.BlockH) {
		// The CUSUM's bounds can take in a noisy hour on either side; an
		// episode spans the hours whose share is nearer p1 than p0.
		for ep.first < ep.last && shares[ep.first] < mid {
			ep.first++
		}
		for ep.last > ep.first && shares[ep.last] < mid {
			ep.last--
			ep.ongoing = false
		}
		var n, blocked, confirmed, dns int
		var ids []string
		var windows []model.Window
		for i := ep.first; i <= ep.last; i++ {
			b := agg[hours[i]]
			n += b.n - b.failure
			blocked += b.blocked
			confirmed += b.confirmed
			dns += b.dns
			ids = append(ids, b.blockedIDs...)
			windows = append(windows, model.Window{Start: hourTime(hours[i]), End: hourTime(hours[i] + 1),
				Metric: "anomaly_share", Value: round(shares[i], 3), Count: b.n - b.failure})
		}
		share := float64(blocked) / float64(n)
		if share < d.p.MinBlockedShare {
			continue
		}
		kind := "blocking"
		if dns*2 >= blocked {
			kind = "dns_manipulation"
		}
		start := hourTime(hours[ep.first])
		e := &model.Event{
			Country: pk.net.cc, Scope: "network", ASNs: []int64{pk.net.asn}, Kind: kind,
			Targets:   append([]string{pk.platform}, sortedUnique(domains)...),
			StartedAt: start,
			Severity:  &model.Severity{Metric: "anomaly_share", Value: round(share, 3)},
			Detection: model.Detection{Detector: BlockingDetector, Version: Version, Params: d.p.blockingMap()},
			Evidence:  model.Evidence{Measurements: capIDs(ids, d.p.MaxEvidence), Windows: capWindows(windows, d.p.MaxWindows)},
			SourceID:  sourceID(BlockingDetector, pk.net, pk.platform, start),
		}
		e.Detection.Params["baseline_share"] = round(p0, 4)
		if !ep.ongoing {
			end := hourTime(hours[ep.last] + 1)
			e.EndedAt = &end
		}
		hoursLong := ep.last - ep.first + 1
		switch {
		case confirmed*2 >= blocked && hoursLong >= 2:
			e.Confidence = "high"
		case hoursLong >= 2 || n >= 20:
			e.Confidence = "medium"
		default:
			e.Confidence = "low"
		}
		how := "blocked"
		if kind == "dns_manipulation" {
			how = "blocked by DNS manipulation"
		}
		e.Title = platformName(pk.platform) + " " + how + " on AS" + formatInt(pk.net.asn) + " (" + pk.net.cc + ")"
		e.Summary = describe(share, blocked, n, confirmed, start, e.EndedAt)
		out = append(out, e)
	}
	return out
}

func sortedUnique[T cmp.Ordered](xs []T) []T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return slices.Compact(s)
}

func describe(share float64, blocked, n, confirmed int, start time.Time, end *time.Time) string {
	s := formatFloat(share*100, 0) + "% of " + formatInt(int64(n)) + " measurements anomalous (" +
		formatInt(int64(confirmed)) + " confirmed by a blocking fingerprint) from " + start.Format(time.RFC3339)
	if end != nil {
		s += " to " + end.Format(time.RFC3339)
	} else {
		s += ", ongoing"
	}
	return s
}

// lowerMean is the mean of the values at or below quantile q: the usual
// level of a series that may contain an episode.
func lowerMean(xs []float64, q float64) float64 {
	cut := quantile(xs, q)
	sum, n := 0.0, 0
	for _, x := range xs {
		if x <= cut {
			sum += x
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
