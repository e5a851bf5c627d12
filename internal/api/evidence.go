package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/candor-observatory/candor/internal/evidence"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/store"
)

// maxEvidenceRefs bounds the records one request may bundle.
const maxEvidenceRefs = 1000

func (h *Handler) recordEvidence(w http.ResponseWriter, r *http.Request) {
	c, ok := collection(w, r)
	if !ok {
		return
	}
	version, ok := versionParam(w, r)
	if !ok {
		return
	}
	h.writeEvidence(w, r, []evidence.Ref{{Collection: c, ID: r.PathValue("id"), Version: version}})
}

func (h *Handler) evidence(w http.ResponseWriter, r *http.Request) {
	var refs []evidence.Ref
	for _, v := range r.URL.Query()["record"] {
		for _, s := range strings.Split(v, ",") {
			ref, err := evidence.ParseRef(strings.TrimSpace(s))
			if err != nil {
				badRequest(w, "record", err.Error())
				return
			}
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		badRequest(w, "record", "name at least one record as collection/id")
		return
	}
	if len(refs) > maxEvidenceRefs {
		badRequest(w, "record", fmt.Sprintf("at most %d records in one request", maxEvidenceRefs))
		return
	}
	h.writeEvidence(w, r, refs)
}

func (h *Handler) writeEvidence(w http.ResponseWriter, r *http.Request, refs []evidence.Ref) {
	if h.ledger == nil {
		writeProblem(w, Problem{Status: http.StatusServiceUnavailable, Detail: "this server runs without a ledger"})
		return
	}
	b := evidence.Builder{Store: h.Store, Log: h.ledger}
	file, err := b.Build(r.Context(), refs)
	switch {
	case errors.Is(err, evidence.ErrNotPublic), errors.Is(err, store.ErrNotFound):
		// Only public versions are logged; say no more about the others.
		writeProblem(w, Problem{Status: http.StatusNotFound, Title: "Not in the log",
			Detail: "no public record version " + refName(refs) + " is in the log"})
		return
	case errors.Is(err, ledger.ErrNotYetCovered), errors.Is(err, ledger.ErrNoCheckpoint):
		w.Header().Set("Retry-After", "2")
		writeProblem(w, Problem{Status: http.StatusServiceUnavailable, Title: "Not yet in a signed checkpoint",
			Detail: "a record named was logged but no checkpoint covers it yet; retry in a few seconds"})
		return
	case err != nil:
		h.writeError(w, r, err)
		return
	}
	name := "candor-evidence.json"
	if len(refs) == 1 {
		name = "candor-evidence-" + refs[0].Collection + "-" + refs[0].ID
		if refs[0].Version > 0 {
			name += "-v" + strconv.Itoa(refs[0].Version)
		}
		name += ".json"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(file)
}

// refName names the single record asked for, or none when there were many.
func refName(refs []evidence.Ref) string {
	if len(refs) == 1 {
		return refs[0].String()
	}
	return "named"
}
