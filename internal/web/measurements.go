package web

import (
	"context"
	"time"

	"github.com/candor-observatory/candor/internal/store"
)

// MeasurementsFrom answers the explorer's interference charts from the
// store's measurements table, grouped by period and platform.
func MeasurementsFrom(ms store.Measurements) func(ctx context.Context, q InterferenceQuery) ([]InterferenceRow, error) {
	return func(ctx context.Context, q InterferenceQuery) ([]InterferenceRow, error) {
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
		rows, err := ms.AggregateMeasurements(ctx, aq)
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
}
