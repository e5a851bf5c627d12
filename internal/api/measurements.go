package api

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

func init() {
	filters := []Param{
		{"probe_cc", "ISO 3166-1 alpha-2 (or country)"}, {"probe_asn", "network, AS1234 or 1234"},
		{"test_name", "OONI test, e.g. web_connectivity"}, {"domain", "measured host"},
		{"platform", "platform slug, e.g. twitter, meta, google"},
		{"category_code", "Citizen Lab category of the domain, e.g. NEWS, GRP"},
		{"since", "measurements from this time (RFC 3339 or YYYY-MM-DD; or from)"},
		{"until", "measurements before this time (or to)"},
	}
	AddRoutes(
		Route{Method: "GET", Pattern: "/api/v1/measurements", Tag: "interference",
			Summary: "List scored OONI measurements, newest first", Handle: (*Handler).listMeasurements,
			Params: append(append([]Param{}, filters...),
				Param{"outcome", "ok, anomaly, confirmed or failure; comma-separate for any of"},
				Param{"anomaly", "true: anomalies only (as OONI)"}, Param{"confirmed", "true: confirmed only"},
				Param{"failure", "true: failures only"},
				Param{"cursor", "opaque cursor from next_cursor"}, Param{"limit", "page size, 1 to 1000 (default 100)"},
				Param{"format", "json, ndjson or csv"})},
		Route{Method: "POST", Pattern: "/api/v1/measurements", Tag: "interference", Write: true,
			Summary: "Submit OONI measurements in the probe's JSON: they are scored, stored (all or none) and fed to the detectors; " +
				"answers received, new and discarded counts. Roles: admin, civil_society",
			Handle: (*Handler).submitMeasurements, Roles: measurementSubmitters,
			Bodies: map[string]string{"application/json": "one OONI measurement, or an array of them",
				"application/x-ndjson": "OONI measurements, one per line"}},
		Route{Method: "GET", Pattern: "/api/v1/measurements/{uid}", Tag: "interference",
			Summary: "Get one measurement by its measurement_uid (as cited in events' evidence)", Handle: (*Handler).getMeasurement},
		Route{Method: "GET", Pattern: "/api/v1/interference/aggregation", Tag: "interference",
			Summary: "Outcome counts grouped like OONI's /api/v1/aggregation, with platform as an extra axis",
			Handle:  (*Handler).aggregateMeasurements,
			Params: append(append([]Param{}, filters...),
				Param{"axis_x", "measurement_start_day, probe_cc, probe_asn, test_name, domain, platform or category_code"},
				Param{"axis_y", "a second axis"}, Param{"time_grain", "hour, day (default), week, month or year"},
				Param{"format", "json or csv"})},
	)
}

func (h *Handler) measurementStore(w http.ResponseWriter) (store.Measurements, bool) {
	ms, ok := h.Store.(store.Measurements)
	if !ok {
		writeProblem(w, Problem{Status: http.StatusNotImplemented, Detail: "this store keeps no measurements"})
	}
	return ms, ok
}

// measurementQuery reads the filters both endpoints share.
func measurementQuery(w http.ResponseWriter, r *http.Request) (store.MeasurementQuery, bool) {
	v := r.URL.Query()
	var q store.MeasurementQuery
	first := func(names ...string) (string, string) {
		for _, n := range names {
			if s := strings.TrimSpace(v.Get(n)); s != "" {
				return n, s
			}
		}
		return names[0], ""
	}
	if f, cc := first("probe_cc", "country"); cc != "" {
		q.ProbeCC = strings.ToUpper(cc)
		if !model.IsCountryCode(q.ProbeCC) {
			badRequest(w, f, "must be an ISO 3166-1 alpha-2 code")
			return q, false
		}
	}
	if s := v.Get("probe_asn"); s != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(s), "AS"), 10, 64)
		if err != nil || n <= 0 {
			badRequest(w, "probe_asn", "must be an AS number such as AS9121")
			return q, false
		}
		q.ProbeASN = n
	}
	q.TestName, q.Domain, q.Platform = v.Get("test_name"), strings.ToLower(v.Get("domain")), v.Get("platform")
	q.Category = strings.ToUpper(v.Get("category_code"))
	var err error
	f, s := first("since", "from")
	if q.Since, err = parseTime(s, false); err != nil {
		badRequest(w, f, err.Error())
		return q, false
	}
	f, s = first("until", "to")
	if q.Until, err = parseTime(s, true); err != nil {
		badRequest(w, f, err.Error())
		return q, false
	}
	return q, true
}

