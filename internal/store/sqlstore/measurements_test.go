package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestMeasurementsSQLite(t *testing.T) { testMeasurements(t, storetest.OpenSQLite(t)) }

func TestMeasurementsPostgres(t *testing.T) { testMeasurements(t, storetest.OpenPostgres(t)) }

func measurement(uid string, cc string, asn int64, platform, outcome string, at time.Time) *model.Measurement {
	tls := 100.0
	return &model.Measurement{MeasurementUID: uid, ReportID: "r-" + uid, TestName: "web_connectivity",
		Input: "https://" + platform + ".example/", Domain: platform + ".example", ProbeCC: cc, ProbeASN: asn,
		StartTime: at, Platform: platform, Outcome: outcome, TLSHandshake: &tls,
		Scores: json.RawMessage(`{"blocking_general":0}`), Raw: model.Source{File: "x.jsonl", Line: 1}}
}

func testMeasurements(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	jan := time.Date(2023, 1, 31, 23, 30, 0, 0, time.UTC)
	feb := time.Date(2023, 2, 8, 10, 15, 0, 0, time.UTC)
	ms := []*model.Measurement{
		measurement("u1", "TR", 9121, "twitter", "anomaly", feb),
		measurement("u2", "TR", 9121, "twitter", "confirmed", feb.Add(time.Hour)),
		measurement("u3", "TR", 9121, "meta", "ok", feb),
		measurement("u4", "TR", 16135, "twitter", "failure", feb.Add(24*time.Hour)),
		measurement("u5", "VN", 7552, "meta", "ok", jan),
	}
	// One without a measurement_uid is keyed by report_id and input.
	legacy := measurement("", "VN", 7552, "meta", "anomaly", jan)
	legacy.ReportID = "20230131T000000Z_AS7552_x"
	ms = append(ms, legacy)
	ms[0].Category, ms[1].Category = "GRP", "GRP"
	n, err := db.PutMeasurements(ctx, ms)
	if err != nil || n != 6 {
		t.Fatalf("put: %d, %v", n, err)
	}
	// Importing again adds nothing.
	if n, err := db.PutMeasurements(ctx, ms); err != nil || n != 0 {
		t.Fatalf("second put: %d new, %v; want 0", n, err)
	}

	page, err := db.ListMeasurements(ctx, store.MeasurementQuery{ProbeCC: "TR", Limit: 2})
	if err != nil || len(page.Measurements) != 2 || page.NextCursor == "" {
		t.Fatalf("list: %+v, %v", page, err)
	}
	if page.Measurements[0].MeasurementUID != "u4" || page.Measurements[0].Outcome != "failure" || *page.Measurements[0].TLSHandshake != 100 {
		t.Errorf("newest first: %+v", page.Measurements[0])
	}
	next, err := db.ListMeasurements(ctx, store.MeasurementQuery{ProbeCC: "TR", Limit: 2, Cursor: page.NextCursor})
	if err != nil || len(next.Measurements) != 2 || next.NextCursor != "" {
		t.Fatalf("second page: %+v, %v", next, err)
	}
	if _, err := db.ListMeasurements(ctx, store.MeasurementQuery{Cursor: "nonsense"}); err == nil {
		t.Error("a bad cursor should be refused")
	}
	only, _ := db.ListMeasurements(ctx, store.MeasurementQuery{Platform: "twitter", Outcomes: []string{"anomaly", "confirmed"}})
	if len(only.Measurements) != 2 {
		t.Errorf("twitter anomalies: %d", len(only.Measurements))
	}

	rows, err := db.AggregateMeasurements(ctx, store.AggregationQuery{AxisX: "measurement_start_day", AxisY: "platform", TimeGrain: "day",
		MeasurementQuery: store.MeasurementQuery{ProbeCC: "TR"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string][5]int64{
		{"2023-02-08", "meta"}:    {1, 1, 0, 0, 0},
		{"2023-02-08", "twitter"}: {2, 0, 1, 1, 0},
		{"2023-02-09", "twitter"}: {1, 0, 0, 0, 1},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		w := want[[2]string{r.Keys["measurement_start_day"], r.Keys["platform"]}]
		got := [5]int64{r.MeasurementCount, r.OKCount, r.AnomalyCount, r.ConfirmedCount, r.FailureCount}
		if got != w {
			t.Errorf("%v: %v, want %v", r.Keys, got, w)
		}
	}
	months, err := db.AggregateMeasurements(ctx, store.AggregationQuery{AxisX: "measurement_start_day", TimeGrain: "month"})
	if err != nil || len(months) != 2 || months[0].Keys["measurement_start_day"] != "2023-01-01" || months[0].MeasurementCount != 2 ||
		months[1].MeasurementCount != 4 {
		t.Errorf("by month: %+v, %v", months, err)
	}
	total, err := db.AggregateMeasurements(ctx, store.AggregationQuery{})
	if err != nil || len(total) != 1 || total[0].MeasurementCount != 6 || total[0].AnomalyCount != 2 {
		t.Errorf("total: %+v, %v", total, err)
	}
	asn, _ := db.AggregateMeasurements(ctx, store.AggregationQuery{AxisX: "probe_asn"})
	if len(asn) != 3 || asn[0].Keys["probe_asn"] != "7552" || asn[2].Keys["probe_asn"] != "16135" {
		t.Errorf("by asn: %+v", asn)
	}
	cat, _ := db.AggregateMeasurements(ctx, store.AggregationQuery{AxisX: "category_code"})
	if len(cat) != 2 || cat[1].Keys["category_code"] != "GRP" || cat[1].MeasurementCount != 2 || cat[0].MeasurementCount != 4 {
		t.Errorf("by category: %+v", cat)
	}
	if _, err := db.AggregateMeasurements(ctx, store.AggregationQuery{AxisX: "probe_ip"}); err == nil {
		t.Error("unknown axis accepted")
	}

	if m, err := db.Measurement(ctx, "u2"); err != nil || m.Outcome != "confirmed" || m.ProbeASN != 9121 {
		t.Errorf("by key: %+v, %v", m, err)
	}
	if _, err := db.Measurement(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
	var seen []string
	db.EachMeasurement(ctx, store.MeasurementQuery{ProbeCC: "VN"}, func(m *model.Measurement) error {
		seen = append(seen, m.Key())
		return nil
	})
	if len(seen) != 2 {
		t.Errorf("each: %v", seen)
	}

	if err := db.PutDomainCategories(ctx, []store.DomainCategory{{Domain: "twitter.com", Category: "GRP", List: "global"}}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := db.DomainCategories(ctx, "twitter.com"); len(cs) != 1 || cs[0].Category != "GRP" {
		t.Errorf("categories %v", cs)
	}
	if all, _ := db.AllDomainCategories(ctx); len(all) != 1 {
		t.Errorf("all categories %v", all)
	}
}
