package google

import (
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

func readFile(t *testing.T, f importers.Format, path string) []importers.Item {
	t.Helper()
	file, err := importers.HashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r, err := f.Open(fh, file)
	if err != nil {
		t.Fatal(err)
	}
	items, err := importers.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// checkItems asserts what every reader owes the importer: the platform
// first, valid records, unique source_ids, parents before children, and a
// source naming the file, line and sha256.
func checkItems(t *testing.T, items []importers.Item, file importers.File) {
	t.Helper()
	if len(items) == 0 {
		t.Fatal("no items")
	}
	if _, ok := items[0].Record.(*model.Organisation); !ok {
		t.Fatalf("first item is %T, want the platform organisation", items[0].Record)
	}
	seen := map[string]bool{Slug: true}
	for i, it := range items {
		if err := importers.Validate(it.Record); err != nil {
			t.Fatalf("item %d (line %d): %v", i, it.Line, err)
		}
		ix := it.Record.Index()
		if i > 0 {
			if seen[ix.SourceID] {
				t.Fatalf("line %d: source_id %q repeats", it.Line, ix.SourceID)
			}
			seen[ix.SourceID] = true
			if it.Platform != Slug {
				t.Fatalf("line %d: platform ref %q", it.Line, it.Platform)
			}
			if it.Parent != "" && !seen[it.Parent] {
				t.Fatalf("line %d: parent %q not yet read", it.Line, it.Parent)
			}
			src := it.Record.Base().Sources[0]
			if src.File != file.Name || src.Line != it.Line || src.SHA256 != file.SHA256 || src.Claim != "platform_attested" {
				t.Fatalf("line %d: source %+v", it.Line, src)
			}
		}
	}
}

func TestRemovalsPerRequestor(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "google-government-removal-requests.csv")
	file, _ := importers.HashFile(path)
	items := readFile(t, Removals, path)
	checkItems(t, items, file)
	// 17,483 rows, each a demand and its response, after the platform.
	if got, want := len(items), 1+2*17483; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	// Line 2 of the file:
	// January - June 2025,UAE,AE,Court Order directed at 3rd party,Web Search,Defamation,1,14,0,0,0,14,0,0
	d := items[1].Record.(*model.Demand)
	r := items[2].Record.(*model.Response)
	if items[1].Line != 2 || d.Country != "AE" || d.PeriodStart != "2025-01-01" || d.PeriodEnd != "2025-06-30" ||
		d.AuthorityType != "court" || d.Channel != "court_order" || d.Service != "Web Search" || d.Reason != "defamation" ||
		d.RequestCount.String() != "1" || d.Targets.Items.String() != "14" || d.Granularity != "aggregate" {
		t.Fatalf("line 2 demand: %+v", d)
	}
	if items[2].Parent != d.SourceID || r.Counts.ItemsInsufficientInfo.String() != "14" || r.Counts.ItemsRemovedLegal.String() != "0" ||
		r.Outcome != "insufficient_info" {
		t.Fatalf("line 2 response: %+v parent %q", r, items[2].Parent)
	}

	// Turkey, January - June 2025, Consumer Protection Authority, Web Search,
	// Regulated goods and services: 20 requests, 715 items, 711 removed
	// legally, 4 not found.
	var found bool
	for i, it := range items {
		d, ok := it.Record.(*model.Demand)
		if !ok || d.Country != "TR" || d.PeriodStart != "2025-01-01" || d.Service != "Web Search" ||
			d.Reason != "regulated_goods_services" || d.AuthorityType != "other" {
			continue
		}
		found = true
		r := items[i+1].Record.(*model.Response)
		if d.RequestCount.String() != "20" || d.Targets.Items.String() != "715" ||
			r.Counts.ItemsRemovedLegal.String() != "711" || r.Counts.ItemsNotFound.String() != "4" ||
			r.Outcome != "complied_partial" || r.Actioned().String() != "711" {
			t.Fatalf("Turkey row: %+v / %+v", d, r.Counts)
		}
	}
	if !found {
		t.Fatal("Turkey 2025-H1 consumer protection Web Search row not read")
	}
}

func TestRemovalsTurkeyTotals(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "google-government-removal-requests.csv")
	items := readFile(t, Removals, path)
	// Sum Turkey's figures from the records and from the raw CSV, separately.
	var requests, requested, removed int64
	for _, it := range items {
		switch r := it.Record.(type) {
		case *model.Demand:
			if r.Country == "TR" {
				requests += r.RequestCount.Lo()
				requested += r.Targets.Items.Lo()
			}
		case *model.Response:
			if r.Country == "TR" {
				removed += r.Actioned().Lo()
			}
		}
	}
	fh, _ := os.Open(path)
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var wRequests, wRequested, wRemoved, n int64
	for _, row := range rows[1:] {
		if row[2] != "TR" {
			continue
		}
		n++
		wRequests += atoi(t, row[6])
		wRequested += atoi(t, row[7])
		wRemoved += atoi(t, row[8]) + atoi(t, row[9])
	}
	if n != 1053 || requests != wRequests || requested != wRequested || removed != wRemoved {
		t.Fatalf("Turkey: %d rows; records give %d/%d/%d, file %d/%d/%d", n, requests, requested, removed, wRequests, wRequested, wRemoved)
	}
}

