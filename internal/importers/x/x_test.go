package x

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

func read(t *testing.T, path string) ([]importers.Item, importers.File, error) {
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
	r, err := InfoRequests.Open(fh, file)
	if err != nil {
		return nil, file, err
	}
	items, err := importers.ReadAll(r)
	return items, file, err
}

func TestInfoRequests(t *testing.T) {
	items, file, err := read(t, shareddatatest.Path(t, "transparency", "information-requests-report-jan-jun-2017.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := items[0].Record.(*model.Organisation); !ok {
		t.Fatalf("first item %T", items[0].Record)
	}
	demands := map[string]*model.Demand{}
	responses := map[string]*model.Response{}
	seen := map[string]bool{}
	var sumRequests, sumAccounts int64
	for _, it := range items[1:] {
		if err := importers.Validate(it.Record); err != nil {
			t.Fatalf("line %d: %v", it.Line, err)
		}
		src := it.Record.Base().Sources[0]
		if src.Line != it.Line || src.SHA256 != file.SHA256 || src.File != file.Name || it.Platform != Slug {
			t.Fatalf("line %d: %+v", it.Line, src)
		}
		id := it.Record.Index().SourceID
		if seen[id] {
			t.Fatalf("line %d: source_id %q repeats", it.Line, id)
		}
		seen[id] = true
		switch r := it.Record.(type) {
		case *model.Demand:
			demands[r.Country] = r
			sumRequests += r.RequestCount.Lo()
			sumAccounts += r.Targets.Accounts.Lo()
		case *model.Response:
			if !seen[it.Parent] {
				t.Fatalf("line %d: parent %q", it.Line, it.Parent)
			}
			responses[r.Country] = r
		}
	}
	// 83 countries; the TOTAL row is not a country.
	if len(demands) != 83 {
		t.Fatalf("%d demands", len(demands))
	}
	// The TOTAL row says 6,448 requests and 11,115 accounts; the country
	// rows themselves add up to one account less.
	if sumRequests != 6448 || sumAccounts != 11114 {
		t.Fatalf("sums %d requests, %d accounts; want 6448 (the TOTAL row) and 11114 (one less than it)", sumRequests, sumAccounts)
	}
	// Turkey: 554 requests, 0% produced, 902 accounts.
	tr, trr := demands["TR"], responses["TR"]
	if tr.RequestCount.String() != "554" || tr.Targets.Accounts.String() != "902" || tr.PeriodStart != "2017-01-01" ||
		tr.PeriodEnd != "2017-06-30" || trr.Counts.RequestsSomeDataProduced.String() != "0–2" || trr.Outcome != "no_action" {
		t.Fatalf("Turkey: %+v %+v", tr, trr.Counts.RequestsSomeDataProduced)
	}
	// Albania: "-" everywhere: suppressed counts, no response.
	if al := demands["AL"]; al.RequestCount.Kind != model.Suppressed || al.Targets.Accounts.Kind != model.Suppressed || responses["AL"] != nil {
		t.Fatalf("Albania: %+v", al)
	}
	// Austria: "1*", 100%: one request with a footnote marker, data produced.
	at := demands["AT"]
	if at.RequestCount.String() != "1" || !strings.Contains(at.Summary, "footnote") ||
		responses["AT"].Counts.RequestsSomeDataProduced.String() != "1" {
		t.Fatalf("Austria: %+v", at)
	}
	// Japan: "1,384" at 65%.
	if jp := responses["JP"]; demands["JP"].RequestCount.String() != "1384" || jp.Counts.RequestsSomeDataProduced.String() != "893–906" {
		t.Fatalf("Japan: %s", jp.Counts.RequestsSomeDataProduced)
	}
	if u := demands["US"].Base().Sources[0].URL; u != "https://transparency.twitter.com/en/information-requests.html#information-requests-jan-jun-2017" {
		t.Fatalf("source url %q", u)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"bad-count.csv", "bad-count.csv:3: ACCOUNT INFORMATION REQUESTS: \"12**\" is not a number"},
		{"bad-percent.csv", "bad-percent.csv:2: PERCENTAGE WHERE SOME INFORMATION PRODUCED: \"120%\" is above 100%"},
		{"bad-code.csv", "bad-code.csv:2: ISO CODE: \"Turkey\" is not a two-letter ISO 3166 code"},
		{"extra-field.csv", "extra-field.csv:2: 10 fields, want 9"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, _, err := read(t, "testdata/"+tc.file)
			var le *importers.LineError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
