package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Query parameters that several list endpoints share. Each reader writes
// the 400 problem itself and reports false when the request must stop.

// timeRange reads from and to (RFC 3339 or YYYY-MM-DD; a date as "to"
// means the end of that day).
func timeRange(w http.ResponseWriter, v url.Values) (from, to *time.Time, ok bool) {
	var err error
	if from, err = parseTime(v.Get("from"), false); err != nil {
		badRequest(w, "from", err.Error())
		return nil, nil, false
	}
	if to, err = parseTime(v.Get("to"), true); err != nil {
		badRequest(w, "to", err.Error())
		return nil, nil, false
	}
	return from, to, true
}

// pageLimit reads limit: 100 unless given, at most MaxLimit.
func pageLimit(w http.ResponseWriter, v url.Values) (int, bool) {
	s := v.Get("limit")
	if s == "" {
		return 100, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		badRequest(w, "limit", "must be a whole number from 1 to 1000")
		return 0, false
	}
	return n, true
}

// rowFormat reads format for endpoints that write rows: json (the
// default), ndjson or csv.
func rowFormat(w http.ResponseWriter, v url.Values) (string, bool) {
	switch f := v.Get("format"); f {
	case "":
		return "json", true
	case "json", "ndjson", "csv":
		return f, true
	}
	badRequest(w, "format", "must be json, ndjson or csv")
	return "", false
}

// setNextLink points a Link header at the next page, if there is one.
func setNextLink(w http.ResponseWriter, r *http.Request, cursor string) {
	if cursor == "" {
		return
	}
	next := *r.URL
	qs := next.Query()
	qs.Set("cursor", cursor)
	next.RawQuery = qs.Encode()
	w.Header().Set("Link", "<"+next.RequestURI()+`>; rel="next"`)
}

// parseTime reads RFC 3339 or a date; a date as an upper bound means the end of that day.
func parseTime(s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, errBadTime
	}
	if end {
		t = t.Add(24*time.Hour - time.Microsecond)
	}
	return &t, nil
}

type timeError struct{}

func (timeError) Error() string { return "must be an RFC 3339 time or a YYYY-MM-DD date" }

var errBadTime = timeError{}