func atoi(t *testing.T, s string) int64 {
	n, err := importers.ParseInt(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRemovalsDetailed(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "google-government-detailed-removal-requests.csv")
	file, _ := importers.HashFile(path)
	items := readFile(t, Removals, path)
	checkItems(t, items, file)
	if got, want := len(items), 1+21065; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	var tr, vn, bodies int
	for _, it := range items[1:] {
		d := it.Record.(*model.Demand)
		if d.Targets.Items != nil {
			t.Fatalf("line %d: the detailed file gives no item counts", it.Line)
		}
		switch d.Country {
		case "TR":
			tr++
		case "VN":
			vn++
		case "EU", "ZZ":
			bodies++
			if !strings.Contains(d.Summary, "pol") {
				t.Fatalf("line %d: summary %q does not name the body", it.Line, d.Summary)
			}
		}
	}
	if tr != 1297 || vn != 143 || bodies != 25 {
		t.Fatalf("Turkey %d, Vietnam %d, Europol/Interpol %d rows", tr, vn, bodies)
	}
	// Line 2: 2011-06-30,Argentina,AR,Blogger,Defamation,4
	d := items[1].Record.(*model.Demand)
	if d.PeriodStart != "2011-01-01" || d.PeriodEnd != "2011-06-30" || d.Country != "AR" || d.Service != "Blogger" ||
		d.Reason != "defamation" || d.RequestCount.String() != "4" || d.AuthorityType != "unknown" {
		t.Fatalf("line 2: %+v", d)
	}
}

func TestUserData(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "google-user-data-requests.csv")
	file, _ := importers.HashFile(path)
	items := readFile(t, UserData, path)
	checkItems(t, items, file)
	byLine := map[int][]model.Record{}
	for _, it := range items[1:] {
		byLine[it.Line] = append(byLine[it.Line], it.Record)
	}
	// 41:30/6/10,Turkey,TR,All,51,, — no percentage, no accounts: a demand
	// with a suppressed account count and no response.
	if recs := byLine[41]; len(recs) != 1 {
		t.Fatalf("line 41: %d records", len(recs))
	} else if d := recs[0].(*model.Demand); d.Country != "TR" || d.PeriodStart != "2010-01-01" ||
		d.RequestCount.String() != "51" || d.Targets.Accounts.Kind != model.Suppressed {
		t.Fatalf("line 41: %+v", d)
	}
	// 1208:30/6/17,Turkey,TR,Legal Requests,906,0,1117 — 0% of 906 is 0–4
	// requests (anything under 0.5%).
	recs := byLine[1208]
	d, r := recs[0].(*model.Demand), recs[1].(*model.Response)
	if d.Channel != "formal_legal_process" || d.Targets.Accounts.String() != "1117" ||
		r.Counts.RequestsSomeDataProduced.String() != "0–4" || r.Outcome != "no_action" {
		t.Fatalf("line 1208: %+v %+v", d, r.Counts.RequestsSomeDataProduced)
	}
	// 904:30/6/16,Turkey,TR,Emergency Disclosure Requests,2,100,3
	r = byLine[904][1].(*model.Response)
	if r.Counts.RequestsSomeDataProduced.String() != "2" || r.Outcome != "complied_full" {
		t.Fatalf("line 904: %+v", r.Counts.RequestsSomeDataProduced)
	}
	// 476:31/12/14,Turkey,TR,Preservation Requests,1,,2
	if recs := byLine[476]; len(recs) != 1 || recs[0].(*model.Demand).Types[0] != "preservation" {
		t.Fatalf("line 476: %+v", recs)
	}
	// 233: Côte d'Ivoire is spelt in a broken encoding; the code is what counts.
	if d := byLine[233][0].(*model.Demand); d.Country != "CI" {
		t.Fatalf("line 233: %+v", d)
	}
	// United Nations has no code in the file.
	var un bool
	for _, it := range items[1:] {
		if d, ok := it.Record.(*model.Demand); ok && d.Country == "UN" {
			un = strings.Contains(d.Summary, "United Nations")
		}
	}
	if !un {
		t.Fatal("United Nations row not kept under UN")
	}
}

