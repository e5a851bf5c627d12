package web

import (
	"context"
	"errors"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// ErrNotFound is what a Reader returns for a record or version that does
// not exist (or that the reader may not show).
var ErrNotFound = errors.New("not found")

// Reader is everything the explorer reads. It sees public records only; the
// store adapter is responsible for that.
type Reader interface {
	// Get returns a version of a record; version 0 is the current one.
	Get(ctx context.Context, collection, id string, version int) (model.Record, error)
	// Versions returns every version of a record, oldest first.
	Versions(ctx context.Context, collection, id string) ([]model.Record, error)
	// List returns records matching q, newest first by their time, then id.
	List(ctx context.Context, q Query) (Page, error)
	// Compliance sums demands and responses into groups.
	Compliance(ctx context.Context, q ComplianceQuery) ([]ComplianceRow, error)
	// Interference counts measurements by outcome per platform and time bucket.
	Interference(ctx context.Context, q InterferenceQuery) ([]InterferenceRow, error)
	// LeafIndex says where a record version sits in the verifiable log;
	// ok is false for a version that is not logged.
	LeafIndex(ctx context.Context, collection, id string, version int) (index int64, ok bool, err error)
	// LogCoverage says whether a signed or witnessed checkpoint covers a
	// log entry; known is false when the server runs without a log.
	LogCoverage(ctx context.Context, index int64) (signed, witnessed, known bool)
}

// Query selects records. Empty fields do not filter; Collection "" means
// every collection. From and To select records whose time span overlaps.
type Query struct {
	Collection string
	Country    string
	Platform   string
	Types      []string // any of
	From, To   time.Time
	Q          string // full text, folded like the API
	Ref        string
	// Granularity selects individual or aggregate demands.
	Granularity string
	Cursor      string
	Limit       int
}

// Page is one page of a list; Next is the cursor of the next page or "".
type Page struct {
	Records []model.Record
	Next    string
}

// ComplianceQuery says how to group compliance figures. Periods are
// half-years ("2023-H1"), the unit platforms report in.
type ComplianceQuery struct {
	Country    string
	Platform   string
	ByCountry  bool
	ByPlatform bool
	ByPeriod   bool
}

// ComplianceRow is one group: how many demands, how many items requested
// and how many actioned, with Count kinds kept.
type ComplianceRow struct {
	Country   string
	Platform  string
	Period    string
	Demands   *model.Count
	Requested *model.Count
	Actioned  *model.Count
}

// Rate is actioned over requested, from the lower bounds; ok is false when
// nothing was requested.
func (r ComplianceRow) Rate() (rate float64, ok bool) {
	req := r.Requested.Lo()
	if req <= 0 || r.Actioned == nil {
		return 0, false
	}
	return float64(r.Actioned.Lo()) / float64(req), true
}

// InterferenceQuery selects measurements of a country; Grain is "day",
// "week" or "month".
type InterferenceQuery struct {
	Country  string
	Platform string
	From, To time.Time
	Grain    string
}

// InterferenceRow is OONI's aggregation row with a platform axis.
type InterferenceRow struct {
	Period    time.Time
	Platform  string
	Total     int64
	OK        int64
	Anomaly   int64
	Confirmed int64
	Failure   int64
}
