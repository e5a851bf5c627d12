package api

import (
	"net/http"
	"strconv"
)

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	c, ok := collection(w, r)
	if !ok {
		return
	}
	version, ok := versionParam(w, r)
	if !ok {
		return
	}
	row, err := h.Store.Get(r.Context(), c, r.PathValue("id"), version)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// A record the caller may not read is reported as absent.
	if !canRead(ActorOf(r), row) {
		writeProblem(w, Problem{Status: http.StatusNotFound})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", `"`+row.ID+"-"+strconv.Itoa(row.Version)+`"`)
	if row.LeafIndex != nil {
		w.Header().Set("Candor-Leaf-Index", strconv.FormatInt(*row.LeafIndex, 10))
		h.setLogStatus(w, r, *row.LeafIndex)
	}
	w.Write(row.Body)
}
