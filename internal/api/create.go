package api

import (
	"net/http"
)

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	c, a, rec, ok := h.readRecord(w, r)
	if !ok {
		return
	}
	if rec.Base().ID != "" || rec.Base().Version != 0 {
		badRequest(w, "id", "is assigned by the server; use PUT to correct a record")
		return
	}
	res, err := h.Registry.Create(r.Context(), a, rec)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/api/v1/"+c+"/"+res.ID)
	w.WriteHeader(http.StatusCreated)
	w.Write(res.Row.Body)
}
