package interference

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// DetectorRecord is how one detector's events have fared: how many it
// made, how many are open or closed, and how many a later run on fuller
// data retracted. The explorer shows it beside the events.
type DetectorRecord struct {
	Detector       string  `json:"detector"`
	Events         int     `json:"events"`
	Open           int     `json:"open"`
	Closed         int     `json:"closed"`
	Retracted      int     `json:"retracted"`
	RetractedShare float64 `json:"retracted_share"`
}

// DetectorRecords counts the public detected events of a country (all
// countries when cc is empty), per detector, from their current versions.
func DetectorRecords(ctx context.Context, s store.Store, cc string) ([]DetectorRecord, error) {
	by := map[string]*DetectorRecord{}
	q := store.Query{Collection: "events", Country: cc, Limit: 1000}
	for {
		page, err := s.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, row := range page.Rows {
			var e struct {
				Detection model.Detection `json:"detection"`
				Phase     string          `json:"phase"`
			}
			if err := json.Unmarshal(row.Body, &e); err != nil {
				return nil, err
			}
			if e.Detection.Detector == "" || e.Detection.Detector == model.DetectorReported {
				continue
			}
			r := by[e.Detection.Detector]
			if r == nil {
				r = &DetectorRecord{Detector: e.Detection.Detector}
				by[e.Detection.Detector] = r
			}
			r.Events++
			switch e.Phase {
			case "retracted":
				r.Retracted++
			case "closed":
				r.Closed++
			default:
				r.Open++
			}
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	out := make([]DetectorRecord, 0, len(by))
	for _, r := range by {
		r.RetractedShare = float64(r.Retracted) / float64(r.Events)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detector < out[j].Detector })
	return out, nil
}
