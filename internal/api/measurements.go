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
	page, err := h.Store.ListMeasurements(r.Context(), q)
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
	m, err := h.Store.Measurement(r.Context(), r.PathValue("uid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(m)
}

func (h *Handler) aggregateMeasurements(w http.ResponseWriter, r *http.Request) {
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
	rows, err := h.Store.AggregateMeasurements(r.Context(), q)
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
