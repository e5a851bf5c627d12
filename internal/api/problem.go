package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Errors   []model.FieldError   `json:"errors,omitempty"`
	Items    []registry.ItemError `json:"items,omitempty"`
	Existing string               `json:"existing_id,omitempty"`
}

func writeProblem(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func badRequest(w http.ResponseWriter, field, msg string) {
	writeProblem(w, Problem{Status: http.StatusBadRequest, Title: "Invalid request", Detail: field + ": " + msg,
		Errors: []model.FieldError{{Field: field, Message: msg}}})
}

// writeError turns an error from the registry or the store into a problem.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *model.ValidationError
	var be *registry.BatchError
	var ce *store.ConflictError
	var fe *registry.ForbiddenError
	switch {
	case errors.As(err, &ve):
		writeProblem(w, Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid record", Detail: ve.Error(), Errors: ve.Errors})
	case errors.As(err, &be):
		writeProblem(w, Problem{Status: http.StatusUnprocessableEntity, Title: "Batch rejected; nothing was written",
			Detail: be.Error(), Items: be.Items, Errors: flatten(be.Items)})
	case errors.As(err, &ce):
		writeProblem(w, Problem{Status: http.StatusConflict, Title: "source_id already used", Detail: ce.Error(),
			Existing: ce.ID, Errors: []model.FieldError{{Field: "source_id", Message: "already used by " + ce.ID}}})
	case errors.As(err, &fe):
		writeProblem(w, Problem{Status: http.StatusForbidden, Title: "Forbidden", Detail: fe.Reason})
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, Problem{Status: http.StatusNotFound, Title: "Not found"})
	default:
		h.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeProblem(w, Problem{Status: http.StatusInternalServerError, Title: "Internal error"})
	}
}

// flatten lists per-item errors with the item in the field path.
func flatten(items []registry.ItemError) []model.FieldError {
	var out []model.FieldError
	for _, it := range items {
		for _, fe := range it.Errors {
			f := "items[" + itoa(it.Index) + "]"
			if fe.Field != "" {
				f += "." + fe.Field
			}
			out = append(out, model.FieldError{Field: f, Message: fe.Message})
		}
	}
	return out
}
