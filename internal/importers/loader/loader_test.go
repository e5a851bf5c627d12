package loader_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/api"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/demo"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/importers/google"
	"github.com/candor-observatory/candor/internal/importers/loader"
	"github.com/candor-observatory/candor/internal/importers/meta"
	"github.com/candor-observatory/candor/internal/importers/ndjson"
	"github.com/candor-observatory/candor/internal/importers/x"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func loadFile(t *testing.T, db store.Store, f importers.Format, path string) (*loader.Summary, error) {
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
	l := &loader.Loader{Registry: registry.New(db), Actor: auth.System}
	return l.Load(context.Background(), f, fh, file)
}

func countRows(t *testing.T, db store.Store, collection string) int {
	t.Helper()
	n := 0
	q := store.Query{Collection: collection, Visibility: []model.Visibility{model.Public, model.Members, model.Sealed}, Limit: 1000}
	for {
		p, err := db.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Rows)
		if p.NextCursor == "" {
			return n
		}
		q.Cursor = p.NextCursor
	}
}

type sums struct{ requests, requested, actioned int64 }

// TestGoogleRemovalsCompliance imports the per-requestor removal file and
// checks that the compliance figures for every country and half-year equal
// the sums taken straight from the CSV, then that a second import changes
// nothing.
func TestGoogleRemovalsCompliance(t *testing.T) {
	path := shareddatatest.Path(t, "transparency", "google-government-removal-requests.csv")
	want := map[[2]string]*sums{}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) int64 {
		n, err := importers.ParseInt(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	country := map[string]string{"null": "ZZ", "EUROPOL": "EU"}
	for _, row := range rows[1:] {
		// "January - June 2019" is 2019-H1, "July - December 2019" 2019-H2.
		f := strings.Fields(row[0])
		period := f[3] + "-H1"
		if f[0] == "July" {
			period = f[3] + "-H2"
		}
		cc := row[2]
		if c, ok := country[cc]; ok {
			cc = c
		}
		k := [2]string{cc, period}
		if want[k] == nil {
			want[k] = &sums{}
		}
		want[k].requests += num(row[6])
		want[k].requested += num(row[7])
		want[k].actioned += num(row[8]) + num(row[9])
	}

	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		sum, err := loadFile(t, db, google.Removals, path)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Read != 1+2*17483 || sum.Created != sum.Read || sum.Unchanged != 0 {
			t.Fatalf("first import: %+v", sum)
		}
		got, err := db.Compliance(context.Background(), store.ComplianceQuery{GroupBy: []string{"country", "period"},
			Visibility: []model.Visibility{model.Public}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d groups, want %d", len(got), len(want))
		}
		for _, g := range got {
			w := want[[2]string{g.Group["country"], g.Group["period"]}]
			if w == nil {
				t.Fatalf("group %v is not in the file", g.Group)
			}
			if g.Demands.Kind != model.Exact || g.Demands.Lo() != w.requests ||
				g.ItemsRequested.Kind != model.Exact || g.ItemsRequested.Lo() != w.requested ||
				g.ItemsActioned.Kind != model.Exact || g.ItemsActioned.Lo() != w.actioned ||
				g.RespondedItems.Lo() != w.requested {
				t.Fatalf("%v: demands %s, items %s, actioned %s; the file gives %d, %d, %d", g.Group,
					g.Demands, g.ItemsRequested, g.ItemsActioned, w.requests, w.requested, w.actioned)
			}
			rate := float64(w.actioned) / float64(w.requested)
			if g.ComplianceRate == nil || *g.ComplianceRate != rate {
				t.Fatalf("%v: rate %v, want %v", g.Group, g.ComplianceRate, rate)
			}
		}
		// The same figures through the HTTP API, as an anonymous reader.
		srv := httptest.NewServer(api.New(api.Deps{Store: db, Registry: registry.New(db)}))
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/api/v1/stats/compliance?group_by=country,period")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Groups []store.ComplianceRow `json:"groups"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(body.Groups) != len(want) {
			t.Fatalf("API: status %d, %d groups, %v", resp.StatusCode, len(body.Groups), err)
		}
		for _, g := range body.Groups {
			w := want[[2]string{g.Group["country"], g.Group["period"]}]
			if w == nil || g.ItemsRequested.Lo() != w.requested || g.ItemsActioned.Lo() != w.actioned ||
				g.Demands.Lo() != w.requests || g.ComplianceRate == nil || *g.ComplianceRate != float64(w.actioned)/float64(w.requested) {
				t.Fatalf("API group %v: %+v", g.Group, g)
			}
		}
		// Turkey, January - June 2025, as a spreadsheet sums its 89 rows:
		// 982 requests for 13,356 items, of which 7,138 were removed.
		turkey := false
		for _, g := range got {
			if g.Group["country"] == "TR" && g.Group["period"] == "2025-H1" {
				turkey = true
				if g.Demands.Lo() != 982 || g.ItemsRequested.Lo() != 13356 || g.ItemsActioned.Lo() != 7138 {
					t.Fatalf("Turkey 2025-H1: %s requests, %s items, %s removed", g.Demands, g.ItemsRequested, g.ItemsActioned)
				}
			}
		}
		if !turkey {
			t.Fatal("no Turkey 2025-H1 group")
		}

		again, err := loadFile(t, db, google.Removals, path)
		if err != nil {
			t.Fatal(err)
		}
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != again.Read {
			t.Fatalf("re-import: %+v", again)
		}
		if n := countRows(t, db, "demands"); n != 17483 {
			t.Fatalf("%d demands after re-import", n)
		}
		if n := countRows(t, db, "organisations"); n != 1 {
			t.Fatalf("%d organisations", n)
		}
	})
}

