// Package web is the explorer: server-rendered pages in English, Turkish and
// Vietnamese that read fully without JavaScript, with charts drawn as SVG on
// the server and every asset served by the binary itself.
package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

// CSP allows nothing but the server's own origin: no inline script, no
// inline style, no third party.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Server serves the explorer's pages.
type Server struct {
	r   Reader
	mux *http.ServeMux
	log *slog.Logger
	// Now is the clock; tests fix it.
	Now func() time.Time
	// PageSize is how many search results a page shows.
	PageSize int

	mu        sync.Mutex
	platforms map[string]model.Organisation
	loadedAt  time.Time
}

// New returns an explorer reading from r.
func New(r Reader) *Server {
	s := &Server{r: r, mux: http.NewServeMux(), log: slog.Default(), Now: time.Now, PageSize: 50}
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /countries/{cc}", s.country)
	s.mux.HandleFunc("GET /platforms/{id}", s.platform)
	s.mux.HandleFunc("GET /search", s.search)
	s.mux.HandleFunc("GET /static/{file}", serveStatic)
	s.mux.HandleFunc("GET /{collection}/{id}", s.record)
	s.mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) })
	return s
}

// Routes lists the patterns the explorer answers, for mounting it beside
// the API on one mux.
var Routes = []string{"GET /{$}", "GET /countries/{cc}", "GET /platforms/{id}", "GET /search", "GET /static/{file}", "GET /{collection}/{id}"}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	r = r.WithContext(context.WithValue(r.Context(), langKey{}, locale.FromRequest(w, r)))
	s.mux.ServeHTTP(w, r)
}

type langKey struct{}

// lang is the language chosen for the request.
func lang(r *http.Request) string {
	if code, ok := r.Context().Value(langKey{}).(string); ok {
		return code
	}
	return "en"
}

// page is what the layout needs around every page's content.
type page struct {
	L       *locale.Locale
	Title   string
	Section string // home, search… for aria-current in the nav
	Langs   []langLink
	CSS     string
	Icon    string
	Data    any
}

type langLink struct {
	Code, Name, URL string
	Current         bool
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title, section string, data any) {
	code := lang(r)
	l := locale.Get(code)
	p := page{L: l, Title: title, Section: section, CSS: assetURL("style.css"), Icon: assetURL("icon.svg"), Data: data}
	for _, c := range locale.Codes {
		u := *r.URL
		q := u.Query()
		q.Set("lang", c)
		q.Del("cursor")
		u.RawQuery = q.Encode()
		p.Langs = append(p.Langs, langLink{Code: c, Name: locale.Get(c).Name(), URL: u.RequestURI(), Current: c == code})
	}
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", code)
	h.Set("Vary", "Accept-Language, Cookie, Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	body := buf.Bytes()
	if acceptsGzip(r) {
		body = gzipped(body)
		h.Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(status)
	w.Write(body)
}

// Pages are text that compresses about eightfold, which matters on a slow
// connection or over Tor.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if name, q, _ := strings.Cut(strings.TrimSpace(part), ";"); name == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&out)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return out.Bytes()
}

// loc is the request's locale when a handler needs it before rendering.
func loc(w http.ResponseWriter, r *http.Request) *locale.Locale { return locale.Get(lang(r)) }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	l := loc(w, r)
	s.render(w, r, http.StatusNotFound, "error", l.T("error.not_found.title"), "", errorData{Message: l.T("error.not_found.text")})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("explorer", "path", r.URL.Path, "err", err)
	l := loc(w, r)
	s.render(w, r, http.StatusInternalServerError, "error", l.T("error.internal.title"), "", errorData{Message: l.T("error.internal.text")})
}

type errorData struct{ Message string }

// platformNames returns the platforms by id, cached for a minute: they
// change rarely and every page names them.
func (s *Server) platformNames(ctx context.Context) (map[string]model.Organisation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.platforms != nil && s.Now().Sub(s.loadedAt) < time.Minute {
		return s.platforms, nil
	}
	m := map[string]model.Organisation{}
	q := Query{Collection: "organisations", Types: []string{"platform"}, Limit: 1000}
	for {
		p, err := s.r.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, rec := range p.Records {
			if o, ok := rec.(*model.Organisation); ok {
				m[o.ID] = *o
			}
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	s.platforms, s.loadedAt = m, s.Now()
	return m, nil
}

// platformName names a platform by id or, as measurements and events
// refer to platforms, by slug.
func platformName(m map[string]model.Organisation, id string) string {
	if o, ok := m[id]; ok {
		return o.Name
	}
	for _, o := range m {
		if o.Slug != "" && o.Slug == id {
			return o.Name
		}
	}
	return id
}

// withQuery returns path?query with key set to value (removed when empty).
func withQuery(u *url.URL, kv ...string) string {
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	q.Del("lang")
	out := u.Path
	if e := q.Encode(); e != "" {
		out += "?" + e
	}
	return out
}
