package web

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestMeasurementsFrom(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	at := time.Date(2023, 2, 8, 9, 0, 0, 0, time.UTC)
	var ms []*model.Measurement
	for i, o := range []string{"ok", "anomaly", "confirmed", "failure"} {
		ms = append(ms, &model.Measurement{MeasurementUID: string(rune('a' + i)), ReportID: "r", TestName: "web_connectivity",
			ProbeCC: "TR", ProbeASN: 9121, StartTime: at.AddDate(0, i/3, 0), Platform: "twitter", Outcome: o, Scores: json.RawMessage(`{}`)})
	}
	if _, err := db.PutMeasurements(ctx, ms); err != nil {
		t.Fatal(err)
	}
	rows, err := (&StoreReader{S: db}).Interference(ctx, InterferenceQuery{Country: "TR", Grain: "month"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("%+v %v", rows, err)
	}
	feb, mar := rows[0], rows[1]
	if !feb.Period.Equal(time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)) || feb.Platform != "twitter" || feb.Total != 3 ||
		feb.OK != 1 || feb.Anomaly != 1 || feb.Confirmed != 1 || mar.Failure != 1 {
		t.Errorf("rows %+v", rows)
	}
}