// A file that goes wrong half-way writes nothing.
func TestBadFileWritesNothing(t *testing.T) {
	db := storetest.OpenSQLite(t)
	// 1500 good rows (more than a batch) and then a bad one.
	var b bytes.Buffer
	b.WriteString("time_period,country,cldr_territory,requestor,product,reason,number_of_requests,items_requested_removal,items_removed_legal,items_removed_policy,items_content_not_found,items_not_enough_info,items_no_action_taken,items_content_already_removed\n")
	reasons := []string{"Defamation", "Fraud", "Violence"}
	products := []string{"YouTube", "Blogger", "Web Search", "Maps", "Sites"}
	n := 0
	for y := 2000; y < 2100 && n < 1500; y++ {
		for _, r := range reasons {
			for _, p := range products {
				b.WriteString("January - June " + itoa(y) + ",Turkey,TR,Police," + p + "," + r + ",1,2,1,0,1,0,0,0\n")
				n++
			}
		}
	}
	b.WriteString("January - June 2025,Turkey,TR,Police,YouTube,Defamation,1,2,x,0,1,0,0,0\n")
	path := t.TempDir() + "/bad.csv"
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadFile(t, db, google.Removals, path)
	var le *importers.LineError
	if !errors.As(err, &le) || le.Line != n+2 || le.Column != "items_removed_legal" {
		t.Fatalf("err = %v, want one at line %d, column items_removed_legal", err, n+2)
	}
	for _, c := range []string{"organisations", "demands", "responses"} {
		if k := countRows(t, db, c); k != 0 {
			t.Fatalf("%d %s written by a rejected file", k, c)
		}
	}
}

// A record the registry rejects is reported at its line, and nothing is
// written.
func TestRejectedRecordIsLocated(t *testing.T) {
	db := storetest.OpenSQLite(t)
	path := t.TempDir() + "/bad.ndjson"
	lines := `{"collection":"organisations","record":{"name":"Example","kind":"platform","platform_type":"video","slug":"example"}}

{"collection":"authorities","record":{"country":"TR","name":"BTK","type":"ict_regulator"}}
{"collection":"authorities","record":{"country":"TR","name":"Somebody","type":"wizard"}}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadFile(t, db, ndjson.Format, path)
	var le *importers.LineError
	if !errors.As(err, &le) || le.Line != 4 || le.Column != "type" || !strings.Contains(err.Error(), "bad.ndjson:4: type:") {
		t.Fatalf("err = %v", err)
	}
	if k := countRows(t, db, "authorities") + countRows(t, db, "organisations"); k != 0 {
		t.Fatalf("%d records written", k)
	}
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Every shipped file imports; the Google files share one organisation;
// stored records keep the file, line and sha256 they came from.
func TestLoadShippedFiles(t *testing.T) {
	db := storetest.OpenSQLite(t)
	files := []struct {
		format importers.Format
		name   string
		read   int
	}{
		{google.UserData, "google-user-data-requests.csv", 0},
		{google.Removals, "google-government-detailed-removal-requests.csv", 1 + 21065},
		{x.InfoRequests, "information-requests-report-jan-jun-2017.csv", 1 + 83 + 55},
		{meta.Facebook2013, "Facebook-Government-Report-2013-H1.csv", 1 + 71*2},
	}
	for _, f := range files {
		path := shareddatatest.Path(t, "transparency", f.name)
		sum, err := loadFile(t, db, f.format, path)
		if err != nil {
			t.Fatal(err)
		}
		if f.read != 0 && sum.Read != f.read {
			t.Fatalf("%s: %+v, want %d read", f.name, sum, f.read)
		}
	}
	if n := countRows(t, db, "organisations"); n != 3 {
		t.Fatalf("%d organisations, want Google, X and Meta", n)
	}
	// The Turkey 2017-H1 X demand, as stored.
	path := shareddatatest.Path(t, "transparency", "information-requests-report-jan-jun-2017.csv")
	file, _ := importers.HashFile(path)
	p, err := db.List(context.Background(), store.Query{Collection: "demands", SourceID: "x-info-requests:2017-h1:tr", Limit: 10})
	if err != nil || len(p.Rows) != 1 {
		t.Fatalf("%v, %d rows", err, len(p.Rows))
	}
	var d model.Demand
	if err := json.Unmarshal(p.Rows[0].Body, &d); err != nil {
		t.Fatal(err)
	}
	src := d.Sources[0]
	if src.File != file.Name || src.Line != 78 || src.SHA256 != file.SHA256 || d.RequestCount.String() != "554" {
		t.Fatalf("stored demand: %+v, source %+v", d, src)
	}
	sum, err := loadFile(t, db, google.UserData, shareddatatest.Path(t, "transparency", "google-user-data-requests.csv"))
	if err != nil || sum.Unchanged != sum.Read {
		t.Fatalf("re-import: %+v %v", sum, err)
	}
}

// After the demonstration data, an import uses its platform record rather
// than making a second X.
func TestImportAdoptsDemoOrganisation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	if _, err := demo.Load(context.Background(), registry.New(db)); err != nil {
		t.Fatal(err)
	}
	before := countRows(t, db, "organisations")
	sum, err := loadFile(t, db, x.InfoRequests, shareddatatest.Path(t, "transparency", "information-requests-report-jan-jun-2017.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, "organisations"); n != before || sum.Created != sum.Read-1 {
		t.Fatalf("%d organisations (were %d); %+v", n, before, sum)
	}
	p, err := db.List(context.Background(), store.Query{Collection: "organisations", SourceID: "x", Limit: 2})
	if err != nil || len(p.Rows) != 1 || !strings.Contains(string(p.Rows[0].Body), "X (formerly Twitter)") {
		t.Fatalf("the demo's X record was not kept: %v", err)
	}
}
