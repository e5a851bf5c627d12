package ioda

import (
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"Wednesday, March 17, 2021, 4:40:00 PM": "2021-03-17T16:40:00Z",
		"Sunday, January 10, 2021, 12:10:00 AM": "2021-01-10T00:10:00Z",
		"Monday, May 28, 2018, 9:00 AM":         "2018-05-28T09:00:00Z",
		"Thursday, September 9, 2021, 2:50: AM": "2021-09-09T02:50:00Z",
		"Saturday June 2, 2018, 8:00 AM":        "2018-06-02T08:00:00Z",
		"7/28/2020  17:00:00 PM":                "2020-07-28T17:00:00Z",
		"7/28/2020  16:1:00 PM":                 "2020-07-28T16:01:00Z",
		"4/15/2020  23:40:00 AM":                "2020-04-15T23:40:00Z",
		"Tuesday, April 2, 2019, 12:00:00 PM":   "2019-04-02T12:00:00Z",
	} {
		got, err := parseTime(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("parseTime(%q) = %s, %v; want %s", in, got.Format(time.RFC3339), err, want)
		}
	}
	for _, bad := range []string{"N/A", "", "Friday, February 30, 2021, 1:00:00 AM", "13/45/2020 10:00:00"} {
		if _, err := parseTime(bad); err == nil {
			t.Errorf("parseTime(%q) should fail", bad)
		}
	}
}

func TestCuratedList(t *testing.T) {
	res, err := ReadFile(shareddatatest.Path(t, "internet-outages-ioda", "ioda_investigated_outages_cleaned_phase1+2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 1704 {
		t.Errorf("%d rows, want 1704", res.Rows)
	}
	// Rows that cannot be placed are reported, not imported: the one whose
	// country is "European Union".
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), `"European Union"`) ||
		len(res.Events)+len(res.Problems) != res.Rows {
		t.Errorf("%d events, %d problems of %d rows", len(res.Events), len(res.Problems), res.Rows)
	}
	for _, p := range res.Problems {
		if !strings.HasPrefix(p.Error(), "ioda_investigated_outages_cleaned_phase1+2.csv:") {
			t.Errorf("problem without file:line: %v", p)
		}
	}
	byID := map[string]*model.Event{}
	kinds := map[string]int{}
	for _, e := range res.Events {
		var v model.Validator
		e.Validate(&v)
		if err := v.Err(); err != nil {
			t.Errorf("%s: %v", e.SourceID, err)
		}
		byID[e.SourceID] = e
		kinds[e.Kind]++
	}
	if kinds["shutdown"] < 90 || kinds["outage"] < 1000 {
		t.Errorf("kinds %v: about 100 government-ordered shutdowns expected", kinds)
	}
	// The first row: the BOM must not hide the ID column.
	e := byID["ioda:61AE093F"]
	if e == nil || e.Country != "SS" || e.Scope != "regional" || e.Region != "Central Equitoria" ||
		e.StartedAt.Format(time.RFC3339) != "2021-03-17T16:40:00Z" || e.EndedAt.Format(time.RFC3339) != "2021-03-17T17:40:00Z" {
		t.Errorf("61AE093F: %+v", e)
	}
	// A Turkish AS-level outage; and one whose end is "N/A".
	if e := byID["ioda:762511F0"]; e == nil || e.Country != "TR" || e.Scope != "network" || e.ASNs[0] != 8386 {
		t.Errorf("762511F0: %+v", e)
	}
	if e := byID["ioda:C6E9964F"]; e == nil || e.EndedAt != nil || e.Region != "Bartın" {
		t.Errorf("C6E9964F: %+v", e)
	}
	if e := byID["ioda:B652B11F"]; e == nil || e.EndedAt.Format(time.RFC3339) != "2020-07-28T17:00:00Z" {
		t.Errorf("B652B11F: %+v", e)
	}
	// CB474A35 ends (11:50 AM) before it begins (1:55 PM): kept, without an end.
	if e := byID["ioda:CB474A35"]; e == nil || e.EndedAt != nil || !strings.Contains(e.Summary, "before the begin time") {
		t.Errorf("CB474A35: %+v", e)
	}
	s := res.Events[0].Sources[0]
	if s.File == "" || s.Line != 2 || len(s.SHA256) != 64 {
		t.Errorf("source %+v", s)
	}
}
