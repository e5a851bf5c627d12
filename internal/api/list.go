package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// MaxLimit is the largest page.
const MaxLimit = 1000

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	c, ok := collection(w, r)
	if !ok {
		return
	}
	a := ActorOf(r)
	q := store.Query{Collection: c, Visibility: a.CanRead(), Owner: a.Org}
	v := r.URL.Query()
	q.Country = strings.ToUpper(v.Get("country"))
	if q.Country != "" && !model.IsCountryCode(q.Country) {
		badRequest(w, "country", "must be an ISO 3166-1 alpha-2 code")
		return
	}
	q.Platform, q.Ref, q.SourceID, q.Q, q.Cursor = v.Get("platform"), v.Get("ref"), v.Get("source_id"), v.Get("q"), v.Get("cursor")
	for _, t := range v["type"] {
		for _, s := range strings.Split(t, ",") {
			if s = strings.TrimSpace(s); s != "" {
				q.Types = append(q.Types, s)
			}
		}
	}
	if q.From, q.To, ok = timeRange(w, v); !ok {
		return
	}
	if q.Limit, ok = pageLimit(w, v); !ok {
		return
	}
	switch v.Get("order") {
	case "", "newest":
	case "oldest":
		q.Oldest = true
	default:
		badRequest(w, "order", "must be newest or oldest")
		return
	}
	format, ok := rowFormat(w, v)
	if !ok {
		return
	}
	page, err := h.Store.List(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	setNextLink(w, r, page.NextCursor)
	WriteRows(w, format, c, page)
}

// WriteRows writes a page of records as json, ndjson or csv.
func WriteRows(w http.ResponseWriter, format, collection string, page *store.Page) {
	switch format {
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson")
		for _, row := range page.Rows {
			w.Write(row.Body)
			w.Write([]byte("\n"))
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+collection+`.csv"`)
		bodies := make([][]byte, len(page.Rows))
		for i, row := range page.Rows {
			bodies[i] = row.Body
		}
		WriteCSV(w, bodies)
	default:
		w.Header().Set("Content-Type", "application/json")
		data := make([]json.RawMessage, len(page.Rows))
		for i, row := range page.Rows {
			data[i] = row.Body
		}
		json.NewEncoder(w).Encode(struct {
			Data       []json.RawMessage `json:"data"`
			Count      int               `json:"count"`
			NextCursor string            `json:"next_cursor,omitempty"`
		}{data, len(data), page.NextCursor})
	}
}
