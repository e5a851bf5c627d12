package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/interference/ooni/oonitest"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/platform"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

var base = time.Date(2023, 2, 6, 0, 0, 0, 0, time.UTC)

// measurements generates a data set, writes it as a .jsonl file and reads
// it back through the OONI reader and scorer, in file order.
func measurements(t testing.TB, spec oonitest.Spec) []*model.Measurement {
	t.Helper()
	var buf bytes.Buffer
	if _, err := oonitest.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "generated.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := shareddatatest.Path(t, "ooni", "ooni-backend-fastpath")
	fp, err := ooni.LoadFingerprints(filepath.Join(dir, "fingerprints_dns.json"), filepath.Join(dir, "fingerprints_http.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Measurement
	_, err = ooni.Ingest(context.Background(), []string{p}, ooni.Options{Scorer: &ooni.Scorer{FP: fp},
		OnError: func(e *ooni.LineError) { t.Errorf("generated measurement rejected: %v", e) }},
		func(ms []*model.Measurement) error {
			out = append(out, ms...)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// incremental feeds measurements one at a time, closing buckets as a
// stream does: whatever ends Lateness before the latest measurement.
func incremental(p Params, ms []*model.Measurement) []Transition {
	d := New(p)
	var out []Transition
	var latest time.Time
	for _, m := range ms {
		if !d.Add(m) {
			panic("late measurement in an ordered feed: " + m.Key())
		}
		if m.StartTime.After(latest) {
			latest = m.StartTime
			out = append(out, d.Close(latest.Add(-p.Lateness))...)
		}
	}
	return append(out, d.Close(latest.Add(-p.Lateness))...)
}

// batch adds everything, then closes every bucket at once.
func batch(p Params, ms []*model.Measurement) []Transition {
	d := New(p)
	var latest time.Time
	for _, m := range ms {
		d.Add(m)
		if m.StartTime.After(latest) {
			latest = m.StartTime
		}
	}
	return d.Close(latest.Add(-p.Lateness))
}

// final is each event's last version, by source_id.
func final(ts []Transition) map[string]*model.Event {
	out := map[string]*model.Event{}
	for _, t := range ts {
		out[t.Event.SourceID] = t.Event
	}
	return out
}

// sameTransitions compares two runs version by version, byte for byte.
func sameTransitions(t *testing.T, want, got []Transition) {
	t.Helper()
	for i := range max(len(want), len(got)) {
		if i >= len(want) || i >= len(got) {
			t.Fatalf("runs differ in length: %d and %d versions", len(want), len(got))
		}
		a, _ := json.Marshal(want[i])
		b, _ := json.Marshal(got[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("version %d differs:\n%s\n%s", i, a, b)
		}
	}
}

func checkTransitions(t *testing.T, ts []Transition) {
	t.Helper()
	phases := map[string][]string{}
	for _, tr := range ts {
		e := tr.Event
		var v model.Validator
		e.Validate(&v)
		if err := v.Err(); err != nil {
			t.Errorf("event %s does not validate: %v", e.SourceID, err)
		}
		if b, _ := json.Marshal(e); len(b) > 64<<10 {
			t.Errorf("event %s is %d bytes, over a ledger leaf", e.SourceID, len(b))
		}
		if e.Phase != tr.Phase {
			t.Errorf("event %s carries phase %q in a %q transition", e.SourceID, e.Phase, tr.Phase)
		}
		phases[e.SourceID] = append(phases[e.SourceID], tr.Phase)
	}
	for id, ps := range phases {
		ok := len(ps) <= 3 && ps[0] == "opened" && slices.IsSorted(slices.Collect(func(yield func(int) bool) {
			for _, p := range ps {
				if !yield(slices.Index([]string{"opened", "revised", "closed"}, p)) {
					return
				}
			}
		})) && len(slices.Compact(slices.Clone(ps))) == len(ps)
		if !ok {
			t.Errorf("event %s went through %v; want opened, at most one revision, closed", id, ps)
		}
	}
}

func kindOf(ep oonitest.Episode) string {
	if ep.Kind == "dns" {
		return "dns_manipulation"
	}
	return ep.Kind
}

func platformOf(domain string) string {
	r, _ := platform.ForHost(domain)
	return r.Platform
}

func overlaps(e *model.Event, start, end time.Time) bool {
	return e.StartedAt.Before(end) && (e.EndedAt == nil || e.EndedAt.After(start))
}

// score is how a run did on a scenario, in SPEC D1's terms.
type score struct {
	episodes, found    int
	startEndOff        int // found with a start or end more than an hour off
	wrongKind, onClean int
	stray              int // network events on no episode
	national           int
	delays             []time.Duration
	maxVersions        int
	problems           []string
}

func (s *score) problem(format string, a ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, a...))
}

func (s score) medianDelay() time.Duration {
	d := slices.Clone(s.delays)
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	if len(d)%2 == 0 {
		return (d[len(d)/2-1] + d[len(d)/2]) / 2
	}
	return d[len(d)/2]
}

// scoreRun matches a run's events with the scenario's episodes and clean
// periods.
func scoreRun(sc oonitest.Scenario, ts []Transition) score {
	var s score
	events := final(ts)
	versions := map[string]int{}
	opened := map[string]time.Time{}
	for _, tr := range ts {
		versions[tr.Event.SourceID]++
		s.maxVersions = max(s.maxVersions, versions[tr.Event.SourceID])
		if tr.Phase == "opened" {
			opened[tr.Event.SourceID] = *tr.Event.Detection.AsOf
		}
	}
	matched := map[string]bool{}
	for _, ep := range sc.Interference() {
		s.episodes++
		pl := platformOf(ep.Domains[0])
		var found *model.Event
		for _, id := range slices.Sorted(maps.Keys(events)) {
			e := events[id]
			if e.Scope != "network" || e.ASNs[0] != ep.ASN || e.Targets[0] != pl || !overlaps(e, ep.Start, ep.End) {
				continue
			}
			if e.Kind != kindOf(ep) {
				s.wrongKind++
				s.problem("wrong kind: %s event %s during the %s episode on AS%d", e.Kind, id, ep.Kind, ep.ASN)
				continue
			}
			if found != nil {
				s.problem("episode %s on AS%d split into %s and %s", ep.Kind, ep.ASN, found.SourceID, id)
			}
			found = e
		}
		if found == nil {
			s.problem("%s episode on AS%d from %s not found", ep.Kind, ep.ASN, ep.Start)
			continue
		}
		s.found++
		matched[found.SourceID] = true
		off := func(got, want time.Time) bool { d := got.Sub(want); return d < -time.Hour || d > time.Hour }
		if off(found.StartedAt, ep.Start) || found.EndedAt == nil || off(*found.EndedAt, ep.End) {
			s.startEndOff++
			s.problem("%s: %s → %v, want %s → %s within an hour", found.SourceID, found.StartedAt, found.EndedAt, ep.Start, ep.End)
		}
		s.delays = append(s.delays, opened[found.SourceID].Sub(ep.Start))
	}
	for _, w := range sc.Clean {
		for _, id := range slices.Sorted(maps.Keys(events)) {
			e := events[id]
			if !slices.Contains(e.ASNs, w.ASN) || !overlaps(e, w.Start, w.End) {
				continue
			}
			for _, dom := range w.Domains {
				if slices.Contains(e.Targets, platformOf(dom)) {
					s.onClean++
					s.problem("event %s (%s) on a clean period of AS%d %s → %s", id, e.Summary, w.ASN, w.Start, w.End)
					break
				}
			}
		}
	}
	for id, e := range events {
		switch {
		case e.Scope == "national":
			s.national++
		case !matched[id]:
			s.stray++
			s.problem("event on no episode: %s: %s", id, e.Summary)
		}
	}
	return s
}

// TestTurkey2023 runs the detectors over the generated Turkish February
// and holds them to SPEC D1: every episode found with its start and end
// within an hour, no event of the wrong kind, none on the clean periods,
// a median delay of at most 15 minutes of data time, batch and incremental
// runs identical, at most three versions an episode.
func TestTurkey2023(t *testing.T) {
	sc := oonitest.Turkey2023(7)
	ms := measurements(t, sc.Spec)
	p := DefaultParams()
	inc := incremental(p, ms)
	sameTransitions(t, batch(p, ms), inc)
	checkTransitions(t, inc)
	s := scoreRun(sc, inc)
	for _, pr := range s.problems {
		t.Error(pr)
	}
	if s.found != s.episodes || s.wrongKind+s.onClean+s.stray+s.startEndOff != 0 || s.maxVersions > 3 {
		t.Errorf("score %+v", s)
	}
	if s.national != 1 {
		t.Errorf("%d national events, want one for X's throttling on three networks", s.national)
	}
	for _, e := range final(inc) {
		if e.Scope == "national" && (e.Kind != "throttling" || len(e.ASNs) != 3 || e.Targets[0] != "x") {
			t.Errorf("national event %s: %s %v %v", e.SourceID, e.Kind, e.ASNs, e.Targets)
		}
	}
	t.Logf("%d of %d episodes found, delays %v, median %s (plus %s of lateness in a stream), %d versions",
		s.found, s.episodes, s.delays, s.medianDelay(), p.Lateness, len(inc))
	if s.medianDelay() > 15*time.Minute {
		t.Errorf("median detection delay %s, want at most 15 minutes of data time", s.medianDelay())
	}
}

// BenchmarkTurkey2023 reports SPEC D1's figures over several seeds of the
// scenario, and the detectors' own cost per measurement (the time of an
// incremental run over measurements already read and scored):
//
//	go test ./internal/interference/detect -run X -bench Turkey2023 -benchtime 1x
func BenchmarkTurkey2023(b *testing.B) {
	seeds := []uint64{7, 8, 9, 10}
	var total score
	var elapsed time.Duration
	measured := 0
	identical := 0
	for _, seed := range seeds {
		sc := oonitest.Turkey2023(seed)
		ms := measurements(b, sc.Spec)
		p := DefaultParams()
		start := time.Now()
		var inc []Transition
		for range b.N {
			inc = incremental(p, ms)
		}
		elapsed += time.Since(start)
		measured += len(ms) * b.N
		a, _ := json.Marshal(inc)
		c, _ := json.Marshal(batch(p, ms))
		if bytes.Equal(a, c) {
			identical++
		}
		s := scoreRun(sc, inc)
		for _, pr := range s.problems {
			b.Logf("seed %d: %s", seed, pr)
		}
		total.episodes += s.episodes
		total.found += s.found
		total.startEndOff += s.startEndOff
		total.wrongKind += s.wrongKind
		total.onClean += s.onClean
		total.stray += s.stray
		total.delays = append(total.delays, s.delays...)
		total.maxVersions = max(total.maxVersions, s.maxVersions)
	}
	b.ReportMetric(float64(total.found)/float64(total.episodes), "found-share")
	b.ReportMetric(float64(total.startEndOff), "start-end-off")
	b.ReportMetric(float64(total.wrongKind), "wrong-kind")
	b.ReportMetric(float64(total.onClean), "on-clean")
	b.ReportMetric(float64(total.stray), "stray")
	b.ReportMetric(total.medianDelay().Minutes(), "median-delay-min")
	b.ReportMetric(slices.Max(total.delays).Minutes(), "max-delay-min")
	b.ReportMetric(float64(total.maxVersions), "max-versions")
	b.ReportMetric(float64(identical)/float64(len(seeds)), "batch=incremental-share")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(measured), "ns/measurement")
}

func spec(episodes ...oonitest.Episode) oonitest.Spec {
	return oonitest.Spec{Start: base, End: base.Add(84 * time.Hour), Networks: oonitest.DefaultNetworks[:3],
		Domains: oonitest.DefaultDomains, Step: 5 * time.Minute, PerStep: 1, Seed: 7, BodyBytes: 256, CertBytes: 64,
		SlowShare: 0.01, Episodes: episodes}
}

func TestCleanPeriodYieldsNoEvents(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		s := oonitest.Turkey2023(seed).Spec
		s.Episodes = nil
		for _, tr := range incremental(DefaultParams(), measurements(t, s)) {
			t.Errorf("seed %d: unexpected %s event: %s: %s", seed, tr.Phase, tr.Event.SourceID, tr.Event.Summary)
		}
	}
}

// When every domain on a network slows down, the platform is not singled
// out: that is congestion or an outage, not throttling.
func TestNetworkWideSlowdownIsNotThrottling(t *testing.T) {
	ts := incremental(DefaultParams(), measurements(t, spec(oonitest.Episode{Kind: "throttling", ASN: 9121,
		Domains: oonitest.DefaultDomains, Start: base.Add(30 * time.Hour), End: base.Add(40 * time.Hour), Factor: 8})))
	for _, tr := range ts {
		t.Errorf("network-wide slowdown reported: %s %s", tr.Event.Kind, tr.Event.Summary)
	}
}

// Throttling that makes a fifth of the handshakes time out is throttling
// only; a DNS block of the same platform during it is reported as well,
// because the DNS answers say so.
func TestThrottlingTimeoutsAreNotBlocking(t *testing.T) {
	start, end := base.Add(30*time.Hour), base.Add(45*time.Hour)
	thr := oonitest.Episode{Kind: "throttling", ASN: 9121, Domains: []string{"twitter.com"}, Start: start, End: end, Factor: 30, TimeoutShare: 0.3}
	kinds := func(ts []Transition) map[string]int {
		k := map[string]int{}
		for _, e := range final(ts) {
			k[e.Kind]++
		}
		return k
	}
	if k := kinds(incremental(DefaultParams(), measurements(t, spec(thr)))); k["throttling"] != 1 || len(k) != 1 {
		t.Errorf("throttling with timeouts gave %v, want one throttling event", k)
	}
	both := spec(thr, oonitest.Episode{Kind: "dns", ASN: 9121, Domains: []string{"twitter.com"}, Start: start.Add(4 * time.Hour),
		End: start.Add(9 * time.Hour), BlockIP: "195.175.254.2"})
	if k := kinds(incremental(DefaultParams(), measurements(t, both))); k["throttling"] < 1 || k["dns_manipulation"] != 1 {
		t.Errorf("throttling with a DNS block inside gave %v, want both", k)
	}
}

// An open episode is versioned three times at most, however long it lasts:
// opened, revised once after six hours, closed.
func TestLongEpisodeHasThreeVersions(t *testing.T) {
	ts := incremental(DefaultParams(), measurements(t, spec(oonitest.Episode{Kind: "dns", ASN: 15897,
		Domains: []string{"www.facebook.com"}, Start: base.Add(10 * time.Hour), End: base.Add(60 * time.Hour), BlockIP: "195.175.254.2"})))
	checkTransitions(t, ts)
	var phases []string
	for _, tr := range ts {
		phases = append(phases, tr.Phase)
	}
	if !slices.Equal(phases, []string{"opened", "revised", "closed"}) {
		t.Fatalf("phases %v", phases)
	}
	rev := ts[1].Event
	if d := rev.Detection.AsOf.Sub(*ts[0].Event.Detection.AsOf); d < 6*time.Hour || d > 6*time.Hour+10*time.Minute {
		t.Errorf("revised %s after opening, want six hours", d)
	}
	if rev.EndedAt != nil || ts[2].Event.EndedAt == nil || rev.SourceID != ts[2].Event.SourceID {
		t.Errorf("revision %+v, closing %+v", rev, ts[2].Event)
	}
}

// A measurement for a bucket already closed is refused, not counted.
func TestLateMeasurementRefused(t *testing.T) {
	d := New(DefaultParams())
	m := &model.Measurement{MeasurementUID: "a", TestName: "web_connectivity", ProbeCC: "TR", ProbeASN: 9121,
		StartTime: base, Outcome: "ok", Domain: "twitter.com", Platform: "x"}
	if !d.Add(m) {
		t.Fatal("first measurement refused")
	}
	d.Close(base.Add(time.Hour))
	late := *m
	late.MeasurementUID, late.StartTime = "b", base.Add(30*time.Minute)
	if d.Add(&late) || !d.Closed().Equal(base.Add(time.Hour)) {
		t.Errorf("late measurement counted; closed up to %s", d.Closed())
	}
}
