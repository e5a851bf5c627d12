// Package stop imports Access Now's #KeepItOn STOP shutdown data as
// reported interference events: the combined CSV snapshot (plain or
// gzipped), the 2019 CSV and the 2016–2022 XLSX, whose sheets differ in
// their columns and date formats.
package stop

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/candor-observatory/candor/internal/country"
	"github.com/candor-observatory/candor/internal/fold"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/platform"
	"github.com/candor-observatory/candor/internal/rowfile"
)

const publisher = "Access Now #KeepItOn STOP"

// Result is what a file gave: events, one per shutdown (rows repeated in
// the file, such as ongoing events listed once per year, become one event
// with a source per row), and the rows that could not be read.
type Result struct {
	Events   []*model.Event
	Rows     int
	Problems []error
}

type importer struct {
	res   *Result
	byID  map[string]*model.Event
	file  string
	sha   string
	sheet string
}

// ReadFile imports a STOP file: .xlsx, or CSV (optionally gzipped).
func ReadFile(path string) (*Result, error) {
	res := &Result{}
	im := &importer{res: res, byID: map[string]*model.Event{}}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return res, im.xlsx(path)
	}
	f, err := rowfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	im.file, im.sha = f.Name, f.SHA256
	var h rowfile.Header
	err = rowfile.CSV(f, func(line int, rec []string) error {
		if h == nil {
			h = rowfile.NewHeader(rec)
			if !h.Has("start_date") || !h.Has("country") {
				return fmt.Errorf("%s:%d: not a STOP file: no start_date and country columns", f.Name, line)
			}
			return nil
		}
		im.row(h, rec, line)
		return nil
	})
	return res, err
}

