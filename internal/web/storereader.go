package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// StoreReader reads the explorer's data from a store, public records only.
type StoreReader struct {
	S store.Store
	// Coverage tells whether checkpoints cover a log entry; nil when the
	// server runs without a log.
	Coverage func(ctx context.Context, index int64) (signed, witnessed bool, err error)

	mu      sync.Mutex
	cache   map[ComplianceQuery]complianceEntry
	pending map[ComplianceQuery]chan struct{}
}

func (sr *StoreReader) Get(ctx context.Context, collection, id string, version int) (model.Record, error) {
	row, err := sr.S.Get(ctx, collection, id, version)
	if err != nil {
		return nil, notFound(err)
	}
	if row.Visibility != model.Public {
		return nil, ErrNotFound
	}
	return decode(row)
}

func (sr *StoreReader) Versions(ctx context.Context, collection, id string) ([]model.Record, error) {
	vs, err := sr.S.Versions(ctx, collection, id)
	if err != nil {
		return nil, notFound(err)
	}
	var out []model.Record
	for _, v := range vs {
		if v.Visibility != string(model.Public) {
			continue
		}
		rec, err := sr.Get(ctx, collection, id, v.Version)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func (sr *StoreReader) LogCoverage(ctx context.Context, index int64) (signed, witnessed, known bool) {
	if sr.Coverage == nil {
		return false, false, false
	}
	signed, witnessed, err := sr.Coverage(ctx, index)
	return signed, witnessed, err == nil
}

func (sr *StoreReader) LeafIndex(ctx context.Context, collection, id string, version int) (int64, bool, error) {
	row, err := sr.S.Get(ctx, collection, id, version)
	if err != nil {
		return 0, false, notFound(err)
	}
	if row.LeafIndex == nil {
		return 0, false, nil
	}
	return *row.LeafIndex, true, nil
}

func (sr *StoreReader) List(ctx context.Context, q Query) (Page, error) {
	sq := store.Query{Collection: q.Collection, Country: q.Country, Platform: q.Platform, Types: q.Types,
		Q: q.Q, Ref: q.Ref, Cursor: q.Cursor, Limit: q.Limit, Visibility: []model.Visibility{model.Public}}
	if !q.From.IsZero() {
		sq.From = &q.From
	}
	if !q.To.IsZero() {
		sq.To = &q.To
	}
	sq.Granularity = q.Granularity
	p, err := sr.S.List(ctx, sq)
	if err != nil {
		return Page{}, err
	}
	out := Page{Next: p.NextCursor}
	for _, row := range p.Rows {
		rec, err := decode(row)
		if err != nil {
			return Page{}, err
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

// complianceEntry is a cached compliance answer. Sums over millions of
// demands are too slow for a page, and every public write adds a ledger
// leaf, so the log size tells when they must be summed again; the age
// limit covers changes that add no leaf (a record made private).
type complianceEntry struct {
	logSize int64
	at      time.Time
	took    time.Duration
	rows    []ComplianceRow
	err     error
}

const (
	complianceMaxAge = time.Minute
	// Sums that took longer than this are refreshed in the background
	// while pages keep showing the previous ones.
	complianceSlow = 50 * time.Millisecond
)

// Compliance answers from the cache when it is current. Otherwise the sum is
// computed once, however many pages ask for it at the same time; a slow sum
// that is merely out of date is refreshed behind the pages' backs.
func (sr *StoreReader) Compliance(ctx context.Context, q ComplianceQuery) ([]ComplianceRow, error) {
	size, err := sr.S.EntryCount(ctx)
	if err != nil {
		return nil, err
	}
	for {
		sr.mu.Lock()
		e, ok := sr.cache[q]
		if ok && e.err == nil && e.logSize == size && time.Since(e.at) < complianceMaxAge {
			sr.mu.Unlock()
			return e.rows, nil
		}
		done, busy := sr.pending[q]
		if ok && e.err == nil && e.took > complianceSlow {
			if !busy {
				sr.start(q, size)
			}
			sr.mu.Unlock()
			return e.rows, nil
		}
		if ok && e.err != nil && !busy {
			delete(sr.cache, q)
			sr.mu.Unlock()
			return nil, e.err
		}
		if !busy {
			done = sr.start(q, size)
		}
		sr.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The loop reads what the computation left; a write meanwhile
		// may ask for another round.
		if s, err := sr.S.EntryCount(ctx); err == nil && s > size {
			size = s
		}
	}
}

// start computes a compliance query in the background; sr.mu is held.
func (sr *StoreReader) start(q ComplianceQuery, size int64) chan struct{} {
	if sr.cache == nil {
		sr.cache = map[ComplianceQuery]complianceEntry{}
		sr.pending = map[ComplianceQuery]chan struct{}{}
	}
	done := make(chan struct{})
	sr.pending[q] = done
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		begin := time.Now()
		rows, err := sr.compliance(ctx, q)
		sr.mu.Lock()
		if len(sr.cache) > 1000 {
			sr.cache = map[ComplianceQuery]complianceEntry{}
		}
		if err != nil {
			if old, ok := sr.cache[q]; ok && old.err == nil {
				old.at = time.Time{} // keep showing it, try again next time
				sr.cache[q] = old
			} else {
				sr.cache[q] = complianceEntry{err: err}
			}
		} else {
			sr.cache[q] = complianceEntry{logSize: size, at: time.Now(), took: time.Since(begin), rows: rows}
		}
		delete(sr.pending, q)
		sr.mu.Unlock()
		close(done)
	}()
	return done
}

// Warm computes the sums the home, country and platform pages need, so the
// first readers after a start do not wait for them.
func (sr *StoreReader) Warm(ctx context.Context) error {
	rows, err := sr.Compliance(ctx, ComplianceQuery{ByCountry: true, ByPeriod: true})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Country != "" && !seen[r.Country] {
			seen[r.Country] = true
			if _, err := sr.Compliance(ctx, ComplianceQuery{Country: r.Country, ByPlatform: true, ByPeriod: true}); err != nil {
				return err
			}
		}
	}
	p, err := sr.List(ctx, Query{Collection: "organisations", Types: []string{"platform"}, Limit: 1000})
	if err != nil {
		return err
	}
	for _, rec := range p.Records {
		if _, err := sr.Compliance(ctx, ComplianceQuery{Platform: rec.Base().ID, ByCountry: true, ByPeriod: true}); err != nil {
			return err
		}
	}
	return nil
}

func (sr *StoreReader) compliance(ctx context.Context, q ComplianceQuery) ([]ComplianceRow, error) {
	cq := store.ComplianceQuery{Country: q.Country, Platform: q.Platform, Visibility: []model.Visibility{model.Public}}
	if q.ByCountry {
		cq.GroupBy = append(cq.GroupBy, "country")
	}
	if q.ByPlatform {
		cq.GroupBy = append(cq.GroupBy, "platform")
	}
	if q.ByPeriod {
		cq.GroupBy = append(cq.GroupBy, "period")
	}
	rows, err := sr.S.Compliance(ctx, cq)
	if err != nil {
		return nil, err
	}
	out := make([]ComplianceRow, 0, len(rows))
	for _, r := range rows {
		// The rate compares actioned items with the items of the demands that
		// were answered, as the API's compliance_rate does.
		out = append(out, ComplianceRow{Country: r.Group["country"], Platform: r.Group["platform"], Period: r.Group["period"],
			Demands: r.Demands, Requested: r.RespondedItems, Actioned: r.ItemsActioned})
	}
	return out, nil
}

// Interference answers the explorer's interference charts from the
// store's measurements, grouped by period and platform.
func (sr *StoreReader) Interference(ctx context.Context, q InterferenceQuery) ([]InterferenceRow, error) {
	aq := store.AggregationQuery{AxisX: "measurement_start_day", AxisY: "platform", TimeGrain: q.Grain,
		MeasurementQuery: store.MeasurementQuery{ProbeCC: q.Country, Platform: q.Platform}}
	if aq.TimeGrain == "" {
		aq.TimeGrain = "month"
	}
	if !q.From.IsZero() {
		aq.Since = &q.From
	}
	if !q.To.IsZero() {
		aq.Until = &q.To
	}
	rows, err := sr.S.AggregateMeasurements(ctx, aq)
	if err != nil {
		return nil, err
	}
	out := make([]InterferenceRow, 0, len(rows))
	for _, r := range rows {
		k := r.Keys["measurement_start_day"]
		t, err := time.Parse(time.DateOnly, k)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, k); err != nil {
				continue
			}
		}
		out = append(out, InterferenceRow{Period: t, Platform: r.Keys["platform"], Total: r.MeasurementCount,
			OK: r.OKCount, Anomaly: r.AnomalyCount, Confirmed: r.ConfirmedCount, Failure: r.FailureCount})
	}
	return out, nil
}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// decode turns a stored version back into its record; collections this
// build has no type for are kept as generic JSON.
func decode(row *store.Row) (model.Record, error) {
	rec := model.New(row.Collection)
	if rec == nil {
		g := &genericRecord{collection: row.Collection, index: row.Index}
		if err := json.Unmarshal(row.Body, &g.fields); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", row.Collection, row.ID, err)
		}
		json.Unmarshal(row.Body, &g.meta)
		return g, nil
	}
	if err := json.Unmarshal(row.Body, rec); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", row.Collection, row.ID, err)
	}
	return rec, nil
}

// genericRecord holds a record of a collection the model does not know.
type genericRecord struct {
	collection string
	meta       model.Meta
	fields     map[string]any
	index      model.Index
}

func (g *genericRecord) Collection() string           { return g.collection }
func (g *genericRecord) Base() *model.Meta            { return &g.meta }
func (g *genericRecord) Validate(*model.Validator)    {}
func (g *genericRecord) Index() model.Index           { return g.index }
func (g *genericRecord) MarshalJSON() ([]byte, error) { return json.Marshal(g.fields) }
