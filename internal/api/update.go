package api

import (
	"net/http"
	"strconv"
)

func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	c, a, rec, ok := h.readRecord(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if rec.Base().ID != "" && rec.Base().ID != id {
		badRequest(w, "id", "does not match the URL")
		return
	}
	// If-Match guards against overwriting a version the caller has not seen.
	if m := r.Header.Get("If-Match"); m != "" {
		cur, err := h.Store.Get(r.Context(), c, id, 0)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if m != `"`+cur.ID+"-"+strconv.Itoa(cur.Version)+`"` {
			writeProblem(w, Problem{Status: http.StatusPreconditionFailed, Detail: "the record has changed; current version is " + strconv.Itoa(cur.Version)})
			return
		}
	}
	res, err := h.Registry.Update(r.Context(), a, id, rec)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if res.Row == nil {
		row, err := h.Store.Get(r.Context(), c, id, 0)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		w.Write(row.Body)
		return
	}
	w.Write(res.Row.Body)
}
