package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestMeasurementsAPISQLite(t *testing.T)   { testMeasurementsAPI(t, storetest.OpenSQLite(t)) }
func TestMeasurementsAPIPostgres(t *testing.T) { testMeasurementsAPI(t, storetest.OpenPostgres(t)) }

func testMeasurementsAPI(t *testing.T, db *sqlstore.DB) {
	e := newEnv(t, db)
	at := time.Date(2023, 2, 8, 9, 0, 0, 0, time.UTC)
	var ms []*model.Measurement
	add := func(uid, cc string, asn int64, platform, outcome string, when time.Time) {
		ms = append(ms, &model.Measurement{MeasurementUID: uid, ReportID: "r", TestName: "web_connectivity",
			Domain: platform + ".com", Input: "https://" + platform + ".com/", ProbeCC: cc, ProbeASN: asn,
			StartTime: when, Platform: platform, Outcome: outcome, Scores: json.RawMessage(`{}`)})
	}
	add("a", "TR", 9121, "twitter", "anomaly", at)
	add("b", "TR", 9121, "twitter", "confirmed", at.Add(time.Hour))
	add("c", "TR", 9121, "twitter", "ok", at.Add(25*time.Hour))
	add("d", "TR", 16135, "meta", "failure", at)
	add("e", "VN", 7552, "meta", "ok", at)
	if _, err := db.PutMeasurements(context.Background(), ms); err != nil {
		t.Fatal(err)
	}

	resp, body := e.do("GET", "/api/v1/measurements?probe_cc=TR&platform=twitter&limit=2", "", nil)
	var page struct {
		Data       []model.Measurement `json:"data"`
		NextCursor string              `json:"next_cursor"`
	}
	json.Unmarshal(body, &page)
	if resp.StatusCode != 200 || len(page.Data) != 2 || page.Data[0].MeasurementUID != "c" || page.NextCursor == "" {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	_, body = e.do("GET", "/api/v1/measurements?probe_cc=TR&platform=twitter&limit=2&cursor="+page.NextCursor, "", nil)
	json.Unmarshal(body, &page)
	if len(page.Data) != 1 || page.Data[0].MeasurementUID != "a" {
		t.Errorf("second page: %s", body)
	}
	_, body = e.do("GET", "/api/v1/measurements?anomaly=true&confirmed=true", "", nil)
	json.Unmarshal(body, &page)
	if len(page.Data) != 2 {
		t.Errorf("anomalies and confirmed: %s", body)
	}
	resp, body = e.do("GET", "/api/v1/measurements/b", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"outcome":"confirmed"`) {
		t.Errorf("one measurement: %d %s", resp.StatusCode, body)
	}
	if resp, _ = e.do("GET", "/api/v1/measurements/zzz", "", nil); resp.StatusCode != 404 {
		t.Errorf("missing measurement: %d", resp.StatusCode)
	}
	resp, body = e.do("GET", "/api/v1/measurements?probe_asn=ASxyz", "", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"field":"probe_asn"`) {
		t.Errorf("bad asn: %d %s", resp.StatusCode, body)
	}

	resp, body = e.do("GET", "/api/v1/interference/aggregation?probe_cc=TR&axis_x=measurement_start_day&axis_y=platform", "", nil)
	var agg struct {
		DimensionCount int              `json:"dimension_count"`
		Result         []map[string]any `json:"result"`
	}
	if err := json.Unmarshal(body, &agg); err != nil || resp.StatusCode != 200 || agg.DimensionCount != 2 || len(agg.Result) != 3 {
		t.Fatalf("aggregation: %d %s", resp.StatusCode, body)
	}
	first := agg.Result[0]
	if first["measurement_start_day"] != "2023-02-08" || first["platform"] != "meta" || first["failure_count"] != 1.0 {
		t.Errorf("first row %v", first)
	}
	second := agg.Result[1]
	if second["platform"] != "twitter" || second["anomaly_count"] != 1.0 || second["confirmed_count"] != 1.0 ||
		second["ok_count"] != 0.0 || second["measurement_count"] != 2.0 {
		t.Errorf("twitter on 8 Feb: %v", second)
	}
	_, body = e.do("GET", "/api/v1/interference/aggregation?axis_x=probe_asn", "", nil)
	json.Unmarshal(body, &agg)
	if len(agg.Result) != 3 || agg.Result[0]["probe_asn"] != 7552.0 {
		t.Errorf("by asn: %s", body)
	}
	_, body = e.do("GET", "/api/v1/interference/aggregation", "", nil)
	var total struct {
		Result map[string]float64 `json:"result"`
	}
	json.Unmarshal(body, &total)
	if total.Result["measurement_count"] != 5 || total.Result["ok_count"] != 2 {
		t.Errorf("no axis: %s", body)
	}
	_, body = e.do("GET", "/api/v1/interference/aggregation?axis_x=platform&format=csv", "", nil)
	if !strings.HasPrefix(string(body), "platform,anomaly_count,confirmed_count,failure_count,ok_count,measurement_count\nmeta,0,0,1,1,2\n") {
		t.Errorf("csv: %s", body)
	}
	resp, body = e.do("GET", "/api/v1/interference/aggregation?axis_x=probe_ip", "", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"field":"axis_x"`) {
		t.Errorf("bad axis: %d %s", resp.StatusCode, body)
	}

	// Events come from the generic collection handlers; civil society may write them.
	ev := map[string]any{"country": "TR", "scope": "national", "kind": "throttling", "targets": []string{"twitter"},
		"started_at": "2023-02-08T00:00:00Z", "ended_at": "2023-02-10T00:00:00Z", "confidence": "high",
		"severity":  map[string]any{"metric": "tls_handshake_ratio", "value": 30},
		"detection": map[string]any{"detector": "reported"},
		"sources":   []map[string]any{{"url": "https://example.org/report", "claim": "third_party_reported"}}}
	resp, body = e.do("POST", "/api/v1/events", e.csToken, ev)
	if resp.StatusCode != 201 {
		t.Fatalf("create event: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do("POST", "/api/v1/events", e.xToken, ev)
	if resp.StatusCode != 403 {
		t.Errorf("a platform token wrote an event: %d %s", resp.StatusCode, body)
	}
	_, body = e.do("GET", "/api/v1/events?country=TR&type=throttling", "", nil)
	if !strings.Contains(string(body), `"tls_handshake_ratio"`) {
		t.Errorf("events list: %s", body)
	}
}