func (h *Handler) listMeasurements(w http.ResponseWriter, r *http.Request) {
	ms, ok := h.measurementStore(w)
	if !ok {
		return
	}
	q, ok := measurementQuery(w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	for _, s := range strings.Split(v.Get("outcome"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !model.MeasurementOutcomes.Has(s) {
				badRequest(w, "outcome", strconv.Quote(s)+" is not one of "+model.MeasurementOutcomes.String())
				return
			}
			q.Outcomes = append(q.Outcomes, s)
		}
	}
	for _, o := range []string{"anomaly", "confirmed", "failure"} {
		switch v.Get(o) {
		case "", "false":
		case "true":
			q.Outcomes = append(q.Outcomes, o)
		default:
			badRequest(w, o, "must be true or false")
			return
		}
	}
	q.Cursor = v.Get("cursor")
	if q.Limit, ok = pageLimit(w, v); !ok {
		return
	}
	format, ok := rowFormat(w, v)
	if !ok {
		return
	}
	page, err := ms.ListMeasurements(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	setNextLink(w, r, page.NextCursor)
	bodies := make([][]byte, len(page.Measurements))
	for i, m := range page.Measurements {
		bodies[i], _ = json.Marshal(m)
	}
	switch format {
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson")
		for _, b := range bodies {
			w.Write(b)
			w.Write([]byte("\n"))
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="measurements.csv"`)
		WriteCSV(w, bodies)
	default:
		data := make([]json.RawMessage, len(bodies))
		for i, b := range bodies {
			data[i] = b
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Data       []json.RawMessage `json:"data"`
			Count      int               `json:"count"`
			NextCursor string            `json:"next_cursor,omitempty"`
		}{data, len(data), page.NextCursor})
	}
}

func (h *Handler) getMeasurement(w http.ResponseWriter, r *http.Request) {
	ms, ok := h.measurementStore(w)
	if !ok {
		return
	}
	m, err := ms.Measurement(r.Context(), r.PathValue("uid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(m)
}

func (h *Handler) aggregateMeasurements(w http.ResponseWriter, r *http.Request) {
	ms, ok := h.measurementStore(w)
	if !ok {
		return
	}
	mq, ok := measurementQuery(w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	q := store.AggregationQuery{MeasurementQuery: mq, AxisX: v.Get("axis_x"), AxisY: v.Get("axis_y"), TimeGrain: v.Get("time_grain")}
	for _, a := range []struct{ field, value string }{{"axis_x", q.AxisX}, {"axis_y", q.AxisY}} {
		if a.value != "" && !store.AggregationAxes.Has(a.value) {
			badRequest(w, a.field, strconv.Quote(a.value)+" is not one of "+store.AggregationAxes.String())
			return
		}
	}
	if q.AxisY != "" && q.AxisX == "" {
		badRequest(w, "axis_x", "is required when axis_y is given")
		return
	}
	if q.AxisX != "" && q.AxisX == q.AxisY {
		badRequest(w, "axis_y", "must differ from axis_x")
		return
	}
	if q.TimeGrain == "" {
		q.TimeGrain = "day"
	}
	if !store.TimeGrains.Has(q.TimeGrain) {
		badRequest(w, "time_grain", strconv.Quote(q.TimeGrain)+" is not one of "+store.TimeGrains.String())
		return
	}
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" && format != "CSV" && format != "JSON" {
		badRequest(w, "format", "must be json or csv")
		return
	}
	rows, err := ms.AggregateMeasurements(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	axes := []string{}
	for _, a := range []string{q.AxisX, q.AxisY} {
		if a != "" {
			axes = append(axes, a)
		}
	}
	if strings.EqualFold(format, "csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		cw.Write(append(append([]string{}, axes...), "anomaly_count", "confirmed_count", "failure_count", "ok_count", "measurement_count"))
		for _, row := range rows {
			rec := make([]string, 0, len(axes)+5)
			for _, a := range axes {
				rec = append(rec, row.Keys[a])
			}
			for _, n := range []int64{row.AnomalyCount, row.ConfirmedCount, row.FailureCount, row.OKCount, row.MeasurementCount} {
				rec = append(rec, strconv.FormatInt(n, 10))
			}
			cw.Write(rec)
		}
		cw.Flush()
		return
	}
	result := make([]map[string]any, 0, len(rows))
	for _, row := range rows {
		m := map[string]any{
			"anomaly_count": row.AnomalyCount, "confirmed_count": row.ConfirmedCount,
			"failure_count": row.FailureCount, "ok_count": row.OKCount, "measurement_count": row.MeasurementCount,
		}
		for _, a := range axes {
			m[a] = row.Keys[a]
			if a == "probe_asn" {
				n, _ := strconv.ParseInt(row.Keys[a], 10, 64)
				m[a] = n
			}
		}
		result = append(result, m)
	}
	out := map[string]any{"v": 0, "dimension_count": len(axes), "time_grain": q.TimeGrain,
		"axis_x": q.AxisX, "axis_y": q.AxisY}
	if len(axes) == 0 {
		// As OONI: without axes the result is one object.
		if len(result) == 0 {
			result = append(result, map[string]any{"anomaly_count": 0, "confirmed_count": 0, "failure_count": 0, "ok_count": 0, "measurement_count": 0})
		}
		out["result"] = result[0]
	} else {
		out["result"] = result
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
