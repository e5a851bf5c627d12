package api

import (
	"encoding/json"
	"net/http"
)

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) {
	c, ok := collection(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	row, err := h.Store.Get(r.Context(), c, id, 0)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !canRead(ActorOf(r), row) {
		writeProblem(w, Problem{Status: http.StatusNotFound})
		return
	}
	vs, err := h.Store.Versions(r.Context(), c, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		ID       string      `json:"id"`
		Versions interface{} `json:"versions"`
	}{id, vs})
}
