// Package api serves Candor's JSON API under /api/v1.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/interference"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Handler holds what the API handlers need.
type Handler struct {
	Store    store.Store
	Registry *registry.Registry
	Log      *slog.Logger
	// ledger serves record proofs and log status; nil runs without a log.
	ledger          *ledger.Log
	cases           *cases.Service
	publicCaseStats *cases.StatsCache
	intake          *interference.Intake
	limiter         *limiter
	mux             *http.ServeMux
}

// Route is one API operation; the same table registers the handlers and
// writes the OpenAPI document.
type Route struct {
	Method, Pattern string
	Summary         string
	Write           bool
	Handle          func(h *Handler, w http.ResponseWriter, r *http.Request)
	Params          []Param
	Tag             string
	// Roles, when set, are the only roles that may call a write route;
	// Bodies are the media types it takes (default application/json).
	Roles  []string
	Bodies map[string]string
}

// Param documents a query parameter.
type Param struct{ Name, Description string }

// Deps are what the API is built from.
type Deps struct {
	Store    store.Store
	Registry *registry.Registry
	// Ledger is the verifiable log; nil serves no proofs.
	Ledger    *ledger.Log
	Cases     *cases.Service
	CaseStats *cases.StatsCache
	// Intake takes submitted OONI measurements; nil takes none.
	Intake *interference.Intake
	Log    *slog.Logger
	// Observe, when set, is told how long each request to a route took.
	Observe func(route string, status int, elapsed time.Duration)
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// New builds the API handler.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &Handler{Store: d.Store, Registry: d.Registry, Log: d.Log, ledger: d.Ledger, cases: d.Cases, publicCaseStats: d.CaseStats, intake: d.Intake,
		limiter: newLimiter(20, 200), mux: http.NewServeMux()}
	for _, rt := range Routes() {
		route := rt.Method + " " + rt.Pattern
		h.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
			if d.Observe != nil {
				start, sw := time.Now(), &statusWriter{ResponseWriter: w, status: http.StatusOK}
				defer func() { d.Observe(route, sw.status, time.Since(start)) }()
				w = sw
			}
			if rt.Write && !h.limiter.allow(clientKey(r)) {
				w.Header().Set("Retry-After", "1")
				writeProblem(w, Problem{Status: http.StatusTooManyRequests, Detail: "too many writes; slow down"})
				return
			}
			rt.Handle(h, w, r)
		})
	}
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, Problem{Status: http.StatusNotFound, Detail: "no such API endpoint: " + r.URL.Path})
	})
	return h
}

type actorKey struct{}

// ServeHTTP authenticates the caller, then routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := auth.Authenticate(r.Context(), h.Store, r.Header.Get("Authorization"))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="candor"`)
		writeProblem(w, Problem{Status: http.StatusUnauthorized, Detail: err.Error()})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, a)))
}

// ActorOf returns the authenticated caller of a request.
func ActorOf(r *http.Request) auth.Actor {
	if a, ok := r.Context().Value(actorKey{}).(auth.Actor); ok {
		return a
	}
	return auth.Anonymous
}

// collection checks the {collection} path value.
func collection(w http.ResponseWriter, r *http.Request) (string, bool) {
	c := r.PathValue("collection")
	if model.New(c) == nil {
		writeProblem(w, Problem{Status: http.StatusNotFound, Detail: "no collection named " + strconv.Quote(c) +
			"; collections: " + model.NewEnum(model.Collections()...).String()})
		return "", false
	}
	return c, true
}

// canRead says whether a may read row.
func canRead(a auth.Actor, row *store.Row) bool {
	if a.Org != "" && (row.Index.Owner == a.Org || row.SubmittedBy == a.Org) {
		return true
	}
	for _, v := range a.CanRead() {
		if v == row.Visibility {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

// writeRequest checks the collection and that the caller holds a token,
// then reads a body of at most limit bytes; on failure it has answered.
func (h *Handler) writeRequest(w http.ResponseWriter, r *http.Request, limit int64) (string, auth.Actor, []byte, bool) {
	c, ok := collection(w, r)
	if !ok {
		return "", auth.Anonymous, nil, false
	}
	a := ActorOf(r)
	if a.Role == auth.Public {
		writeProblem(w, Problem{Status: http.StatusUnauthorized, Detail: "writing needs a bearer token"})
		return "", a, nil, false
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		h.writeError(w, r, err)
		return "", a, nil, false
	}
	return c, a, body, true
}

// readRecord is writeRequest for one record, decoded strictly.
func (h *Handler) readRecord(w http.ResponseWriter, r *http.Request) (string, auth.Actor, model.Record, bool) {
	c, a, body, ok := h.writeRequest(w, r, maxRecordBytes)
	if !ok {
		return "", a, nil, false
	}
	rec, err := DecodeRecord(c, body)
	if err != nil {
		h.writeError(w, r, err)
		return "", a, nil, false
	}
	return c, a, rec, true
}

// versionParam reads ?version=N (0 when absent, meaning the current one);
// on a bad value it has answered.
func versionParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	s := r.URL.Query().Get("version")
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		badRequest(w, "version", "must be a whole number from 1")
		return 0, false
	}
	return n, true
}
