package detect

import (
	"math"
	"sort"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// national adds a country-wide event wherever network events of the same
// kind against the same platform overlap on two or more networks, as when
// Twitter was throttled on several Turkish networks at once.
func (d *Detector) national(events []*model.Event) []*model.Event {
	type key struct{ cc, platform, kind string }
	groups := map[key][]*model.Event{}
	for _, e := range events {
		if e.Scope != "network" || len(e.Targets) == 0 {
			continue
		}
		k := key{e.Country, e.Targets[0], e.Kind}
		groups[k] = append(groups[k], e)
	}
	far := time.Unix(1<<62, 0)
	end := func(e *model.Event) time.Time {
		if e.EndedAt == nil {
			return far
		}
		return *e.EndedAt
	}
	var out []*model.Event
	for k, es := range groups {
		sort.Slice(es, func(i, j int) bool { return es[i].StartedAt.Before(es[j].StartedAt) })
		for i := 0; i < len(es); {
			cluster := []*model.Event{es[i]}
			last := end(es[i])
			j := i + 1
			for ; j < len(es) && !es[j].StartedAt.After(last); j++ {
				cluster = append(cluster, es[j])
				if t := end(es[j]); t.After(last) {
					last = t
				}
			}
			i = j
			asns := map[int64]bool{}
			for _, e := range cluster {
				for _, a := range e.ASNs {
					asns[a] = true
				}
			}
			if len(asns) < 2 {
				continue
			}
			out = append(out, d.nationalEvent(k.cc, k.platform, k.kind, cluster, last, far))
		}
	}
	return out
}

func (d *Detector) nationalEvent(cc, platform, kind string, cluster []*model.Event, last, far time.Time) *model.Event {
	first := cluster[0]
	var asns []int64
	var targets, ids []string
	var values []float64
	var windows []model.Window
	conf := "low"
	rank := map[string]int{"low": 0, "medium": 1, "high": 2}
	for _, e := range cluster {
		asns = append(asns, e.ASNs...)
		targets = append(targets, e.Targets[1:]...)
		ids = append(ids, e.Evidence.Measurements...)
		windows = append(windows, e.Evidence.Windows...)
		if e.Severity != nil {
			values = append(values, e.Severity.Value)
		}
		if rank[e.Confidence] > rank[conf] {
			conf = e.Confidence
		}
	}
	asns = sortedUnique(asns)
	sort.SliceStable(windows, func(i, j int) bool { return windows[i].Start.Before(windows[j].Start) })
	detector := first.Detection.Detector
	e := &model.Event{
		Country: cc, Scope: "national", ASNs: asns, Kind: kind,
		Targets:    append([]string{platform}, sortedUnique(targets)...),
		StartedAt:  first.StartedAt,
		Confidence: conf,
		Detection:  model.Detection{Detector: detector, Version: Version, Params: map[string]any{"merged_networks": len(asns)}},
		Evidence:   model.Evidence{Measurements: capIDs(ids, d.p.MaxEvidence), Windows: capWindows(windows, d.p.MaxWindows)},
		SourceID:   sourceID(detector, netKey{cc: cc}, platform, first.StartedAt),
	}
	if first.Severity != nil && len(values) > 0 {
		v := median(values)
		if math.IsNaN(v) {
			v = 0
		}
		e.Severity = &model.Severity{Metric: first.Severity.Metric, Value: v}
	}
	if last != far {
		e.EndedAt = &last
	}
	what := map[string]string{"throttling": "throttled", "dns_manipulation": "blocked by DNS manipulation", "blocking": "blocked"}[kind]
	e.Title = platformName(platform) + " " + what + " on " + formatInt(int64(len(e.ASNs))) + " networks in " + cc
	e.Summary = "Network events on AS" + joinInts(e.ASNs) + " overlap from " + e.StartedAt.Format("2006-01-02T15:04Z")
	return e
}

func joinInts(xs []int64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", AS"
		}
		s += formatInt(x)
	}
	return s
}
