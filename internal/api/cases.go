package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/model"
)

// Case endpoints replace the generic ones for "cases": only the filing group
// and the addressed platform list, read or change a case, and every change
// is one workflow step. The statistics are public and hold no case content.

// maxCaseBytes admits a sealed part of model.MaxSealed with its envelope.
const maxCaseBytes = model.MaxSealed + 1<<20

// caseCaller refuses anonymous callers before anything is looked up.
func caseCaller(w http.ResponseWriter, r *http.Request) (auth.Actor, bool) {
	a := ActorOf(r)
	if a.Role == auth.Public {
		w.Header().Set("WWW-Authenticate", `Bearer realm="candor"`)
		writeProblem(w, Problem{Status: http.StatusUnauthorized, Detail: "cases are open to their parties only; a bearer token is needed"})
		return a, false
	}
	return a, true
}

func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readBody(w, r, maxCaseBytes)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err != nil {
			err = jsonError(err)
		}
	}
	if err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			writeProblem(w, Problem{Status: http.StatusBadRequest, Title: "Invalid request", Detail: ve.Error(), Errors: ve.Errors})
		} else {
			writeProblem(w, Problem{Status: http.StatusBadRequest, Title: "Invalid request", Detail: "cannot read the request body"})
		}
		return false
	}
	return true
}

func (h *Handler) writeCaseError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, cases.ErrChanged) {
		writeProblem(w, Problem{Status: http.StatusConflict, Title: "Changed meanwhile", Detail: err.Error()})
		return
	}
	h.writeError(w, r, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (h *Handler) caseNotHere(w http.ResponseWriter, r *http.Request) {
	if _, ok := caseCaller(w, r); !ok {
		return
	}
	writeProblem(w, Problem{Status: http.StatusForbidden,
		Detail: "cases are filed one at a time with POST /api/v1/cases and changed with POST /api/v1/cases/{id}/status, /messages or /recipients"})
}

func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	q := cases.ListQuery{Status: r.URL.Query().Get("status"), Cursor: r.URL.Query().Get("cursor"), Limit: 100}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			badRequest(w, "limit", "must be a whole number from 1 to 1000")
			return
		}
		q.Limit = n
	}
	views, next, err := h.cases.List(r.Context(), a, q)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": views, "next_cursor": next})
}

func (h *Handler) fileCase(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	var req cases.FileRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	v, err := h.cases.File(r.Context(), a, req)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+v.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (h *Handler) caseRecipients(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	keys, err := h.cases.Recipients(r.Context(), a, r.URL.Query().Get("to"))
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, keys)
}

func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	svc := h.cases
	v, err := svc.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	n, ok := versionParam(w, r)
	if !ok {
		return
	}
	if n > 0 {
		// Access was checked on the current version; parties never change.
		row, err := h.Store.Get(r.Context(), "cases", v.ID, n)
		if err != nil {
			h.writeCaseError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(row.Body)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) caseVersions(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	v, err := h.cases.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	vs, err := h.Store.Versions(r.Context(), "cases", v.ID)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
}

func (h *Handler) replyCase(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	var req struct {
		Sealed string `json:"sealed"`
	}
	if !decodeStrict(w, r, &req) {
		return
	}
	v, err := h.cases.Reply(r.Context(), a, r.PathValue("id"), req.Sealed)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) caseStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	var req struct {
		Status  string `json:"status"`
		Outcome string `json:"outcome,omitempty"`
	}
	if !decodeStrict(w, r, &req) {
		return
	}
	v, err := h.cases.SetStatus(r.Context(), a, r.PathValue("id"), req.Status, req.Outcome)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) resealCase(w http.ResponseWriter, r *http.Request) {
	a, ok := caseCaller(w, r)
	if !ok {
		return
	}
	var req cases.ResealRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	v, err := h.cases.Reseal(r.Context(), a, r.PathValue("id"), req)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) caseStats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := cases.StatsQuery{GroupBy: cases.ParseGroupBy(v.Get("group_by")), Grain: v.Get("grain"),
		Platform: v.Get("platform"), Country: strings.ToUpper(v.Get("country")), Kind: v.Get("kind"), Urgency: v.Get("urgency")}
	for _, p := range []struct {
		name string
		end  bool
		dst  *time.Time
	}{{"from", false, &q.From}, {"to", true, &q.To}} {
		t, err := parseTime(v.Get(p.name), p.end)
		if err != nil {
			badRequest(w, p.name, err.Error())
			return
		}
		if t != nil {
			*p.dst = *t
		}
	}
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" {
		badRequest(w, "format", "must be json or csv")
		return
	}
	st, err := h.publicCaseStats.Stats(r.Context(), q)
	if err != nil {
		h.writeCaseError(w, r, err)
		return
	}
	if format == "csv" {
		writeCaseStatsCSV(w, st)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// writeCaseStatsCSV writes one row per published group; times in seconds.
func writeCaseStatsCSV(w http.ResponseWriter, st *cases.Stats) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	head := append([]string{}, st.GroupBy...)
	if slices.Contains(st.GroupBy, "platform") {
		head = append(head, "platform_name")
	}
	head = append(head, "cases")
	for _, m := range []string{"acknowledge", "respond", "resolve"} {
		head = append(head, m+"_reached", m+"_median_seconds", m+"_p90_seconds")
	}
	cw.Write(append(head, "share_resolved", "share_overdue", "share_open"))
	for _, g := range st.Groups {
		var rec []string
		for _, d := range st.GroupBy {
			rec = append(rec, map[string]string{"platform": g.Platform, "country": g.Country, "kind": g.Kind,
				"urgency": g.Urgency, "period": g.Period}[d])
		}
		if slices.Contains(st.GroupBy, "platform") {
			rec = append(rec, g.PlatformName)
		}
		rec = append(rec, strconv.Itoa(g.Cases))
		for _, t := range []cases.Timing{g.Acknowledge, g.Respond, g.Resolve} {
			rec = append(rec, strconv.Itoa(t.Reached), fcell(t.MedianSeconds), fcell(t.P90Seconds))
		}
		rec = append(rec, strconv.FormatFloat(g.ShareResolved, 'f', -1, 64), strconv.FormatFloat(g.ShareOverdue, 'f', -1, 64),
			strconv.FormatFloat(g.ShareOpen, 'f', -1, 64))
		cw.Write(rec)
	}
	cw.Flush()
}
