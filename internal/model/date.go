package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day, written YYYY-MM-DD.
type Date string

// ParseDate checks the form of s.
func ParseDate(s string) (Date, error) {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date(s), nil
}

// DateOf returns the UTC day of t.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(time.DateOnly)) }

// Time is the start of the day in UTC.
func (d Date) Time() time.Time {
	t, _ := time.Parse(time.DateOnly, string(d))
	return t
}

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a date string YYYY-MM-DD")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// HalfYear names the half-year a time falls in, e.g. "2023-H1"; compliance
// figures are grouped by it because that is how platforms report.
func HalfYear(t time.Time) string {
	h := 1
	if t.Month() > 6 {
		h = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), h)
}

// PeriodLabel names the reporting period of a span: its half-year, or its
// year when the span is longer than half a year (annual reports).
func PeriodLabel(start, end *time.Time) string {
	if start == nil {
		return ""
	}
	if end != nil && end.Sub(*start) > 190*24*time.Hour {
		return fmt.Sprintf("%d", start.Year())
	}
	return HalfYear(*start)
}
