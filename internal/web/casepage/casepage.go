// Package casepage serves the cases page under /cases/: filing, opening,
// answering and following a sealed case happen in the browser with a
// vendored age implementation, so the server sees ciphertext only. It also
// renders the public reaction-time statistics, which need no script. Both
// speak the explorer's languages.
package casepage

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

//go:embed static
var static embed.FS

//go:embed cases.html stats.html
var templates embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"hours": func(l *locale.Locale, secs *float64) string {
		if secs == nil {
			return "–"
		}
		h := *secs / 3600
		digits := 0
		if h < 10 {
			digits = 1
		}
		return l.T("cases.stats.hours", "H", l.Decimal(h, digits))
	},
	"int64": func(n int) int64 { return int64(n) },
}).ParseFS(templates, "*.html"))

// StatsFunc computes the public statistics; the server passes one that
// reads cases from its store.
type StatsFunc func(ctx context.Context, q cases.StatsQuery) (*cases.Stats, error)

// ContentSecurityPolicy allows nothing from elsewhere and no inline script.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves /cases/, /cases/static/ and /cases/stats.
func Handler(stats StatsFunc) http.Handler {
	sub, _ := fs.Sub(static, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /cases/static/", http.StripPrefix("/cases/static/", http.FileServerFS(sub)))
	mux.HandleFunc("GET /cases/{$}", func(w http.ResponseWriter, r *http.Request) {
		l := locale.Get(locale.FromRequest(w, r))
		render(w, r, "cases.html", casesPage{pageBase: base(l, r), Messages: scriptMessages(l),
			Kinds: options(l, "case_kind", model.CaseKinds), Urgencies: options(l, "case_urgency", orderedUrgencies),
			Outcomes: options(l, "case_outcome", model.CaseOutcomes)})
	})
	mux.HandleFunc("GET /cases/stats", func(w http.ResponseWriter, r *http.Request) {
		l := locale.Get(locale.FromRequest(w, r))
		q := cases.StatsQuery{GroupBy: cases.ParseGroupBy(r.URL.Query().Get("group_by")),
			Grain: r.URL.Query().Get("grain"), Now: time.Now().UTC()}
		if len(q.GroupBy) == 0 {
			q.GroupBy = []string{"platform"}
		}
		st, err := stats(r.Context(), q)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		render(w, r, "stats.html", statsPage{pageBase: base(l, r), Stats: st})
	})
	return secure(mux)
}

var orderedUrgencies = []string{"routine", "urgent", "emergency"}

type pageBase struct {
	L     *locale.Locale
	Langs []langLink
}

type langLink struct {
	Code, Name, URL string
	Current         bool
}

type option struct{ Value, Label string }

type casesPage struct {
	pageBase
	Messages                   string
	Kinds, Urgencies, Outcomes []option
}

type statsPage struct {
	pageBase
	Stats *cases.Stats
}

func base(l *locale.Locale, r *http.Request) pageBase {
	p := pageBase{L: l}
	for _, c := range locale.Codes {
		u := *r.URL
		q := u.Query()
		q.Set("lang", c)
		u.RawQuery = q.Encode()
		p.Langs = append(p.Langs, langLink{Code: c, Name: locale.Get(c).Name(), URL: u.RequestURI(), Current: c == l.Code})
	}
	return p
}

func options(l *locale.Locale, kind string, values any) []option {
	var vs []string
	switch v := values.(type) {
	case model.Enum:
		vs = v.Values()
	case []string:
		vs = v
	}
	out := make([]option, len(vs))
	for i, v := range vs {
		out[i] = option{v, l.Label(kind, v)}
	}
	return out
}

// scriptKeys are the messages the page script shows.
var scriptKeys = []string{
	"cases.token.set", "cases.list.count", "cases.list.more", "cases.file.filed", "cases.file.handlers",
	"cases.file.office", "cases.file.own", "cases.file.no_recipient", "cases.open.opened", "cases.open.no_key",
	"cases.open.not_recipient", "cases.open.cannot", "cases.clock.reached", "cases.clock.due", "cases.clock.overdue",
	"cases.reply.sent", "cases.status.changed", "cases.reminder.follow_up",
}

// scriptMessages is the JSON the page script reads its words from: the
// messages above and the labels of case statuses, kinds, urgencies,
// outcomes and clocks.
func scriptMessages(l *locale.Locale) string {
	m := map[string]string{}
	for _, k := range scriptKeys {
		m[k] = l.T(k, "Count", "{n}")
	}
	for kind, e := range map[string]model.Enum{"case_status": model.CaseStatuses, "case_kind": model.CaseKinds,
		"case_urgency": model.CaseUrgencies, "case_outcome": model.CaseOutcomes,
		"case_milestone": model.NewEnum("acknowledge", "respond", "resolve")} {
		for _, v := range e.Values() {
			m[kind+"."+v] = l.Label(kind, v)
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		slog.Error("cases page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Language, Cookie")
	w.Write(buf.Bytes())
}

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
