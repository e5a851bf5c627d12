package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// A national event joins network events of one kind against one platform
// in one country while they overlap on two or more networks, as when
// Twitter was throttled on several Turkish networks at once. It opens when
// the second network's event opens, is revised at most once, and closes
// when the last of them closes.
type nationalKey struct{ cc, platform, kind string }

type nationalState struct {
	members  map[int64]*model.Event // by ASN, each network's latest version
	open     map[int64]bool
	opened   bool
	revised  bool
	openedAt int64 // bucket
	sourceID string
}

func (d *Detector) nationalStep(phase string, pk platformKey, e *model.Event, b int64) []Transition {
	k := nationalKey{pk.net.cc, pk.platform, e.Kind}
	ns := d.national[k]
	if ns == nil {
		if phase != "opened" {
			return nil
		}
		ns = &nationalState{members: map[int64]*model.Event{}, open: map[int64]bool{}}
		d.national[k] = ns
	}
	ns.members[pk.net.asn] = e
	ns.open[pk.net.asn] = phase != "closed"
	anyOpen := false
	for _, o := range ns.open {
		anyOpen = anyOpen || o
	}
	switch {
	case !anyOpen:
		delete(d.national, k)
		if ns.opened {
			return []Transition{{Phase: "closed", Event: d.nationalEvent(k, ns, "closed", b)}}
		}
	case !ns.opened && len(ns.members) >= 2:
		ns.opened, ns.openedAt = true, b
		first := ns.members[ns.firstASN()]
		ns.sourceID = fmt.Sprintf("%s/v%s/%s/national/%s/%s", first.Detection.Detector, Version, k.cc, k.platform,
			first.StartedAt.Format(minuteLayout))
		return []Transition{{Phase: "opened", Event: d.nationalEvent(k, ns, "opened", b)}}
	case ns.opened && !ns.revised && d.bucketStart(b+1).Sub(d.bucketStart(ns.openedAt+1)) >= d.p.Revise:
		ns.revised = true
		return []Transition{{Phase: "revised", Event: d.nationalEvent(k, ns, "revised", b)}}
	}
	return nil
}

// firstASN is the network whose event started first.
func (ns *nationalState) firstASN() int64 {
	var best int64
	var at time.Time
	for _, asn := range slices.Sorted(keysOf(ns.members)) {
		if e := ns.members[asn]; at.IsZero() || e.StartedAt.Before(at) {
			best, at = asn, e.StartedAt
		}
	}
	return best
}

func keysOf[V any](m map[int64]V) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (d *Detector) nationalEvent(k nationalKey, ns *nationalState, phase string, b int64) *model.Event {
	asns := slices.Sorted(keysOf(ns.members))
	first := ns.members[ns.firstASN()]
	var targets, ids []string
	var values []float64
	var windows []model.Window
	rank := map[string]int{"low": 0, "medium": 1, "high": 2}
	conf := "low"
	var end *time.Time
	for _, asn := range asns {
		e := ns.members[asn]
		targets = append(targets, e.Targets[1:]...)
		ids = append(ids, e.Evidence.Measurements...)
		windows = append(windows, e.Evidence.Windows...)
		if e.Severity != nil {
			values = append(values, e.Severity.Value)
		}
		if rank[e.Confidence] > rank[conf] {
			conf = e.Confidence
		}
		if phase == "closed" && (end == nil || e.EndedAt.After(*end)) {
			t := *e.EndedAt
			end = &t
		}
	}
	slices.SortStableFunc(windows, func(a, b model.Window) int { return a.Start.Compare(b.Start) })
	asOf := d.bucketStart(b + 1)
	e := &model.Event{
		Country: k.cc, Scope: "national", ASNs: asns, Kind: k.kind,
		Targets:    append([]string{k.platform}, sortedUnique(targets)...),
		StartedAt:  first.StartedAt,
		EndedAt:    end,
		Confidence: conf,
		Phase:      phase,
		Detection: model.Detection{Detector: first.Detection.Detector, Version: Version, AsOf: &asOf,
			Params: map[string]any{"merged_networks": len(asns)}},
		Evidence: model.Evidence{Measurements: capIDs(ids, d.p.MaxEvidence), Windows: capWindows(windows, d.p.MaxWindows)},
		SourceID: ns.sourceID,
	}
	if first.Severity != nil && len(values) > 0 {
		e.Severity = &model.Severity{Metric: first.Severity.Metric, Value: median(values)}
	}
	what := map[string]string{"throttling": "throttled", "dns_manipulation": "blocked by DNS manipulation", "blocking": "blocked"}[k.kind]
	e.Title = platformName(k.platform) + " " + what + " on " + formatInt(int64(len(asns))) + " networks in " + k.cc
	as := make([]string, len(asns))
	for i, a := range asns {
		as[i] = "AS" + formatInt(a)
	}
	e.Summary = "Network events on " + strings.Join(as, ", ") + " overlap from " + e.StartedAt.Format(minuteLayout)
	if end != nil {
		e.Summary += " to " + end.Format(minuteLayout)
	}
	return e
}

func capIDs(ids []string, n int) []string {
	ids = sortedUnique(ids)
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
