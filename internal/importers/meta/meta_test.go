package meta

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
	r, err := Facebook2013.Open(fh, file)
	if err != nil {
		return nil, file, err
	}
	items, err := importers.ReadAll(r)
	return items, file, err
}

func TestFacebook2013(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "Facebook-Government-Report-2013-H1.csv")
	items, file, err := read(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1+2*71 {
		t.Fatalf("%d items", len(items))
	}
	demands := map[string]*model.Demand{}
	responses := map[string]*model.Response{}
	for _, it := range items[1:] {
		if err := importers.Validate(it.Record); err != nil {
			t.Fatalf("line %d: %v", it.Line, err)
		}
		if src := it.Record.Base().Sources[0]; src.Line != it.Line || src.SHA256 != file.SHA256 {
			t.Fatalf("line %d: %+v", it.Line, src)
		}
		switch r := it.Record.(type) {
		case *model.Demand:
			if demands[r.Country] != nil {
				t.Fatalf("line %d: %s twice", it.Line, r.Country)
			}
			demands[r.Country] = r
		case *model.Response:
			if it.Parent != demands[r.Country].SourceID {
				t.Fatalf("line %d: parent %q", it.Line, it.Parent)
			}
			responses[r.Country] = r
		}
	}
	// Turkey: 96 requests, 170 accounts, 47.00% produced: 45 requests
	// (45/96 = 46.9%, the only whole number that rounds to 47%).
	tr := demands["TR"]
	if tr.RequestCount.String() != "96" || tr.Targets.Accounts.String() != "170" || tr.PeriodStart != "2013-01-01" ||
		tr.PeriodEnd != "2013-06-30" || responses["TR"].Counts.RequestsSomeDataProduced.String() != "45" {
		t.Fatalf("Turkey: %+v %s", tr, responses["TR"].Counts.RequestsSomeDataProduced)
	}
	// The first line after the BOM'd header is Albania on line 2.
	if items[1].Line != 2 || items[1].Record.(*model.Demand).Country != "AL" {
		t.Fatalf("first row: line %d %+v", items[1].Line, items[1].Record)
	}
	// United States: ranges, not guesses.
	us := demands["US"]
	if us.RequestCount.String() != "11000–12000" || us.Targets.Accounts.String() != "20000–21000" ||
		responses["US"].Counts.RequestsSomeDataProduced.String() != "8635–9540" {
		t.Fatalf("US: %s %s %s", us.RequestCount, us.Targets.Accounts, responses["US"].Counts.RequestsSomeDataProduced)
	}
	if demands["FR"].RequestCount.String() != "1547" || demands["XK"] == nil || demands["CI"] == nil {
		t.Fatal("France, Kosovo or Ivory Coast misread")
	}
}

// Every country name in the file is in the table.
func TestCountryTable(t *testing.T) {
	fh, err := os.Open(shareddatatest.Path(t, "transparency", "Facebook-Government-Report-2013-H1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, row := range rows[1:] {
		cc, ok := countries[row[0]]
		if !ok || !model.IsCountryCode(cc) {
			t.Errorf("country %q not in the table", row[0])
		}
		if codes[cc] {
			t.Errorf("code %s given twice", cc)
		}
		codes[cc] = true
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"Facebook-2013-H1-unknown-country.csv", "Facebook-2013-H1-unknown-country.csv:3: Country: unknown country name \"Atlantis\""},
		{"Facebook-2013-H1-bad-range.csv", "Facebook-2013-H1-bad-range.csv:2: Requests for User Data: \"12,000 - 11,000\": range ends below its start"},
		{"facebook-no-period.csv", "does not give one"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, _, err := read(t, "testdata/"+tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var le *importers.LineError
			if tc.file != "facebook-no-period.csv" && !errors.As(err, &le) {
				t.Fatalf("err = %v is not located", err)
			}
		})
	}
}
