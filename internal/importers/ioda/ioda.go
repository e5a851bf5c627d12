// Package ioda imports the curated list of IODA outages and shutdowns
// (Georgia Tech's Internet Intelligence Lab, Bischof et al., SIGCOMM '23)
// as reported events. The file mixes date formats, leaves some ends blank
// or "N/A" and starts with a byte-order mark.
package ioda

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/country"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/rowfile"
)

const (
	publisher = "Georgia Tech Internet Intelligence Lab (IODA)"
	paperURL  = "https://dl.acm.org/doi/10.1145/3603269.3604883"
)

// Result is what a file gave.
type Result struct {
	Events   []*model.Event
	Rows     int
	Problems []error
}

// ReadFile imports the curated outage CSV.
func ReadFile(path string) (*Result, error) {
	f, err := rowfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := &Result{}
	var h rowfile.Header
	err = rowfile.CSV(f, func(line int, rec []string) error {
		if h == nil {
			h = rowfile.NewHeader(rec)
			if !h.Has("id", "begin_time", "end_time", "country") {
				return fmt.Errorf("%s:%d: not the IODA outage list: want ID, Begin time, End time and Country columns", f.Name, line)
			}
			return nil
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			return nil
		}
		res.Rows++
		e, err := event(h, rec)
		if err != nil {
			res.Problems = append(res.Problems, fmt.Errorf("%s:%d: %w", f.Name, line, err))
			return nil
		}
		e.Sources = []model.Source{{URL: paperURL, Publisher: publisher, Title: "Curated IODA outages (Destination Unreachable, SIGCOMM '23)",
			Claim: "third_party_reported", File: f.Name, Line: line, SHA256: f.SHA256}}
		res.Events = append(res.Events, e)
		return nil
	})
	return res, err
}

var scopeRE = regexp.MustCompile(`^(Country|Region|AS)\s*(?:\((.*)\))?$`)

func event(h rowfile.Header, rec []string) (*model.Event, error) {
	id := h.Get(rec, "id")
	if id == "" {
		return nil, fmt.Errorf("ID: is empty")
	}
	name := h.Get(rec, "country")
	cc, ok := country.Code(name)
	if !ok {
		return nil, fmt.Errorf("Country: %q is not a known country", name)
	}
	start, err := parseTime(h.Get(rec, "begin_time"))
	if err != nil {
		return nil, fmt.Errorf("Begin time: %w", err)
	}
	var end *time.Time
	endNote := ""
	if s := h.Get(rec, "end_time"); s != "" && !strings.EqualFold(s, "n/a") {
		t, err := parseTime(s)
		if err != nil {
			return nil, fmt.Errorf("End time: %w", err)
		}
		if t.Before(start) {
			// Usually a slip of AM/PM or of the day; the start still stands.
			endNote = "; the list gives an end time (" + s + ") before the begin time, so no end is recorded"
		} else {
			end = &t
		}
	}
	e := &model.Event{Meta: model.Meta{Visibility: model.Public}, Country: cc, Scope: "national",
		StartedAt: start, EndedAt: end, Detection: model.Detection{Detector: model.DetectorReported},
		SourceID: "ioda:" + id}
	scope := h.Get(rec, "scope_(based_on_granularity_at_which_the_outage_appears_in_ioda)", "scope")
	if m := scopeRE.FindStringSubmatch(scope); m != nil {
		switch m[1] {
		case "Region":
			e.Scope = "regional"
			e.Region = strings.TrimSpace(m[2])
			if r := h.Get(rec, "region"); e.Region == "" {
				e.Region = r
			}
		case "AS":
			e.Scope = "network"
			asText := m[2]
			if a := h.Get(rec, "as"); asText == "" {
				asText = a
			}
			asn, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(asText), "AS"), 10, 64)
			if err != nil || asn <= 0 {
				return nil, fmt.Errorf("Scope: %q has no AS number", scope)
			}
			e.ASNs = []int64{asn}
		}
	} else if scope != "" {
		return nil, fmt.Errorf("Scope: %q is not Country, Region (name) or AS (number)", scope)
	}
	cause := h.Get(rec, "cause")
	confirmed := strings.EqualFold(h.Get(rec, "confirmation_status"), "confirmed")
	// Only outages shown to be ordered are shutdowns; the rest are outages.
	e.Kind = "outage"
	if cause == "Government-Ordered" {
		e.Kind = "shutdown"
	}
	switch {
	case confirmed && cause != "" && cause != "Unknown":
		e.Confidence = "high"
	case confirmed || strings.EqualFold(h.Get(rec, "manually_verified"), "yes"):
		e.Confidence = "medium"
	default:
		e.Confidence = "low"
	}
	if end != nil {
		e.Severity = &model.Severity{Metric: "duration_hours", Value: end.Sub(start).Hours()}
	}
	where := name
	if e.Region != "" {
		where = e.Region + ", " + name
	} else if len(e.ASNs) > 0 {
		where = fmt.Sprintf("AS%d, %s", e.ASNs[0], name)
	}
	if cause == "" {
		cause = "cause not recorded"
	}
	e.Title = "Internet " + e.Kind + " in " + where
	e.Summary = "IODA outage " + id + ": " + cause
	if s := h.Get(rec, "confirmation_status"); s != "" {
		e.Summary += " (" + strings.ToLower(s) + ")"
	}
	if end == nil && endNote == "" {
		e.Summary += "; end time not recorded"
	}
	e.Summary += endNote
	if n := h.Get(rec, "notes"); n != "" {
		e.Summary += "; " + n
	}
	return e, nil
}

var (
	longRE = regexp.MustCompile(`^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4}),?\s+(\d{1,2}):(\d{1,2})(?::(\d{0,2}))?\s*([AaPp][Mm])?$`)
	numRE  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*([AaPp][Mm])?$`)
)

// parseTime reads "Wednesday, March 17, 2021, 4:40:00 PM", "Monday, May 28,
// 2018, 9:00 AM", "Thursday, September 9, 2021, 2:50: AM" and
// "7/28/2020  17:00:00 PM" (a 24-hour clock with a stray PM), all UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var month time.Month
	var f []string
	if m := longRE.FindStringSubmatch(s); m != nil {
		t, err := time.Parse("January", m[1])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: unknown month %q", s, m[1])
		}
		month = t.Month()
		f = []string{m[2], m[3], m[4], m[5], m[6], m[7]}
	} else if m := numRE.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		month = time.Month(mo)
		f = []string{m[2], m[3], m[4], m[5], m[6], m[7]}
	} else {
		return time.Time{}, fmt.Errorf("%q is not a time", s)
	}
	day, _ := strconv.Atoi(f[0])
	year, _ := strconv.Atoi(f[1])
	hour, _ := strconv.Atoi(f[2])
	min, _ := strconv.Atoi(f[3])
	sec, _ := strconv.Atoi(f[4])
	switch ampm := strings.ToUpper(f[5]); {
	case hour > 12: // already a 24-hour clock
	case ampm == "PM" && hour < 12:
		hour += 12
	case ampm == "AM" && hour == 12:
		hour = 0
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("%q is not a valid time", s)
	}
	t := time.Date(year, month, day, hour, min, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("%q is not a valid date", s)
	}
	return t, nil
}
