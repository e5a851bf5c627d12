package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"github.com/candor-observatory/candor/internal/api"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

type env struct {
	t       *testing.T
	srv     *httptest.Server
	db      *sqlstore.DB
	f       *registrytest.Fixture
	xToken  string
	mToken  string
	csToken string
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	f := registrytest.NewFixture(t, db)
	h := apptest.New(t, db, nil).API
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, db: db, f: f}
	ctx := context.Background()
	var err error
	if e.xToken, _, err = auth.NewToken(ctx, db, f.X, auth.Platform, ""); err != nil {
		t.Fatal(err)
	}
	e.mToken, _, _ = auth.NewToken(ctx, db, f.Meta, auth.Platform, "")
	e.csToken, _, _ = auth.NewToken(ctx, db, f.Group, auth.CivilSociety, "")
	return e
}

func (e *env) do(method, path, token string, body any) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func (e *env) demand(cc, sourceID string, platform string) map[string]any {
	return map[string]any{
		"platform": platform, "country": cc, "granularity": "individual", "received_at": "2023-05-13T09:00:00Z",
		"channel": "court_order", "types": []string{"content_removal"}, "reason": "electoral_law",
		"targets":   map[string]any{"items": map[string]any{"kind": "exact", "value": 409}},
		"source_id": sourceID, "sources": []map[string]any{{"url": "https://example.org/x", "claim": "platform_attested"}},
	}
}

func (e *env) count(collection string) int {
	p, err := e.db.List(context.Background(), store.Query{Collection: collection, Limit: 1000, Visibility: auth.System.CanRead()})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(p.Rows)
}