// TestTablesCoverShippedValues checks the mapping tables against every
// distinct value in the shipped files, so an unmapped value fails here and
// not during someone's import.
func TestTablesCoverShippedValues(t *testing.T) {
	distinct := func(name string, cols ...int) []map[string]bool {
		path := shareddatatest.Path(t, "transparency", name)
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		rows, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		out := make([]map[string]bool, len(cols))
		for i, c := range cols {
			out[i] = map[string]bool{}
			for _, row := range rows[1:] {
				out[i][row[c]] = true
			}
		}
		return out
	}
	check := func(what string, values map[string]bool, has func(string) bool) {
		if len(values) == 0 {
			t.Fatalf("no %s values read", what)
		}
		for v := range values {
			if !has(v) {
				t.Errorf("%s %q is not in the table", what, v)
			}
		}
	}
	reason := func(v string) bool { r, ok := reasons[strings.ToLower(v)]; return ok && model.Reasons.Has(r) }
	product := func(v string) bool { _, ok := products[v]; return ok }

	per := distinct("google-government-removal-requests.csv", 3, 4, 5)
	check("requestor", per[0], func(v string) bool {
		r, ok := requestors[v]
		return ok && model.AuthorityTypes.Has(r.AuthorityType) && (r.Channel == "" || model.Channels.Has(r.Channel))
	})
	check("product", per[1], product)
	check("reason", per[2], reason)
	if len(per[2]) != 22 {
		t.Errorf("%d reasons in the per-requestor file, want 22", len(per[2]))
	}

	det := distinct("google-government-detailed-removal-requests.csv", 3, 4)
	check("product", det[0], product)
	check("reason", det[1], reason)

	ud := distinct("google-user-data-requests.csv", 3)
	check("legal process", ud[0], func(v string) bool {
		lp, ok := legalProcesses[v]
		return ok && model.DemandTypes.Has(lp.Type)
	})

	// One to one: each SPEC reason is reached by one Google reason (in either spelling).
	back := map[string]map[string]bool{}
	for g, r := range reasons {
		if back[r] == nil {
			back[r] = map[string]bool{}
		}
		back[r][strings.ReplaceAll(g, "/", " ")] = true
	}
	for r, gs := range back {
		if len(gs) > 1 && r != "not_specified" {
			t.Errorf("SPEC reason %s is reached from %v", r, gs)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"wrong-header.csv", `wrong-header.csv:1: header is "time_period,country,requestor"`},
		{"short-row.csv", "short-row.csv:3: 13 fields, want 14"},
		{"not-a-number.csv", "not-a-number.csv:2: items_removed_legal: \"12a\" is not a number"},
		{"bad-period.csv", "bad-period.csv:2: time_period: \"Spring 2020\" is not a half-year"},
		{"unknown-reason.csv", "unknown-reason.csv:2: reason: unknown Google reason \"Bad vibes\""},
		{"bad-sum.csv", "bad-sum.csv:2: items_requested_removal: 14 items requested but the outcome columns add up to 13"},
		{"bad-quote.csv", "bad-quote.csv:2: character"},
		{"detailed-bad-date.csv", "detailed-bad-date.csv:3: Period Ending: 2011-05-31 does not end a half-year"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fh, err := os.Open("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			var items []importers.Item
			r, err := NewRemovals(fh, importers.File{Name: tc.file})
			if err == nil {
				items, err = importers.ReadAll(r)
			}
			var le *importers.LineError
			if err == nil || !errors.As(err, &le) {
				t.Fatalf("err = %v, want a LineError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tc.want)
			}
			_ = items
		})
	}
}
