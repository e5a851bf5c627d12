package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

type recordData struct {
	Collection string
	Kind       string // the collection's name in the reader's language
	Title      string
	Rec        model.Record
	Version    int
	Current    int
	Fields     []node
	Sources    []sourceView
	Versions   []versionView
	Diff       []diffRow
	DiffFrom   int
	Ledger     string
	LedgerURL  string
	// Coverage says whether a signed, witnessed checkpoint covers the entry.
	Coverage string
	// EvidenceURL downloads the version's evidence bundle.
	EvidenceURL string
	JSONURL     string
	PlatformURL string
	CountryURL  string
	CountryName string
}

// node is one field of a record, in a tree.
type node struct {
	Label, Value, URL string
	External          bool
	Children          []node
}

type sourceView struct {
	Title, URL, Publisher, Published, Claim, File, SHA256 string
}

type versionView struct {
	Version            int
	When, URL, DiffURL string
	Shown              bool
}

type diffRow struct{ Field, Old, New string }

func (s *Server) record(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := loc(w, r)
	coll, id := r.PathValue("collection"), r.PathValue("id")
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	rec, err := s.r.Get(ctx, coll, id, version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versions, err := s.r.Versions(ctx, coll, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	platforms, err := s.platformNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m := rec.Base()
	d := recordData{Collection: coll, Kind: l.T("collection.one." + coll), Rec: rec, Version: m.Version,
		Title: title(l, rec, platforms), JSONURL: fmt.Sprintf("/api/v1/%s/%s?version=%d", coll, id, m.Version)}
	if d.Kind == "collection.one."+coll {
		d.Kind = coll
	}
	ix := rec.Index()
	if ix.Platform != "" && coll != "organisations" {
		d.PlatformURL = "/platforms/" + ix.Platform
	}
	if ix.Country != "" {
		d.CountryURL, d.CountryName = "/countries/"+ix.Country, l.Country(ix.Country)
	}
	f := fields(rec)
	d.Fields = fieldNodes(l, coll, f, platforms)
	s.nameReferences(r.Context(), l, d.Fields, platforms, map[string]string{})
	for _, src := range m.Sources {
		sv := sourceView{Title: src.Title, URL: src.URL, Publisher: src.Publisher, Claim: l.Label("claim", src.Claim), SHA256: src.SHA256}
		if src.PublishedAt != nil {
			sv.Published = l.Date(src.PublishedAt.Time())
		}
		if src.File != "" {
			sv.File = src.File
			if src.Line > 0 {
				sv.File += ":" + strconv.Itoa(src.Line)
			}
		}
		if sv.Title == "" {
			sv.Title = sv.URL
		}
		d.Sources = append(d.Sources, sv)
	}
	base := "/" + coll + "/" + id
	byVersion := map[int]model.Record{}
	for _, v := range versions {
		vm := v.Base()
		byVersion[vm.Version] = v
		if vm.Version > d.Current {
			d.Current = vm.Version
		}
		vv := versionView{Version: vm.Version, When: l.DateTime(vm.UpdatedAt), URL: fmt.Sprintf("%s?version=%d", base, vm.Version), Shown: vm.Version == m.Version}
		if vm.Version > 1 {
			vv.DiffURL = fmt.Sprintf("%s?version=%d&diff=%d", base, vm.Version, vm.Version-1)
		}
		d.Versions = append(d.Versions, vv)
	}
	if from, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
		old, ok := byVersion[from]
		if !ok {
			s.notFound(w, r)
			return
		}
		d.DiffFrom = from
		d.Diff = diff(flatten(fields(old)), flatten(f))
	}
	d.Ledger = l.T("record.ledger.none")
	idx, logged, err := s.r.LeafIndex(ctx, coll, id, m.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if logged {
		d.Ledger = l.T("record.ledger.leaf", "Index", l.Int(idx))
		d.LedgerURL = fmt.Sprintf("/api/v1/%s/%s/proof?version=%d", coll, id, m.Version)
		if signed, witnessed, known := s.r.LogCoverage(ctx, idx); known {
			if signed {
				// A bundle proves the version against a signed checkpoint.
				d.EvidenceURL = fmt.Sprintf("/api/v1/%s/%s/evidence?version=%d", coll, id, m.Version)
			}
			switch {
			case witnessed:
				d.Coverage = l.T("record.ledger.witnessed")
			case signed:
				d.Coverage = l.T("record.ledger.signed")
			default:
				d.Coverage = l.T("record.ledger.unsigned")
			}
		}
	} else {
		d.Ledger = l.T("record.ledger.pending")
	}
	s.render(w, r, http.StatusOK, "record", d.Title, "", d)
}

// nameReferences replaces the ids of referenced records with their titles.
func (s *Server) nameReferences(ctx context.Context, l *locale.Locale, nodes []node, platforms map[string]model.Organisation, seen map[string]string) {
	for i := range nodes {
		n := &nodes[i]
		s.nameReferences(ctx, l, n.Children, platforms, seen)
		if n.External || !strings.HasSuffix(n.URL, "/"+n.Value) || strings.HasPrefix(n.URL, "/countries/") {
			continue
		}
		if t, ok := seen[n.URL]; ok {
			n.Value = t
			continue
		}
		parts := strings.Split(n.URL, "/")
		if len(parts) != 3 || len(seen) > 50 {
			continue
		}
		if rec, err := s.r.Get(ctx, parts[1], parts[2], 0); err == nil {
			n.Value = title(l, rec, platforms)
		}
		seen[n.URL] = n.Value
	}
}

// enumKinds names the translated enum behind a field, by collection.
func enumKind(collection, field string) string {
	switch field {
	case "types":
		return kindOf(collection)
	case "kind":
		switch collection {
		case "laws":
			return "law_kind"
		case "organisations":
			return "organisation_kind"
		case "events":
			return "event_kind"
		case "periods":
			return "period_kind"
		case "cases":
			return "case_kind"
		}
		return "pushback"
	case "type":
		return "authority_type"
	case "tags":
		return "tag"
	case "threats":
		return "threat"
	case "status":
		if collection == "laws" {
			return "law_status"
		}
		if collection == "plans" {
			return "plan_status"
		}
		return "status"
	case "result":
		if collection == "assessments" {
			return "finding"
		}
		return "result"
	case "alternatives_considered":
		return "alternative"
	case "decision":
		return "outcome"
	case "outcome":
		if collection == "measurements" {
			return "measurement_outcome"
		}
		return "outcome"
	}
	return field
}

// references are fields that hold another record's id.
var references = map[string]string{
	"platform": "organisations", "demand": "demands", "authority": "authorities", "law": "laws",
	"assessment": "assessments", "amends": "laws", "addressed_to": "organisations", "filed_by": "organisations",
}

var isoTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$`)

func fieldNodes(l *locale.Locale, coll string, m map[string]any, platforms map[string]model.Organisation) []node {
	var out []node
	for _, k := range orderedKeys(m) {
		switch k {
		case "id", "version", "sources", "created_at", "updated_at":
			continue // shown elsewhere on the page
		}
		out = append(out, valueNode(l, coll, k, m[k], platforms))
	}
	return out
}

func orderedKeys(m map[string]any) []string {
	keys := sortedKeys(m)
	// Keep the fields a reader looks for first at the top.
	rank := func(k string) int {
		for i, f := range []string{"name", "title", "short_name", "country", "platform", "granularity", "types", "kind", "outcome", "received_at", "period_start", "period_end"} {
			if f == k {
				return i
			}
		}
		return 100
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}

func fieldLabel(l *locale.Locale, k string) string {
	if s := l.T("field." + k); s != "field."+k {
		return s
	}
	return strings.ReplaceAll(k, "_", " ")
}

func valueNode(l *locale.Locale, coll, k string, v any, platforms map[string]model.Organisation) node {
	n := node{Label: fieldLabel(l, k)}
	switch x := v.(type) {
	case map[string]any:
		if kind, ok := x["kind"].(string); ok && (kind == model.Exact || kind == model.LowerBound || kind == model.Range || kind == model.Suppressed) {
			n.Value = countText(l, countOf(x))
			return n
		}
		n.Children = fieldNodes(l, coll, x, platforms)
	case []any:
		for i, e := range x {
			c := valueNode(l, coll, k, e, platforms)
			c.Label = strconv.Itoa(i + 1)
			n.Children = append(n.Children, c)
		}
	case string:
		n.Value = x
		switch {
		case references[k] != "":
			n.URL = "/" + references[k] + "/" + x
			if k == "platform" || k == "addressed_to" || k == "filed_by" {
				n.Value = platformName(platforms, x)
			}
		case k == "url" || k == "website":
			n.URL, n.External = x, true
		case k == "country" || k == "probe_cc":
			n.Value, n.URL = l.Country(x), "/countries/"+x
		case isoTime.MatchString(x):
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				n.Value = l.DateTime(t)
			} else if t, err := time.Parse(time.DateOnly, x); err == nil {
				n.Value = l.Date(t)
			}
		default:
			n.Value = l.Label(enumKind(coll, k), x)
		}
	case bool:
		n.Value = l.T("value.no")
		if x {
			n.Value = l.T("value.yes")
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			n.Value = l.Int(i)
		} else if f, err := x.Float64(); err == nil {
			n.Value = l.Decimal(f, 3)
		}
	case nil:
		n.Value = "—"
	default:
		n.Value = fmt.Sprint(x)
	}
	return n
}

func countOf(m map[string]any) *model.Count {
	c := &model.Count{Kind: m["kind"].(string)}
	num := func(k string) *int64 {
		if n, ok := m[k].(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return &i
			}
		}
		return nil
	}
	c.Value, c.Min, c.Max = num("value"), num("min"), num("max")
	c.Normalize()
	return c
}

// flatten turns a record into path → JSON value, for diffs.
func flatten(m map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(join(p, k), e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", p, i), e)
			}
		default:
			b, _ := json.Marshal(x)
			out[p] = string(b)
		}
	}
	walk("", m)
	return out
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// diff lists the fields that differ between two flattened versions; the
// version counters themselves always change and are left out.
func diff(old, cur map[string]string) []diffRow {
	var out []diffRow
	seen := map[string]bool{}
	for k := range old {
		seen[k] = true
	}
	for k := range cur {
		seen[k] = true
	}
	for _, k := range sortedKeys(seen) {
		if k == "version" || k == "updated_at" {
			continue
		}
		if old[k] != cur[k] {
			out = append(out, diffRow{Field: k, Old: old[k], New: cur[k]})
		}
	}
	return out
}
