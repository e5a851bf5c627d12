// Package interference joins the observatory's parts: it imports OONI
// measurements into the store, runs the detectors over stored
// measurements, and writes detected and reported events through the
// registry, so that they are validated, versioned and enter the ledger like
// every other record.
package interference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/shareddata"
	"github.com/candor-observatory/candor/internal/store"
)

// FingerprintFiles returns the OONI fingerprint files in dir, or in the
// shared data directory when dir is empty.
func FingerprintFiles(dir string) (dnsPath, httpPath string, err error) {
	if dir == "" {
		d, ok := shareddata.Find()
		if !ok {
			return "", "", fmt.Errorf("no fingerprint directory given and no shared data directory found")
		}
		dir = filepath.Join(d, "ooni", "ooni-backend-fastpath")
	}
	return filepath.Join(dir, "fingerprints_dns.json"), filepath.Join(dir, "fingerprints_http.json"), nil
}

// Scorer loads OONI's blocking fingerprints from dir (or the shared data
// directory when dir is empty). Without them nothing is scored as
// confirmed; that is an error only when dir was given.
func Scorer(dir string) (sc *ooni.Scorer, found bool, err error) {
	sc = &ooni.Scorer{}
	dnsPath, httpPath, err := FingerprintFiles(dir)
	if err != nil {
		return sc, false, nil
	}
	fp, err := ooni.LoadFingerprints(dnsPath, httpPath)
	if err != nil {
		if dir != "" {
			return nil, false, err
		}
		return sc, false, nil
	}
	sc.FP = fp
	return sc, true, nil
}

// ImportStats adds what the store did to what the reader saw.
type ImportStats struct {
	ooni.Stats
	New         int // measurements not stored before
	First, Last time.Time
}

// ImportOONI streams files into the measurements table, labelling each
// measurement with the test-list category of its domain when the store
// holds category tags, and feeds them to the stream's detectors as they
// are stored (nil for no detection).
func ImportOONI(ctx context.Context, ms store.Measurements, stream *Stream, paths []string, opts ooni.Options) (ImportStats, error) {
	var st ImportStats
	tags, err := ms.AllDomainCategories(ctx)
	if err != nil {
		return st, err
	}
	cats := newCategories(tags)
	s, err := ooni.Ingest(ctx, paths, opts, func(batch []*model.Measurement) error {
		return st.put(ctx, ms, stream, cats, batch)
	})
	st.Stats = s
	if err == nil && stream != nil {
		err = stream.Settle(ctx)
	}
	return st, err
}

// store writes one batch of measurements and tells the stream.
func (st *ImportStats) put(ctx context.Context, ms store.Measurements, stream *Stream, cats categories, batch []*model.Measurement) error {
	for _, m := range batch {
		m.Category = cats.of(m.Domain, m.ProbeCC)
	}
	n, err := ms.PutMeasurements(ctx, batch)
	if err != nil {
		return err
	}
	st.New += n
	for _, m := range batch {
		if st.First.IsZero() || m.StartTime.Before(st.First) {
			st.First = m.StartTime
		}
		if m.StartTime.After(st.Last) {
			st.Last = m.StartTime
		}
	}
	if stream == nil {
		return nil
	}
	stream.Stored(batch, n > 0)
	return stream.advance(ctx, fileLateness, false)
}

// Detect runs the detectors over the stored measurements between since and
// until (nil for no bound), country by country, as a stream would have
// judged them had they arrived one by one, and writes the versions of the
// events. Running it again on the same measurements writes nothing.
func Detect(ctx context.Context, s store.Store, reg *registry.Registry, q store.MeasurementQuery, p detect.Params, onVersion func(Written)) (StreamStats, error) {
	q.Cursor, q.Limit = "", 0
	countries := []string{q.ProbeCC}
	if q.ProbeCC == "" {
		rows, err := s.AggregateMeasurements(ctx, store.AggregationQuery{MeasurementQuery: q, AxisX: "probe_cc"})
		if err != nil {
			return StreamStats{}, err
		}
		countries = countries[:0]
		for _, r := range rows {
			countries = append(countries, r.Keys["probe_cc"])
		}
	}
	stream := NewStream(s, reg, p)
	stream.OnVersion = onVersion
	for _, cc := range countries {
		cq := q
		cq.ProbeCC = cc
		first, last, err := span(ctx, s, cq)
		if err != nil {
			return stream.Stats(), err
		}
		if first == nil {
			continue
		}
		// One country at a time, so that memory holds one country's series.
		cs := &countryStream{det: detect.New(p), fed: *first, latest: *last}
		if q.Since != nil {
			cs.fed = *q.Since
		}
		until := cs.latest.Add(-p.Lateness)
		if q.Until != nil && q.Until.Before(until) {
			until = *q.Until
		}
		stream.mu.Lock()
		made := map[string]bool{}
		stream.made = made
		err = stream.feed(ctx, cc, cs, until)
		stream.made = nil
		stream.mu.Unlock()
		if err != nil {
			return stream.Stats(), err
		}
		// Judged from its start, the span's episodes are all known: a stored
		// detected event in it that this run did not make (an older
		// detector's, or one made on measurements since corrected) is retracted.
		from := cs.fed
		if q.Since == nil {
			from = first.Add(p.BaselineWindow)
		}
		n, err := retract(ctx, s, reg, cc, from, until.Truncate(p.Bucket), made)
		if err != nil {
			return stream.Stats(), err
		}
		stream.stats.Retracted += n
	}
	return stream.Stats(), nil
}

