// Package casepage serves the cases page under /cases/: filing, opening,
// answering and following a sealed case happen in the browser with a
// vendored age implementation, so the server sees ciphertext only. It also
// renders the public reaction-time statistics, which need no script.
package casepage

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/candor-observatory/candor/internal/cases"
)

//go:embed static
var static embed.FS

//go:embed stats.html
var statsHTML string

var statsTemplate = template.Must(template.New("stats").Funcs(template.FuncMap{
	"hours": func(secs *float64) string {
		if secs == nil {
			return "–"
		}
		return formatHours(*secs / 3600)
	},
	"percent": func(x float64) string { return formatPercent(x) },
}).Parse(statsHTML))

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
		http.ServeFileFS(w, r, sub, "cases.html")
	})
	mux.HandleFunc("GET /cases/stats", func(w http.ResponseWriter, r *http.Request) {
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
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := statsTemplate.Execute(w, st); err != nil {
			slog.Error("cases stats page", "err", err)
		}
	})
	return secure(mux)
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
