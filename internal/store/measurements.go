package store

import (
	"context"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// Measurements is the storage of OONI measurements, kept apart from the
// records because there are so many of them. Both stores implement it.
type Measurements interface {
	// PutMeasurements inserts measurements, skipping those whose key
	// (measurement_uid, else report_id + input) is already stored, and
	// returns how many were new.
	PutMeasurements(ctx context.Context, ms []*model.Measurement) (int, error)
	ListMeasurements(ctx context.Context, q MeasurementQuery) (*MeasurementPage, error)
	// Measurement returns one measurement by its key; ErrNotFound if none.
	Measurement(ctx context.Context, key string) (*model.Measurement, error)
	// EachMeasurement streams the measurements a query selects, oldest first.
	EachMeasurement(ctx context.Context, q MeasurementQuery, fn func(*model.Measurement) error) error
	AggregateMeasurements(ctx context.Context, q AggregationQuery) ([]AggregationRow, error)
	// PutDomainCategories replaces the category tags of domains.
	PutDomainCategories(ctx context.Context, tags []DomainCategory) error
	DomainCategories(ctx context.Context, domain string) ([]DomainCategory, error)
	// AllDomainCategories returns every tag, to label measurements at import.
	AllDomainCategories(ctx context.Context) ([]DomainCategory, error)
}

// MeasurementQuery filters measurements.
type MeasurementQuery struct {
	ProbeCC      string
	ProbeASN     int64
	TestName     string
	Domain       string
	Platform     string
	Category     string
	Outcomes     []string // any of ok, anomaly, confirmed, failure
	Since, Until *time.Time
	Cursor       string
	Limit        int
}

// MeasurementPage is a page of measurements, newest first.
type MeasurementPage struct {
	Measurements []*model.Measurement
	NextCursor   string
}

// Aggregation axes, as OONI's /api/v1/aggregation names them, plus platform.
var AggregationAxes = model.NewEnum("measurement_start_day", "probe_cc", "probe_asn", "test_name", "domain", "platform", "category_code")

// TimeGrains for the measurement_start_day axis.
var TimeGrains = model.NewEnum("hour", "day", "week", "month", "year")

// AggregationQuery groups measurements by up to two axes.
type AggregationQuery struct {
	MeasurementQuery
	AxisX, AxisY string
	TimeGrain    string
}

// AggregationRow holds one group's counts; outcomes are exclusive, so the
// four counts add up to measurement_count.
type AggregationRow struct {
	Keys             map[string]string
	MeasurementCount int64
	OKCount          int64
	AnomalyCount     int64
	ConfirmedCount   int64
	FailureCount     int64
}

// DomainCategory tags a domain with a test-list category.
type DomainCategory struct {
	Domain   string `json:"domain"`
	Category string `json:"category"`
	List     string `json:"list"`
}
