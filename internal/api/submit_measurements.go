package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/interference"
	"github.com/candor-observatory/candor/internal/model"
)

// maxMeasurementBody bounds one submission: OONI's largest measurements
// are a few MiB.
const maxMeasurementBody = 32 << 20

// measurementSubmitters are the roles that may submit measurements.
var measurementSubmitters = []string{auth.Admin, auth.CivilSociety}

// submitMeasurements stores OONI measurements and feeds them to the
// detectors; a body with any malformed measurement stores nothing.
func (h *Handler) submitMeasurements(w http.ResponseWriter, r *http.Request) {
	a := ActorOf(r)
	if a.Role == auth.Public {
		writeProblem(w, Problem{Status: http.StatusUnauthorized, Detail: "submitting measurements needs a bearer token"})
		return
	}
	if a.Role != auth.Admin && a.Role != auth.CivilSociety {
		writeProblem(w, Problem{Status: http.StatusForbidden, Detail: "role " + a.Role + " may not submit measurements; admin and civil_society may"})
		return
	}
	if h.intake == nil {
		writeProblem(w, Problem{Status: http.StatusNotImplemented, Detail: "this server takes no measurements"})
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" && ct != "application/x-ndjson" {
		writeProblem(w, Problem{Status: http.StatusUnsupportedMediaType,
			Detail: "send one measurement as application/json, or many as application/x-ndjson"})
		return
	}
	body, err := readBody(w, r, maxMeasurementBody)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := h.intake.Submit(r.Context(), a, body, ct == "application/x-ndjson")
	var se *interference.SubmitError
	if errors.As(err, &se) {
		p := Problem{Status: http.StatusBadRequest, Detail: se.Error()}
		for _, le := range se.Lines {
			field := "(body)"
			if le.Line > 0 {
				field = "line " + strconv.Itoa(le.Line)
			}
			p.Errors = append(p.Errors, model.FieldError{Field: field, Message: le.Err.Error()})
		}
		writeProblem(w, p)
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}
