package interference

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Lookback is how much stored history a stream replays through a
// country's detectors before it judges new measurements, so that they
// start from the usual levels. Detection is causal, so replaying it gives
// the decisions it gave the first time.
const Lookback = 14 * 24 * time.Hour

// Stream feeds measurements to the detectors as they are stored and writes
// the versions of events the detectors make. It reads what it feeds from
// the store, bucket by closed bucket, so that every path (a file, a
// followed directory, the API) and a batch run over the same measurements
// give the same events: a bucket is judged once, on everything stored for
// it, Lateness after the latest measurement passed its end.
//
// A measurement stored for a bucket already judged (a straggler) is kept
// and counted; the country's detectors are then rebuilt from the store
// (RebuildEvery at most in a long-running stream, and at Settle).
type Stream struct {
	store  store.Store
	reg    *registry.Registry
	params detect.Params
	// RebuildEvery spaces rebuilds after stragglers.
	RebuildEvery time.Duration
	// OnVersion, if set, is told of every event version written.
	OnVersion func(Written)

	mu        sync.Mutex
	countries map[string]*countryStream
	stats     StreamStats
	// made, when set, collects the source_ids of the events the detectors
	// made, written or not.
	made map[string]bool
}

// Written is one event version the stream wrote.
type Written struct {
	Phase  string
	Event  *model.Event
	Status string // created or updated
}

// StreamStats count what a stream did.
type StreamStats struct {
	Fed       int // measurements the detectors judged
	Late      int // measurements stored after their bucket was judged
	Rebuilds  int
	Versions  int // event versions written
	Unchanged int // versions the store already held, or that an event had passed
	Retracted int // stored events a batch run no longer made
}

type countryStream struct {
	det      *detect.Detector
	fed      time.Time // stored measurements before this have been fed
	latest   time.Time // the latest stored measurement seen
	earliest time.Time // the earliest new measurement, before the first feed
	late     int
	rebuilt  time.Time // wall clock of the last rebuild
}

// NewStream returns a stream writing events through reg.
func NewStream(s store.Store, reg *registry.Registry, p detect.Params) *Stream {
	return &Stream{store: s, reg: reg, params: p, RebuildEvery: time.Minute, countries: map[string]*countryStream{}}
}

// Stats returns what the stream did so far.
func (st *Stream) Stats() StreamStats {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.stats
}

// Stored tells the stream that measurements were stored; fresh says
// whether any of them was new to the store.
func (st *Stream) Stored(ms []*model.Measurement, fresh bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range ms {
		cs := st.countries[m.ProbeCC]
		if cs == nil {
			cs = &countryStream{earliest: m.StartTime, latest: m.StartTime}
			st.countries[m.ProbeCC] = cs
		}
		if m.StartTime.After(cs.latest) {
			cs.latest = m.StartTime
		}
		if cs.det == nil {
			if m.StartTime.Before(cs.earliest) {
				cs.earliest = m.StartTime
			}
			continue
		}
		if fresh && m.StartTime.Before(cs.det.Closed()) {
			cs.late++
			st.stats.Late++
		}
	}
}

// Advance feeds every country's detectors what was stored up to Lateness
// before its latest measurement, and writes the events.
func (st *Stream) Advance(ctx context.Context) error {
	return st.advance(ctx, st.params.Lateness, false)
}

// Settle is Advance that first rebuilds, now, every country that had
// stragglers: the end of an import.
func (st *Stream) Settle(ctx context.Context) error { return st.advance(ctx, st.params.Lateness, true) }

// fileLateness is how far behind its latest measurement an import judges
// while a file is read: OONI's files hold an hour, in no particular order
// within it. The end of the file settles the rest.
const fileLateness = time.Hour

func (st *Stream) advance(ctx context.Context, lateness time.Duration, settle bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	ccs := make([]string, 0, len(st.countries))
	for cc := range st.countries {
		ccs = append(ccs, cc)
	}
	sort.Strings(ccs)
	for _, cc := range ccs {
		cs := st.countries[cc]
		if cs.late > 0 && (settle || time.Since(cs.rebuilt) >= st.RebuildEvery) {
			cs.det, cs.late, cs.rebuilt = nil, 0, time.Now()
			cs.earliest = cs.latest
			st.stats.Rebuilds++
		}
		if cs.det == nil {
			cs.det = detect.New(st.params)
			cs.fed = cs.earliest.Add(-Lookback)
		}
		if err := st.feed(ctx, cc, cs, cs.latest.Add(-lateness)); err != nil {
			return err
		}
	}
	return nil
}

// feed reads the stored measurements from cs.fed to the start of the
// bucket that holds until, closes the buckets before it, and writes.
func (st *Stream) feed(ctx context.Context, cc string, cs *countryStream, until time.Time) error {
	to := until.Truncate(st.params.Bucket)
	if !to.After(cs.fed) {
		return nil
	}
	from := cs.fed
	err := st.store.EachMeasurement(ctx, store.MeasurementQuery{ProbeCC: cc, Since: &from, Until: &to}, func(m *model.Measurement) error {
		if cs.det.Add(m) {
			st.stats.Fed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	cs.fed = to
	return st.write(ctx, cs.det.Close(to))
}

// write writes each version an event enters, in order, through the
// registry. A version is skipped when the stored event has already reached
// its phase: replaying history (a new process, a rebuild) rewrites
// nothing, so an episode keeps its three versions at most. A closed event
// is the exception: closed again on fuller data, it is corrected.
func (st *Stream) write(ctx context.Context, ts []detect.Transition) error {
	for _, t := range ts {
		e := t.Event
		if st.made != nil {
			st.made[e.SourceID] = true
		}
		stored, err := storedPhase(ctx, st.store, e.SourceID)
		if err != nil {
			return err
		}
		if phaseRank[stored] > phaseRank[t.Phase] || stored == t.Phase && t.Phase != "closed" {
			st.stats.Unchanged++
			continue
		}
		if err := LinkRelated(ctx, st.store, []*model.Event{e}); err != nil {
			return err
		}
		res, err := st.reg.Write(ctx, systemActor, []model.Record{e}, registry.Upsert)
		if err != nil {
			return err
		}
		if res[0].Status == "unchanged" {
			st.stats.Unchanged++
			continue
		}
		st.stats.Versions++
		if st.OnVersion != nil {
			st.OnVersion(Written{Phase: t.Phase, Event: e, Status: res[0].Status})
		}
	}
	return nil
}

var phaseRank = map[string]int{"": 0, "opened": 1, "revised": 2, "closed": 3, "retracted": 4}