func (im *importer) xlsx(path string) error {
	sum, err := rowfileHash(path)
	if err != nil {
		return err
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer x.Close()
	im.file, im.sha = filepath.Base(path), sum
	for _, sheet := range x.GetSheetList() {
		rows, err := x.Rows(sheet)
		if err != nil {
			return fmt.Errorf("%s!%s: %w", im.file, sheet, err)
		}
		im.sheet = strings.TrimSpace(sheet)
		var h rowfile.Header
		line := 0
		for rows.Next() {
			line++
			rec, err := rows.Columns()
			if err != nil {
				rows.Close()
				return fmt.Errorf("%s!%s:%d: %w", im.file, sheet, line, err)
			}
			if h == nil {
				h = rowfile.NewHeader(rec)
				if !h.Has("start_date") || !h.Has("country") {
					im.res.Problems = append(im.res.Problems,
						fmt.Errorf("%s!%s: no start_date and country columns: sheet skipped", im.file, im.sheet))
					break
				}
				continue
			}
			im.row(h, rec, line)
		}
		rows.Close()
	}
	return nil
}

func rowfileHash(path string) (string, error) {
	f, err := rowfile.Open(path)
	if err != nil {
		return "", err
	}
	f.Close()
	return f.SHA256, nil
}

func (im *importer) where(line int) string {
	if im.sheet != "" {
		return fmt.Sprintf("%s!%s:%d", im.file, im.sheet, line)
	}
	return fmt.Sprintf("%s:%d", im.file, line)
}

func (im *importer) problem(line int, format string, args ...any) {
	im.res.Problems = append(im.res.Problems, fmt.Errorf("%s: %s", im.where(line), fmt.Sprintf(format, args...)))
}

func (im *importer) row(h rowfile.Header, rec []string, line int) {
	empty := true
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	im.res.Rows++
	startText := h.Get(rec, "start_date")
	start, err := parseDate(startText)
	if err != nil {
		im.problem(line, "start_date: %v", err)
		return
	}
	var end *time.Time
	endText := h.Get(rec, "end_date")
	if endText != "" && !noDate[strings.ToLower(endText)] {
		e, err := parseDate(endText)
		if err != nil {
			im.problem(line, "end_date: %v", err)
			return
		}
		// STOP end dates are inclusive days; the event ends at the end of that day.
		e = e.Add(24 * time.Hour)
		if e.Before(start) {
			im.problem(line, "end_date %s is before start_date %s", endText, startText)
			return
		}
		end = &e
	}
	var codes []string
	for _, name := range strings.Split(h.Get(rec, "country"), ";") {
		if strings.TrimSpace(name) == "" {
			continue
		}
		cc, ok := country.Code(name)
		if !ok {
			im.problem(line, "country: %q is not a known country", strings.TrimSpace(name))
			return
		}
		codes = append(codes, cc)
	}
	if len(codes) == 0 {
		im.problem(line, "country: is empty")
		return
	}
	typ := h.Get(rec, "shutdown_type_group", "shutdown_type_new", "shutdown_type")
	extent := h.Get(rec, "shutdown_extent", "full_or_service-based", "shutdown_type_group")
	kind := kindOf(typ, extent)
	targets := targetsOf(h, rec, kind != "shutdown")
	area := h.Get(rec, "area_name")
	scope, region := "national", ""
	if !isNational(area, h.Get(rec, "geo_scope")) {
		scope, region = "regional", area
	}
	link := firstURL(h.Get(rec, "an_link")) + ""
	if link == "" {
		link = firstURL(h.Get(rec, "info_source_link", "news_link"))
	}
	src := model.Source{URL: link, Publisher: publisher, Title: "#KeepItOn STOP data", Claim: "third_party_reported",
		File: im.file, Line: line, SHA256: im.sha}
	if im.sheet != "" {
		src.File += "!" + im.sheet
	}
	confidence := "medium"
	if isYes(h.Get(rec, "gov_ack")) {
		confidence = "high"
	}
	for _, cc := range codes {
		id := sourceID(cc, start, area, kind)
		if e, ok := im.byID[id]; ok {
			e.Sources = append(e.Sources, src)
			if end != nil && (e.EndedAt == nil || end.After(*e.EndedAt)) && !strings.EqualFold(h.Get(rec, "shutdown_status"), "ongoing") {
				e.EndedAt = end
			}
			continue
		}
		e := &model.Event{
			Meta:       model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
			Country:    cc,
			Scope:      scope,
			Region:     region,
			Kind:       kind,
			Targets:    targets,
			StartedAt:  start,
			EndedAt:    end,
			Confidence: confidence,
			Detection:  model.Detection{Detector: model.DetectorReported},
			Title:      title(kind, targets, cc, start),
			Summary:    summary(h, rec, typ, extent),
			SourceID:   id,
		}
		if end != nil {
			e.Severity = &model.Severity{Metric: "duration_hours", Value: end.Sub(start).Hours()}
		}
		im.byID[id] = e
		im.res.Events = append(im.res.Events, e)
	}
}

// sourceID identifies a shutdown across files and rows: country, start
// day, area and kind.
func sourceID(cc string, start time.Time, area, kind string) string {
	a := areaKey(area)
	sum := sha256.Sum256([]byte(cc + "|" + start.Format(time.DateOnly) + "|" + a + "|" + kind))
	return "stop:" + cc + ":" + start.Format(time.DateOnly) + ":" + hex.EncodeToString(sum[:6])
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func areaKey(area string) string {
	a := strings.Trim(nonAlnum.ReplaceAllString(fold.String(area), " "), " ")
	if a == "" || a == "national" || a == "nationwide" || a == "nation wide" {
		return "national"
	}
	return a
}

func isNational(area, geo string) bool {
	if areaKey(area) == "national" {
		return true
	}
	return area == "" && strings.EqualFold(strings.TrimSpace(geo), "national")
}

func kindOf(typ, extent string) string {
	t, x := strings.ToLower(typ), strings.ToLower(extent)
	switch {
	case strings.Contains(t, "throttl") && !strings.Contains(t, "shutdown"):
		return "throttling"
	case strings.Contains(x, "service") || strings.Contains(t, "service"):
		return "blocking"
	}
	return "shutdown"
}

// noDate are the end dates that say the end is not known (yet).
var noDate = map[string]bool{"ongoing": true, "n/a": true, "unknown": true, "unkown": true, "-": true}

var yes = map[string]bool{"yes": true, "true": true, "y": true, "1": true}

func isYes(s string) bool { return yes[strings.ToLower(strings.TrimSpace(s))] }

// flags are the per-platform columns and what they name.
var flags = []struct {
	column string
	ref    platform.Ref
}{
	{"facebook_affected", platform.Ref{Platform: "meta", Service: "facebook"}},
	{"twitter_affected", platform.Ref{Platform: "x", Service: "twitter"}},
	{"whatsapp_affected", platform.Ref{Platform: "meta", Service: "whatsapp"}},
	{"instagram_affected", platform.Ref{Platform: "meta", Service: "instagram"}},
	{"telegram_affected", platform.Ref{Platform: "telegram", Service: "telegram"}},
}

// services are names used in the free-text columns.
var services = map[string]platform.Ref{
	"facebook": {Platform: "meta", Service: "facebook"}, "facebook messenger": {Platform: "meta", Service: "messenger"},
	"messenger": {Platform: "meta", Service: "messenger"}, "instagram": {Platform: "meta", Service: "instagram"},
	"whatsapp": {Platform: "meta", Service: "whatsapp"}, "threads": {Platform: "meta", Service: "threads"},
	"twitter": {Platform: "x", Service: "twitter"}, "x": {Platform: "x", Service: "twitter"},
	"x (twitter)": {Platform: "x", Service: "twitter"}, "twitter/x": {Platform: "x", Service: "twitter"},
	"youtube": {Platform: "google", Service: "youtube"}, "google": {Platform: "google", Service: "search"},
	"blogger": {Platform: "google", Service: "blogger"}, "telegram": {Platform: "telegram", Service: "telegram"},
	"signal": {Platform: "signal", Service: "signal"}, "tiktok": {Platform: "tiktok", Service: "tiktok"},
	"wikipedia": {Platform: "wikimedia", Service: "wikipedia"}, "discord": {Platform: "discord", Service: "discord"},
	"skype": {Platform: "microsoft", Service: "skype"}, "linkedin": {Platform: "microsoft", Service: "linkedin"},
	"reddit": {Platform: "reddit", Service: "reddit"}, "vk": {Platform: "vk", Service: "vk"},
	"zalo": {Platform: "zalo", Service: "zalo"},
}

var splitServices = regexp.MustCompile(`\s*(?:[,;/&\n]|\band\b)\s*`)

// targetsOf lists platform slugs first, then services and other names.
func targetsOf(h rowfile.Header, rec []string, serviceBased bool) []string {
	plats, others := map[string]bool{}, map[string]bool{}
	add := func(r platform.Ref) {
		plats[r.Platform] = true
		others[r.Service] = true
	}
	for _, f := range flags {
		if isYes(h.Get(rec, f.column)) {
			add(f.ref)
		}
	}
	text := h.Get(rec, "other_affected", "other_service_details_(specify)")
	if serviceBased {
		if d := h.Get(rec, "service_details"); d != "" {
			text += ", " + d
		}
	}
	for _, piece := range splitServices.Split(text, -1) {
		p := strings.ToLower(strings.Trim(strings.TrimSpace(piece), ".()\"'"))
		if p == "" || p == "none" || p == "n/a" || p == "unknown" {
			continue
		}
		if r, ok := services[p]; ok {
			add(r)
			continue
		}
		if len(p) <= 40 {
			others[p] = true
		}
	}
	var out []string
	for p := range plats {
		out = append(out, p)
	}
	sort.Strings(out)
	var rest []string
	for o := range others {
		if !plats[o] {
			rest = append(rest, o)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

var urlRE = regexp.MustCompile(`https?://[^\s,;"]+`)

func firstURL(s string) string { return urlRE.FindString(s) }

func title(kind string, targets []string, cc string, start time.Time) string {
	what := map[string]string{"shutdown": "Internet shutdown", "blocking": "Service blocking", "throttling": "Throttling"}[kind]
	if len(targets) > 0 && kind != "shutdown" {
		what += " (" + strings.Join(targets, ", ") + ")"
	}
	return what + " in " + cc + " from " + start.Format(time.DateOnly)
}

func summary(h rowfile.Header, rec []string, typ, extent string) string {
	var parts []string
	for _, p := range []string{
		strings.TrimSpace(typ + " " + extent),
		h.Get(rec, "actual_cause"), h.Get(rec, "actual_cause_details"), h.Get(rec, "event"),
		h.Get(rec, "gov_justification", "official_just"), h.Get(rec, "area_name"),
	} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	s := strings.Join(parts, "; ")
	if len(s) > 2000 {
		s = s[:2000]
	}
	return s
}

var dateLayouts = []string{
	time.DateOnly, "1/2/2006", "01-02-06", "1-2-06", "2-Jan-2006", "02-Jan-06", "2-Jan-06", "January 2, 2006",
	"2006/01/02", "1/2/06", time.RFC3339,
}

// parseDate reads the date forms the STOP files use, and Excel serial days.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Truncate(24 * time.Hour), nil
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 20000 && n < 80000 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n)), nil
	}
	// "4/1/2018 upon CAF visit": a date followed by a note.
	if f := strings.Fields(s); len(f) > 1 {
		if t, err := parseDate(f[0]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}