type problem struct {
	Status int `json:"status"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	Existing string `json:"existing_id"`
}

func TestCreateReadList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		resp, body := e.do("POST", "/api/v1/demands", e.xToken, e.demand("TR", "order-1", e.f.X))
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		var created map[string]any
		json.Unmarshal(body, &created)
		id := created["id"].(string)
		if resp.Header.Get("Location") != "/api/v1/demands/"+id || created["version"].(float64) != 1 {
			t.Fatalf("create answer: %v %s", resp.Header, body)
		}
		resp, body = e.do("POST", "/api/v1/demands", e.xToken, e.demand("TR", "order-1", e.f.X))
		var p problem
		json.Unmarshal(body, &p)
		if resp.StatusCode != 409 || p.Existing != id || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("resubmission: %d %s", resp.StatusCode, body)
		}
		resp, body = e.do("GET", "/api/v1/demands/"+id, "", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"source_id":"order-1"`)) {
			t.Fatalf("get: %d %s", resp.StatusCode, body)
		}
		upd := e.demand("TR", "order-1", e.f.X)
		upd["summary"] = "four accounts and 409 posts"
		resp, body = e.do("PUT", "/api/v1/demands/"+id, e.xToken, upd)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"version":2`)) {
			t.Fatalf("update: %d %s", resp.StatusCode, body)
		}
		resp, body = e.do("GET", "/api/v1/demands/"+id+"?version=1", "", nil)
		if resp.StatusCode != 200 || bytes.Contains(body, []byte("four accounts")) {
			t.Fatalf("version 1: %d %s", resp.StatusCode, body)
		}
		resp, body = e.do("GET", "/api/v1/demands/"+id+"/versions", "", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"version":2`)) {
			t.Fatalf("versions: %d %s", resp.StatusCode, body)
		}
		for _, q := range []string{"country=TR", "q=accounts", "type=content_removal", "from=2023-05-13&to=2023-05-13", "platform=" + e.f.X} {
			resp, body = e.do("GET", "/api/v1/demands?"+q, "", nil)
			var page struct {
				Data  []json.RawMessage `json:"data"`
				Count int               `json:"count"`
			}
			json.Unmarshal(body, &page)
			if resp.StatusCode != 200 || page.Count != 1 {
				t.Fatalf("list %s: %d %s", q, resp.StatusCode, body)
			}
		}
		resp, body = e.do("GET", "/api/v1/demands?country=VN", "", nil)
		if !bytes.Contains(body, []byte(`"count":0`)) {
			t.Fatalf("list VN: %s", body)
		}
		resp, body = e.do("GET", "/api/v1/demands?format=ndjson", "", nil)
		if resp.Header.Get("Content-Type") != "application/x-ndjson" || bytes.Count(body, []byte("\n")) != 1 {
			t.Fatalf("ndjson: %s", body)
		}
		resp, body = e.do("GET", "/api/v1/demands?format=csv", "", nil)
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 2 || recs[0][0] != "id" || recs[1][0] != id {
			t.Fatalf("csv: %v %q", err, body)
		}
		col := -1
		for i, c := range recs[0] {
			if c == "targets.items.value" {
				col = i
			}
		}
		if col < 0 || recs[1][col] != "409" {
			t.Fatalf("csv has no targets.items.value 409: %q", recs)
		}
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		size0, _ := db.EntryCount(context.Background())
		big := make([]any, 1001)
		for i := range big {
			big[i] = e.demand("TR", fmt.Sprintf("b%d", i), e.f.X)
		}
		badEnum := e.demand("TR", "e1", e.f.X)
		badEnum["reason"] = "because"
		wrongType := e.demand("TR", "e2", e.f.X)
		wrongType["targets"] = map[string]any{"items": map[string]any{"kind": "exact", "value": "many"}}
		missing := e.demand("TR", "e3", e.f.X)
		delete(missing, "country")
		unknown := e.demand("TR", "e4", e.f.X)
		unknown["colour"] = "red"
		badDate := e.demand("TR", "e5", e.f.X)
		badDate["received_at"] = "yesterday"
		rangeBad := e.demand("TR", "e6", e.f.X)
		rangeBad["targets"] = map[string]any{"items": map[string]any{"kind": "range", "min": 9, "max": 1}}
		mixed := []any{e.demand("TR", "ok-1", e.f.X), badEnum}
		for _, tc := range []struct {
			name, path, token string
			body              any
			status            int
			field             string
		}{
			{"malformed JSON", "/api/v1/demands", e.xToken, `{"platform": "x",`, 422, "(body)"},
			{"unknown enum", "/api/v1/demands", e.xToken, badEnum, 422, "reason"},
			{"wrong type", "/api/v1/demands", e.xToken, wrongType, 422, "targets.items.value"},
			{"missing field", "/api/v1/demands", e.xToken, missing, 422, "country"},
			{"unknown field", "/api/v1/demands", e.xToken, unknown, 422, "colour"},
			{"bad time", "/api/v1/demands", e.xToken, badDate, 422, "(body)"},
			{"inverted range", "/api/v1/demands", e.xToken, rangeBad, 422, "targets.items.max"},
			{"other platform", "/api/v1/demands", e.mToken, e.demand("TR", "spoof", e.f.X), 403, ""},
			{"civil society writes demand", "/api/v1/demands", e.csToken, e.demand("TR", "cs", e.f.X), 403, ""},
			{"anonymous write", "/api/v1/demands", "", e.demand("TR", "anon", e.f.X), 401, ""},
			{"bad token", "/api/v1/demands", "candor_nope", e.demand("TR", "anon", e.f.X), 401, ""},
			{"oversize batch", "/api/v1/demands/batch", e.xToken, big, 413, "(body)"},
			{"batch with one bad item", "/api/v1/demands/batch", e.xToken, mixed, 422, "items[1].reason"},
			{"batch not an array", "/api/v1/demands/batch", e.xToken, `{"a":1}`, 422, "(body)"},
			{"unknown collection", "/api/v1/widgets", e.xToken, `{}`, 404, ""},
			{"server-assigned id", "/api/v1/demands", e.xToken, map[string]any{"id": "01H0000000000000000000000"}, 400, "id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := e.do("POST", tc.path, tc.token, tc.body)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q", ct)
				}
				var p problem
				if err := json.Unmarshal(body, &p); err != nil || p.Status != tc.status {
					t.Fatalf("not a problem document: %s", body)
				}
				if tc.field != "" {
					found := false
					for _, fe := range p.Errors {
						if fe.Field == tc.field {
							found = true
						}
					}
					if !found {
						t.Fatalf("no error names %q: %s", tc.field, body)
					}
				}
			})
		}
		if n := e.count("demands"); n != 0 {
			t.Fatalf("bad input wrote %d demands", n)
		}
		if size, _ := db.EntryCount(context.Background()); size != size0 {
			t.Fatalf("bad input added %d leaves", size-size0)
		}
		for _, q := range []string{"limit=0", "limit=1001", "from=tomorrow", "cursor=!!", "format=xml", "country=Turkey"} {
			resp, body := e.do("GET", "/api/v1/demands?"+q, "", nil)
			if resp.StatusCode/100 != 4 || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET ?%s: %d %s", q, resp.StatusCode, body)
			}
		}
	})
}

func TestBatchAndVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		var batch []any
		for i := 0; i < 10; i++ {
			d := e.demand("VN", fmt.Sprintf("vn-%d", i), e.f.X)
			if i == 0 {
				d["visibility"] = "members"
			}
			batch = append(batch, d)
		}
		resp, body := e.do("POST", "/api/v1/demands/batch", e.xToken, batch)
		if resp.StatusCode != 201 || !bytes.Contains(body, []byte(`"created":10`)) {
			t.Fatalf("batch: %d %s", resp.StatusCode, body)
		}
		_, anon := e.do("GET", "/api/v1/demands?limit=1000", "", nil)
		_, member := e.do("GET", "/api/v1/demands?limit=1000", e.csToken, nil)
		if !bytes.Contains(anon, []byte(`"count":9`)) || !bytes.Contains(member, []byte(`"count":10`)) {
			t.Fatalf("anonymous sees %s; a member sees %s", anon[len(anon)-30:], member[len(member)-30:])
		}
	})
}

func TestComplianceEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		resp, body := e.do("POST", "/api/v1/demands", e.xToken, e.demand("TR", "c1", e.f.X))
		var d map[string]any
		json.Unmarshal(body, &d)
		r := map[string]any{"demand": d["id"], "platform": e.f.X, "outcome": "complied_partial",
			"counts":  map[string]any{"content_withheld": map[string]any{"kind": "exact", "value": 400}},
			"sources": []map[string]any{{"url": "https://example.org/r"}}}
		if resp, body = e.do("POST", "/api/v1/responses", e.xToken, r); resp.StatusCode != 201 {
			t.Fatalf("response: %s", body)
		}
		resp, body = e.do("GET", "/api/v1/stats/compliance?group_by=country,platform", "", nil)
		var out struct {
			Groups []struct {
				Group          map[string]string `json:"group"`
				ItemsActioned  map[string]any    `json:"items_actioned"`
				ComplianceRate float64           `json:"compliance_rate"`
			} `json:"groups"`
		}
		json.Unmarshal(body, &out)
		if resp.StatusCode != 200 || len(out.Groups) != 1 || out.Groups[0].Group["country"] != "TR" ||
			out.Groups[0].ItemsActioned["kind"] != "exact" || out.Groups[0].ComplianceRate < 0.977 || out.Groups[0].ComplianceRate > 0.979 {
			t.Fatalf("compliance: %d %s", resp.StatusCode, body)
		}
		resp, body = e.do("GET", "/api/v1/stats/compliance?group_by=planet", "", nil)
		if resp.StatusCode != 422 || !bytes.Contains(body, []byte(`"field":"group_by"`)) {
			t.Fatalf("bad group_by: %d %s", resp.StatusCode, body)
		}
		resp, body = e.do("GET", "/api/v1/stats/compliance?group_by=country&format=csv", "", nil)
		if !bytes.HasPrefix(body, []byte("country,records,demands")) {
			t.Fatalf("csv: %s", body)
		}
	})
}

// TestOpenAPIInStep checks the document against the routes the server
// answers and the fields the records carry.
func TestOpenAPIInStep(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	resp, body := e.do("GET", "/api/v1/openapi.json", "", nil)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi: %d %v", resp.StatusCode, err)
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			url := strings.NewReplacer("{collection}", "demands", "{id}", "01HZZZZZZZZZZZZZZZZZZZZZZZ").Replace(path)
			r, b := e.do(strings.ToUpper(method), url, e.xToken, "{}")
			if r.StatusCode == http.StatusMethodNotAllowed || (r.StatusCode == 404 && bytes.Contains(b, []byte("no such API endpoint"))) {
				t.Errorf("%s %s is documented but not served (%d)", method, path, r.StatusCode)
			}
		}
	}
	if n != len(api.Routes()) {
		t.Errorf("document has %d operations, the server %d", n, len(api.Routes()))
	}
	for _, c := range []struct{ schema, collection string }{{"Demand", "demands"}, {"Response", "responses"}, {"Law", "laws"}, {"Organisation", "organisations"}, {"Authority", "authorities"}} {
		props := doc.Components.Schemas[c.schema].Properties
		fields := api.JSONFields(c.collection)
		if len(props) != len(fields) || len(fields) == 0 {
			t.Errorf("schema %s has %d properties, the record %d fields", c.schema, len(props), len(fields))
		}
		for _, f := range fields {
			if _, ok := props[f]; !ok {
				t.Errorf("schema %s lacks field %s", c.schema, f)
			}
		}
	}
	r, _ := e.do("GET", "/api/v1/nothing/here/at/all", "", nil)
	if r.StatusCode != 404 {
		t.Errorf("unknown path: %d", r.StatusCode)
	}
}
