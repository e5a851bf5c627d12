package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

var templateFuncs = template.FuncMap{
	"count": countText,
	"url":   recordURL,
	"pct":   func(l *locale.Locale, f float64) string { return l.Percent(f) },
	"day":   func(l *locale.Locale, t time.Time) string { return l.Date(t) },
	"fig":   func(l *locale.Locale, f figure) figureArgs { return figureArgs{l, f} },
	"dl":    func(l *locale.Locale, csv, nd string) downloadArgs { return downloadArgs{l, csv, nd} },
}

// countText writes a Count in the reader's language, keeping its kind:
// 1.234 · ≥10 · 0–9 · withheld.
func countText(l *locale.Locale, c *model.Count) string {
	if c == nil {
		return "—"
	}
	switch c.Kind {
	case model.Exact:
		return l.Int(c.Lo())
	case model.LowerBound:
		return "≥" + l.Int(c.Lo())
	case model.Range:
		hi, _ := c.Hi()
		return l.Int(c.Lo()) + "–" + l.Int(hi)
	}
	return l.T("count.suppressed")
}

func recordURL(rec model.Record) string { return "/" + rec.Collection() + "/" + rec.Base().ID }

// fields is a record as generic JSON, numbers kept exact.
func fields(rec model.Record) map[string]any {
	b, _ := json.Marshal(rec)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	d.Decode(&m)
	return m
}

// title is a record's one-line name in the reader's language.
func title(l *locale.Locale, rec model.Record, platforms map[string]model.Organisation) string {
	switch r := rec.(type) {
	case *model.Demand:
		kinds := make([]string, len(r.Types))
		for i, t := range r.Types {
			kinds[i] = l.Label("demand_type", t)
		}
		s := strings.Join(kinds, ", ") + " · " + platformName(platforms, r.Platform)
		if r.Service != "" {
			s += " (" + r.Service + ")"
		}
		return s
	case *model.Response:
		return l.Label("outcome", r.Outcome) + " · " + platformName(platforms, r.Platform)
	case *model.Law:
		if r.ShortName != "" {
			return r.ShortName
		}
		return r.Title
	case *model.Organisation:
		return r.Name
	case *model.Authority:
		if r.NameEnglish != "" && r.NameEnglish != r.Name {
			return r.Name + " (" + r.NameEnglish + ")"
		}
		return r.Name
	}
	f := fields(rec)
	for _, k := range []string{"title", "name", "short_name", "summary", "measurement_uid"} {
		if s, ok := f[k].(string); ok && s != "" {
			return s
		}
	}
	ix := rec.Index()
	if len(ix.Types) > 0 {
		s := l.Label(kindOf(rec.Collection()), ix.Types[0])
		for _, t := range targetNames(f, platforms) {
			s += " · " + t
		}
		return s
	}
	return rec.Base().ID
}

// targetNames names the platforms or domains an event is about.
func targetNames(f map[string]any, platforms map[string]model.Organisation) []string {
	ts, _ := f["targets"].([]any)
	var out []string
	for _, t := range ts {
		if s, ok := t.(string); ok {
			out = append(out, platformName(platforms, s))
		}
	}
	return out
}

// kindOf names the enum that a collection's Index().Types holds.
func kindOf(collection string) string {
	switch collection {
	case "demands":
		return "demand_type"
	case "responses":
		return "outcome"
	case "events":
		return "event_kind"
	case "periods":
		return "period_kind"
	case "assessments":
		return "outcome"
	case "plans":
		return "plan_status"
	case "laws":
		return "law_kind"
	case "authorities":
		return "authority_type"
	case "organisations":
		return "organisation_kind"
	case "measurements":
		return "measurement_outcome"
	case "cases":
		return "case_kind"
	}
	return collection
}

// typeLabel translates an Index type of any collection; laws mix their kind
// with provision tags.
func typeLabel(l *locale.Locale, collection, t string) string {
	if collection == "laws" && model.ProvisionTags.Has(t) {
		return l.Label("tag", t)
	}
	return l.Label(kindOf(collection), t)
}

func when(rec model.Record) time.Time {
	if s := rec.Index().Start; s != nil {
		return *s
	}
	return time.Time{}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type figureArgs struct {
	L *locale.Locale
	F figure
}

type downloadArgs struct {
	L           *locale.Locale
	CSV, NDJSON string
}