// retract writes a retracted version of each detected event of cc that
// started in [from, to) and is not among made.
func retract(ctx context.Context, s store.Store, reg *registry.Registry, cc string, from, to time.Time, made map[string]bool) (int, error) {
	if !to.After(from) {
		return 0, nil
	}
	var stale []model.Record
	q := store.Query{Collection: "events", Country: cc, From: &from, To: &to, Limit: 1000,
		Visibility: []model.Visibility{model.Public, model.Members, model.Sealed}}
	for {
		page, err := s.List(ctx, q)
		if err != nil {
			return 0, err
		}
		for _, row := range page.Rows {
			var e model.Event
			if err := json.Unmarshal(row.Body, &e); err != nil {
				return 0, err
			}
			detected := e.Detection.Detector == detect.BlockingDetector || e.Detection.Detector == detect.ThrottlingDetector
			if !detected || made[e.SourceID] || e.Phase == "retracted" || e.StartedAt.Before(from) || !e.StartedAt.Before(to) {
				continue
			}
			e.Phase = "retracted"
			stale = append(stale, &e)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	if len(stale) == 0 {
		return 0, nil
	}
	_, err := reg.Write(ctx, systemActor, stale, registry.Upsert)
	return len(stale), err
}

// span is the time of the oldest and the newest measurement a query selects.
func span(ctx context.Context, s store.Store, q store.MeasurementQuery) (*time.Time, *time.Time, error) {
	q.Limit = 1
	page, err := s.ListMeasurements(ctx, q)
	if err != nil || len(page.Measurements) == 0 {
		return nil, nil, err
	}
	last := page.Measurements[0].StartTime
	var first *time.Time
	err = s.EachMeasurement(ctx, q, func(m *model.Measurement) error {
		first = &m.StartTime
		return errStop
	})
	if err == errStop {
		err = nil
	}
	return first, &last, err
}

var errStop = errors.New("stop")

// storedPhase is the phase of the stored event with that source_id, "" if none.
func storedPhase(ctx context.Context, s store.Store, sourceID string) (string, error) {
	page, err := s.List(ctx, store.Query{Collection: "events", SourceID: sourceID,
		Visibility: []model.Visibility{model.Public, model.Members, model.Sealed}, Limit: 1})
	if err != nil || len(page.Rows) == 0 {
		return "", err
	}
	var cur struct {
		Phase string `json:"phase"`
	}
	if err := json.Unmarshal(page.Rows[0].Body, &cur); err != nil {
		return "", err
	}
	return cur.Phase, nil
}

var systemActor = auth.System

// WriteEvents writes events in batches, each atomic; an event whose
// source_id exists is updated only if it changed.
func WriteEvents(ctx context.Context, reg *registry.Registry, events []*model.Event) ([]*registry.Result, error) {
	var out []*registry.Result
	const batch = 500
	for i := 0; i < len(events); i += batch {
		recs := make([]model.Record, 0, batch)
		for _, e := range events[i:min(i+batch, len(events))] {
			recs = append(recs, e)
		}
		res, err := reg.Write(ctx, auth.System, recs, registry.Upsert)
		if err != nil {
			return out, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// KeepSources adds to each event the sources of the stored event with the
// same source_id, so that importing one file of a list that several files
// share does not drop what the others said.
func KeepSources(ctx context.Context, s store.Store, events []*model.Event) error {
	for _, e := range events {
		if e.SourceID == "" {
			continue
		}
		page, err := s.List(ctx, store.Query{Collection: "events", SourceID: e.SourceID,
			Visibility: []model.Visibility{model.Public, model.Members, model.Sealed}, Limit: 2})
		if err != nil {
			return err
		}
		if len(page.Rows) == 0 {
			continue
		}
		var cur model.Event
		if err := json.Unmarshal(page.Rows[0].Body, &cur); err != nil {
			return err
		}
		have := map[string]bool{}
		for _, src := range e.Sources {
			have[sourceKey(src)] = true
		}
		var older []model.Source
		for _, src := range cur.Sources {
			if !have[sourceKey(src)] {
				older = append(older, src)
			}
		}
		e.Sources = append(older, e.Sources...)
	}
	return nil
}

func sourceKey(s model.Source) string {
	return s.URL + "\x00" + s.File + "\x00" + s.SHA256 + "\x00" + fmt.Sprint(s.Line)
}

// Count tallies registry results by status.
func Count(res []*registry.Result) (created, updated, unchanged int) {
	for _, r := range res {
		switch r.Status {
		case "created":
			created++
		case "updated":
			updated++
		default:
			unchanged++
		}
	}
	return
}

// categories finds the category of a measured host: its own tags or its
// parent domain's, from the probe country's list first, then the global one.
type categories map[string][]store.DomainCategory

func newCategories(tags []store.DomainCategory) categories {
	c := categories{}
	for _, t := range tags {
		c[t.Domain] = append(c[t.Domain], t)
	}
	return c
}

func (c categories) of(host, cc string) string {
	if len(c) == 0 || host == "" {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(host), "www.")
	for strings.Contains(h, ".") {
		if tags := c[h]; len(tags) > 0 {
			best := tags[0]
			for _, t := range tags {
				if strings.EqualFold(t.List, cc) {
					return t.Category
				}
				if t.List == "global" {
					best = t
				}
			}
			return best.Category
		}
		h = h[strings.IndexByte(h, '.')+1:]
	}
	return ""
}
