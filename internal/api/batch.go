package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
)

// batch creates up to 1000 records in one transaction. Every item is
// checked; if any fails, nothing is written and every failure is listed.
func (h *Handler) batch(w http.ResponseWriter, r *http.Request) {
	c, a, body, ok := h.writeRequest(w, r, maxBatchBytes)
	if !ok {
		return
	}
	var raw []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		h.writeError(w, r, model.Invalid("(body)", "must be a JSON array of records: %v", jsonError(err)))
		return
	}
	if len(raw) == 0 {
		badRequest(w, "(body)", "the batch is empty")
		return
	}
	if len(raw) > registry.MaxBatch {
		writeProblem(w, Problem{Status: http.StatusRequestEntityTooLarge, Title: "Batch too large",
			Detail: "a batch holds at most 1000 records", Errors: []model.FieldError{{Field: "(body)", Message: "has more than 1000 records"}}})
		return
	}
	recs := make([]model.Record, len(raw))
	var items []registry.ItemError
	for i, m := range raw {
		rec, err := DecodeRecord(c, m)
		if err == nil && (rec.Base().ID != "" || rec.Base().Version != 0) {
			err = model.Invalid("id", "is assigned by the server")
		}
		if err != nil {
			items = append(items, registry.ItemError{Index: i, Errors: err.(*model.ValidationError).Errors})
			continue
		}
		recs[i] = rec
	}
	if len(items) > 0 {
		h.writeError(w, r, &registry.BatchError{Items: items})
		return
	}
	res, err := h.Registry.Write(r.Context(), a, recs, registry.Create)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(struct {
		Created int                `json:"created"`
		Items   []*registry.Result `json:"items"`
	}{len(res), res})
}
