package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

// searchCollections are the collections the explorer lists publicly.
var searchCollections = []string{"demands", "responses", "laws", "authorities", "organisations", "events",
	"measurements", "periods", "cases", "assessments", "plans"}

type searchData struct {
	Q, Collection, Country, Platform, Type, From, To string
	Collections                                      []option
	Platforms                                        []option
	Rows                                             []resultRow
	Next, First                                      string
	CSV, NDJSON                                      string
	Error                                            string
	Searched                                         bool
}

type resultRow struct {
	Kind, KindLabel, Title, URL, Country, CountryURL, Platform, PlatformURL, When, Detail string
	Types                                                                                 []string
}

// searchQueryOf reads the filters of a search URL; the error names the field.
func searchQueryOf(r *http.Request) (Query, error) {
	v := r.URL.Query()
	q := Query{Collection: v.Get("collection"), Country: strings.ToUpper(strings.TrimSpace(v.Get("country"))),
		Platform: v.Get("platform"), Q: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor")}
	if t := v.Get("type"); t != "" {
		q.Types = []string{t}
	}
	if q.Collection != "" && !slices.Contains(searchCollections, q.Collection) {
		return q, &fieldErr{"collection"}
	}
	if q.Country != "" && !model.IsCountryCode(q.Country) {
		return q, &fieldErr{"country"}
	}
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(f.name); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return q, &fieldErr{f.name}
			}
			*f.t = t
		}
	}
	if !q.To.IsZero() {
		q.To = q.To.Add(24*time.Hour - time.Microsecond) // the whole last day
	}
	return q, nil
}

type fieldErr struct{ field string }

func (e *fieldErr) Error() string { return e.field }

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := loc(w, r)
	v := r.URL.Query()
	d := searchData{Q: v.Get("q"), Collection: v.Get("collection"), Country: v.Get("country"), Platform: v.Get("platform"),
		Type: v.Get("type"), From: v.Get("from"), To: v.Get("to")}
	platforms, err := s.platformNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, qerr := searchQueryOf(r)
	status := http.StatusOK
	if qerr != nil {
		status = http.StatusBadRequest
		d.Error = l.T("search.bad_field", "Field", fieldLabel(l, qerr.Error()))
	}
	if f := v.Get("format"); qerr == nil && (f == "csv" || f == "ndjson") {
		s.download(ctx, w, q, f)
		return
	}
	d.Collections = []option{{Value: "", Label: l.T("search.all_collections"), Selected: d.Collection == ""}}
	for _, c := range searchCollections {
		d.Collections = append(d.Collections, option{Value: c, Label: l.T("collection." + c), Selected: c == d.Collection})
	}
	d.Platforms = []option{{Value: "", Label: l.T("chart.all_platforms"), Selected: d.Platform == ""}}
	for _, id := range sortedKeys(platforms) {
		d.Platforms = append(d.Platforms, option{Value: id, Label: platforms[id].Name, Selected: id == d.Platform})
	}
	if qerr == nil {
		q.Limit = s.PageSize
		p, err := s.r.List(ctx, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Searched = true
		for _, rec := range p.Records {
			d.Rows = append(d.Rows, resultOf(l, rec, platforms))
		}
		if p.Next != "" {
			d.Next = withQuery(r.URL, "cursor", p.Next)
		}
		if q.Cursor != "" {
			d.First = withQuery(r.URL, "cursor", "")
		}
		d.CSV = withQuery(r.URL, "cursor", "", "format", "csv")
		d.NDJSON = withQuery(r.URL, "cursor", "", "format", "ndjson")
	}
	section := "search"
	if d.Collection == "laws" && d.Q == "" && d.Country == "" {
		section = "laws"
	} else if d.Collection == "organisations" && d.Type == "platform" && d.Q == "" {
		section = "platforms"
	}
	s.render(w, r, status, "search", l.T("search.title"), section, d)
}

func resultOf(l *locale.Locale, rec model.Record, platforms map[string]model.Organisation) resultRow {
	ix := rec.Index()
	row := resultRow{Kind: rec.Collection(), KindLabel: l.T("collection.one." + rec.Collection()), Title: title(l, rec, platforms), URL: recordURL(rec)}
	if ix.Country != "" {
		row.Country, row.CountryURL = l.Country(ix.Country), "/countries/"+ix.Country
	}
	if ix.Platform != "" {
		row.Platform, row.PlatformURL = platformName(platforms, ix.Platform), "/platforms/"+ix.Platform
	}
	if ix.Start != nil {
		row.When = l.Date(*ix.Start)
	}
	for _, k := range []string{"summary", "statement"} {
		if s, ok := fields(rec)[k].(string); ok && s != "" {
			row.Detail = clip(s, 160)
			break
		}
	}
	for _, t := range ix.Types {
		row.Types = append(row.Types, typeLabel(l, rec.Collection(), t))
	}
	return row
}

// download streams every record of a list, page by page, as CSV or NDJSON.
func (s *Server) download(ctx context.Context, w http.ResponseWriter, q Query, format string) {
	name := "candor"
	if q.Collection != "" {
		name += "-" + q.Collection
	}
	name += "-" + s.Now().UTC().Format("20060102")
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if format == "ndjson" {
		h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.ndjson"`)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		s.each(ctx, q, func(rec model.Record) { enc.Encode(rec) })
		return
	}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	defer cw.Flush()
	var cols []string
	s.each(ctx, q, func(rec model.Record) {
		flat := flatten(fields(rec))
		if cols == nil {
			// Columns come from the first record: the fixed ones first, then its own.
			cols = []string{"collection", "id", "version"}
			for _, k := range sortedKeys(flat) {
				if k != "id" && k != "version" && !strings.HasPrefix(k, "sources[") {
					cols = append(cols, k)
				}
			}
			cols = append(cols, "record")
			cw.Write(cols)
		}
		body, _ := json.Marshal(rec)
		row := make([]string, len(cols))
		for i, c := range cols {
			switch c {
			case "collection":
				row[i] = rec.Collection()
			case "id":
				row[i] = rec.Base().ID
			case "version":
				row[i] = strconv.Itoa(rec.Base().Version)
			case "record":
				row[i] = string(body)
			default:
				row[i] = cell(flat[c])
			}
		}
		cw.Write(row)
	})
}

// cell unquotes a JSON scalar and defuses spreadsheet formulas.
func cell(js string) string {
	var s string
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		s = js
		if s == "null" {
			s = ""
		}
	}
	if s != "" && strings.ContainsRune("=+@\t\r", rune(s[0])) {
		s = "'" + s
	}
	return s
}
