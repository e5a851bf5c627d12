package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/fold"
	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

// countryRow is a country's pressure indicators on the home page.
type countryRow struct {
	CC, Name     string
	Period       string // the latest reporting period with demands
	Demands      *model.Count
	Rate         float64
	HasRate      bool
	Interference int // events ongoing or ended in the last 30 days
	Laws         []*model.Law
}

type homeData struct {
	Rows  []countryRow
	Q     string
	Sort  string
	Desc  bool
	Heads []sortHead
}

type sortHead struct {
	Key, Label, URL, Aria string
	Num                   bool
}

// pressureTags are the provisions the home page counts a law for.
var pressureTags = []string{"bandwidth_throttling", "takedown_deadline"}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	l := loc(w, r)
	rows, err := s.countryRows(r.Context(), l)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := homeData{Q: strings.TrimSpace(r.URL.Query().Get("q")), Sort: r.URL.Query().Get("sort"), Desc: r.URL.Query().Get("dir") == "desc"}
	if d.Q != "" {
		q := fold.String(d.Q)
		rows = slices.DeleteFunc(rows, func(c countryRow) bool {
			return !strings.Contains(fold.String(c.Name+" "+c.CC+" "+locale.Get("en").Country(c.CC)), q)
		})
	}
	sortRows(l, rows, d.Sort, d.Desc)
	d.Rows = rows
	for _, h := range []struct {
		key, label string
		num        bool
	}{{"name", "home.col.country", false}, {"demands", "home.col.demands", true}, {"rate", "home.col.rate", true},
		{"interference", "home.col.interference", true}, {"laws", "home.col.laws", true}} {
		sh := sortHead{Key: h.key, Label: l.T(h.label), Num: h.num}
		desc := h.num // numbers sort high first by default
		if d.Sort == h.key || (d.Sort == "" && h.key == "name") {
			sh.Aria = "ascending"
			if d.Desc {
				sh.Aria = "descending"
			}
			desc = !d.Desc
		}
		dir := "asc"
		if desc {
			dir = "desc"
		}
		sh.URL = withQuery(r.URL, "sort", h.key, "dir", dir)
		d.Heads = append(d.Heads, sh)
	}
	s.render(w, r, http.StatusOK, "home", l.T("home.title"), "home", d)
}

func sortRows(l *locale.Locale, rows []countryRow, key string, desc bool) {
	less := func(a, b countryRow) int { return strings.Compare(a.CC, b.CC) }
	switch key {
	case "demands":
		less = func(a, b countryRow) int { return cmp.Compare(a.Demands.Lo(), b.Demands.Lo()) }
	case "rate":
		less = func(a, b countryRow) int { return cmp.Compare(a.Rate, b.Rate) }
	case "interference":
		less = func(a, b countryRow) int { return a.Interference - b.Interference }
	case "laws":
		less = func(a, b countryRow) int { return len(a.Laws) - len(b.Laws) }
	default:
		less = func(a, b countryRow) int { return l.Compare(a.Name, b.Name) }
	}
	sort.SliceStable(rows, func(i, j int) bool {
		c := less(rows[i], rows[j])
		if desc {
			return c > 0
		}
		return c < 0
	})
}

func (s *Server) countryRows(ctx context.Context, l *locale.Locale) ([]countryRow, error) {
	by := map[string]*countryRow{}
	row := func(cc string) *countryRow {
		if by[cc] == nil {
			by[cc] = &countryRow{CC: cc, Name: l.Country(cc)}
		}
		return by[cc]
	}
	comp, err := s.r.Compliance(ctx, ComplianceQuery{ByCountry: true, ByPeriod: true})
	if err != nil {
		return nil, err
	}
	for _, c := range comp {
		if c.Country == "" {
			continue
		}
		cr := row(c.Country)
		if c.Period >= cr.Period {
			cr.Period, cr.Demands = c.Period, c.Demands
			cr.Rate, cr.HasRate = c.Rate()
		}
	}
	now := s.Now()
	today := model.DateOf(now)
	err = s.each(ctx, Query{Collection: "laws", Types: pressureTags}, func(rec model.Record) {
		law, ok := rec.(*model.Law)
		if !ok || law.Country == "" {
			return
		}
		if st := law.Status(today); st != "in_force" && st != "amended" {
			return
		}
		if !slices.ContainsFunc(law.Tags(), func(t string) bool { return slices.Contains(pressureTags, t) }) {
			return
		}
		cr := row(law.Country)
		cr.Laws = append(cr.Laws, law)
	})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, Query{Collection: "events", From: now.Add(-30 * 24 * time.Hour)}, func(rec model.Record) {
		ix := rec.Index()
		if ix.Country == "" || (ix.Start != nil && ix.Start.After(now)) {
			return
		}
		if ix.End == nil || ix.End.After(now.Add(-30*24*time.Hour)) {
			row(ix.Country).Interference++
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]countryRow, 0, len(by))
	for _, cc := range sortedKeys(by) {
		out = append(out, *by[cc])
	}
	return out, nil
}

// each calls f for every record matching q, page by page.
func (s *Server) each(ctx context.Context, q Query, f func(model.Record)) error {
	q.Limit = 1000
	for {
		p, err := s.r.List(ctx, q)
		if err != nil {
			return err
		}
		for _, rec := range p.Records {
			f(rec)
		}
		if p.Next == "" {
			return nil
		}
		q.Cursor = p.Next
	}
}
