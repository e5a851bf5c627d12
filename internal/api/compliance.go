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

func (h *Handler) compliance(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.ComplianceQuery{Country: strings.ToUpper(v.Get("country")), Platform: v.Get("platform"),
		Reason: v.Get("reason"), AuthorityType: v.Get("authority_type"), Visibility: ActorOf(r).CanRead()}
	if g := v.Get("group_by"); g != "" {
		for _, s := range strings.Split(g, ",") {
			q.GroupBy = append(q.GroupBy, strings.TrimSpace(s))
		}
	}
	var ok bool
	if q.From, q.To, ok = timeRange(w, v); !ok {
		return
	}
	rows, err := h.Store.Compliance(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if rows == nil {
		rows = []store.ComplianceRow{}
	}
	switch v.Get("format") {
	case "", "json":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			GroupBy []string              `json:"group_by"`
			Groups  []store.ComplianceRow `json:"groups"`
			Note    string                `json:"note"`
		}{q.GroupBy, rows, "compliance_rate = items_actioned / items_requested_responded; counts keep their weakest kind; a rate is given only when both counts are exact, bounds otherwise"})
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		head := append([]string{}, q.GroupBy...)
		head = append(head, "records", "demands", "demands_kind", "items_requested", "items_requested_kind", "items_actioned", "items_actioned_kind", "compliance_rate", "compliance_rate_min", "compliance_rate_max")
		cw.Write(head)
		for _, row := range rows {
			var rec []string
			for _, g := range q.GroupBy {
				rec = append(rec, row.Group[g])
			}
			rec = append(rec, strconv.FormatInt(row.Records, 10))
			for _, c := range []*model.Count{row.Demands, row.ItemsRequested, row.ItemsActioned} {
				s, k := countCells(c)
				rec = append(rec, s, k)
			}
			rec = append(rec, fcell(row.ComplianceRate), fcell(row.RateMin), fcell(row.RateMax))
			cw.Write(rec)
		}
		cw.Flush()
	default:
		badRequest(w, "format", "must be json or csv")
	}
}

// countCells gives a count's lower bound (its value when exact) and its kind.
func countCells(c *model.Count) (string, string) {
	if c == nil {
		return "", ""
	}
	s := strconv.FormatInt(c.Lo(), 10)
	if hi, ok := c.Hi(); ok && c.Kind == model.Range {
		s += "-" + strconv.FormatInt(hi, 10)
	}
	return s, c.Kind
}

func fcell(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 6, 64)
}
