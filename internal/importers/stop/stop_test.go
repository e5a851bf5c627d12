package stop

import (
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

// TestTurkeyAndVietnamRows reads the STOP rows for Turkey and Vietnam on
// its own and checks that each one became an event with its dates and the
// platforms the row marks as affected.
func TestTurkeyAndVietnamRows(t *testing.T) {
	path := shareddatatest.Path(t, "internet-shutdowns", "access_now_snapshot_2026-05-20_TR_VN.csv")
	res, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	byLine := map[int]*model.Event{}
	for _, e := range res.Events {
		var v model.Validator
		e.Validate(&v)
		if err := v.Err(); err != nil {
			t.Errorf("%s: %v", e.SourceID, err)
		}
		for _, s := range e.Sources {
			if s.File != "access_now_snapshot_2026-05-20_TR_VN.csv" || len(s.SHA256) != 64 {
				t.Errorf("source %+v", s)
			}
			byLine[s.Line] = e
		}
	}

	f, _ := os.Open(path)
	defer f.Close()
	r := csv.NewReader(f)
	header, _ := r.Read()
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	rows := 0
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		rows++
		line, _ := r.FieldPos(0)
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		e := byLine[line]
		if e == nil {
			t.Errorf("line %d (%s %s) has no event", line, get("country"), get("start_date"))
			continue
		}
		wantCC := map[string]string{"Turkey": "TR", "Viet Nam": "VN"}[get("country")]
		if e.Country != wantCC {
			t.Errorf("line %d: country %s, want %s", line, e.Country, wantCC)
		}
		if got := e.StartedAt.Format(time.DateOnly); got != get("start_date") {
			t.Errorf("line %d: started_at %s, want %s", line, got, get("start_date"))
		}
		switch end := get("end_date"); {
		case end == "" && e.EndedAt != nil:
			t.Errorf("line %d: no end date in the file, but ended_at %s", line, e.EndedAt)
		case end != "" && (e.EndedAt == nil || e.EndedAt.Add(-time.Hour).Format(time.DateOnly) != end):
			t.Errorf("line %d: ended_at %v, want the end of %s", line, e.EndedAt, end)
		}
		for c, target := range map[string]string{"facebook_affected": "facebook", "twitter_affected": "twitter",
			"whatsapp_affected": "whatsapp", "instagram_affected": "instagram", "telegram_affected": "telegram"} {
			if (get(c) == "Yes") != slices.Contains(e.Targets, target) {
				t.Errorf("line %d: %s=%q but targets %v", line, c, get(c), e.Targets)
			}
		}
		for _, other := range strings.Split(get("other_affected"), ",") {
			o := strings.TrimPrefix(strings.Trim(strings.ToLower(strings.TrimSpace(other)), ". "), "and ")
			// "Facebook Messenger" is Meta's messenger service.
			if f := strings.Fields(o); o != "" && !slices.Contains(e.Targets, o) && !slices.Contains(e.Targets, f[len(f)-1]) {
				t.Errorf("line %d: other_affected %q missing from targets %v", line, o, e.Targets)
			}
		}
	}
	if rows != 31 || res.Rows != rows {
		t.Errorf("read %d rows, importer %d; SOURCES.md says 31", rows, res.Rows)
	}

	// 8 February 2023: Twitter throttled after the earthquake.
	quake := byDate(res.Events, "TR", "2023-02-08")
	if quake == nil || quake.Kind != "throttling" || quake.Targets[0] != "x" || quake.Scope != "national" {
		t.Errorf("2023-02-08 event: %+v", quake)
	}
	// Feb–Apr 2020: Facebook throttled in Vietnam for seven weeks.
	fb := byDate(res.Events, "VN", "2020-02-16")
	if fb == nil || fb.Kind != "throttling" || !slices.Contains(fb.Targets, "meta") || fb.EndedAt.Format(time.DateOnly) != "2020-04-07" {
		t.Errorf("2020-02-16 event: %+v", fb)
	}
	// The Grindr block of 2013 is listed once per year it was ongoing: one event, ten sources.
	grindr := byDate(res.Events, "TR", "2013-09-11")
	if grindr == nil || len(grindr.Sources) != 10 || grindr.EndedAt != nil || !slices.Contains(grindr.Targets, "grindr") {
		t.Errorf("2013-09-11 event: %+v", grindr)
	}
}

func byDate(es []*model.Event, cc, day string) *model.Event {
	for _, e := range es {
		if e.Country == cc && e.StartedAt.Format(time.DateOnly) == day {
			return e
		}
	}
	return nil
}

// The three shapes of STOP data import with only the rows that are wrong
// in the files themselves reported.
func TestAllFormats(t *testing.T) {
	cases := []struct {
		file           string
		rows, problems int
	}{
		{"access_now_snapshot_2026-05-20.csv.gz", 2102, 2}, // two rows end before they start
		{"shutdown-data.csv", 205, 0},
		{"keepiton-stop-2016-2022-public.xlsx", 1118, 4}, // the same two, one undated end, one sheet without columns
	}
	for _, c := range cases {
		res, err := ReadFile(shareddatatest.Path(t, "internet-shutdowns", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != c.rows || len(res.Problems) != c.problems {
			t.Errorf("%s: %d rows, %d problems %v; want %d, %d", c.file, res.Rows, len(res.Problems), res.Problems, c.rows, c.problems)
		}
		for _, p := range res.Problems {
			if !strings.HasPrefix(p.Error(), c.file) {
				t.Errorf("problem does not name the file: %v", p)
			}
		}
		tr := 0
		for _, e := range res.Events {
			if e.Country == "TR" {
				tr++
			}
		}
		if tr == 0 {
			t.Errorf("%s: no Turkish events", c.file)
		}
	}
	// The 2016–18 sheet uses "14-May-2016" dates and no platform columns.
	res, _ := ReadFile(shareddatatest.Path(t, "internet-shutdowns", "keepiton-stop-2016-2022-public.xlsx"))
	if e := byDate(res.Events, "VN", "2016-05-14"); e == nil || e.Region != "Hanoi, Saigon" || e.Kind != "blocking" {
		t.Errorf("Vietnam 2016-05-14: %+v", e)
	}
}
