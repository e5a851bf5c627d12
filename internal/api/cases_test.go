package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/server"
	"github.com/candor-observatory/candor/internal/store"
)

// caseWorld is a server with two platforms, two civil-society groups and a
// token for every role; it records every response body and log line.
type caseWorld struct {
	t        *testing.T
	store    store.Store
	srv      *httptest.Server
	reg      *registry.Registry
	X, Meta  string // platform ids
	Group    string // the filing group
	Other    string // an unrelated group
	tokens   map[string]string
	handlerX *age.X25519Identity // X's case handler
	officeX  *age.X25519Identity // X's country office
	groupKey *age.X25519Identity
	logs     *lockedBuffer
	mu       sync.Mutex
	bodies   [][]byte
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func newIdentity(t testing.TB) *age.X25519Identity {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var caseNow = time.Date(2023, 5, 13, 21, 0, 0, 0, time.UTC)

func newCaseWorld(t *testing.T, s store.Store) *caseWorld {
	ctx := context.Background()
	w := &caseWorld{t: t, store: s, tokens: map[string]string{}, logs: &lockedBuffer{},
		handlerX: newIdentity(t), officeX: newIdentity(t), groupKey: newIdentity(t)}
	clock := caseNow
	var clockMu sync.Mutex
	now := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}
	log := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := apptest.New(t, s, &app.Config{Now: now, Log: log})
	w.reg = a.Registry
	mk := func(o *model.Organisation) string {
		o.Sources = []model.Source{{URL: "https://example.org/" + o.Slug}}
		res, err := w.reg.Create(ctx, auth.System, o)
		if err != nil {
			t.Fatal(err)
		}
		return res.ID
	}
	w.X = mk(&model.Organisation{Name: "X", Kind: "platform", PlatformType: "social_media", Slug: "x",
		Recipients: []string{w.handlerX.Recipient().String()}, CountryOfficeRecipients: []string{w.officeX.Recipient().String()},
		CaseTargets: &model.CaseTargets{Emergency: &model.CaseTarget{AcknowledgeHours: 1, RespondHours: 12, ResolveHours: 48}}})
	w.Meta = mk(&model.Organisation{Name: "Meta", Kind: "platform", PlatformType: "social_media", Slug: "meta",
		Recipients: []string{newIdentity(t).Recipient().String()}})
	w.Group = mk(&model.Organisation{Name: "İFÖD", Kind: "civil_society", Country: "TR", Slug: "ifod",
		Recipients: []string{w.groupKey.Recipient().String()}})
	w.Other = mk(&model.Organisation{Name: "Other group", Kind: "civil_society", Country: "VN", Slug: "other",
		Recipients: []string{newIdentity(t).Recipient().String()}})
	for name, x := range map[string]struct{ org, role string }{
		"admin": {"", auth.Admin}, "x": {w.X, auth.Platform}, "meta": {w.Meta, auth.Platform},
		"group": {w.Group, auth.CivilSociety}, "other": {w.Other, auth.CivilSociety}, "witness": {w.Group, auth.Witness},
	} {
		secret, _, err := auth.NewToken(ctx, s, x.org, x.role, name)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[name] = secret
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", a.API)
	w.srv = httptest.NewServer(server.Handler(mux, log))
	t.Cleanup(w.srv.Close)
	return w
}

// do sends a request as a role ("anonymous" for none) and decodes JSON.
func (w *caseWorld) do(role, method, path string, body any, out any) int {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "anonymous" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[role])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	w.mu.Lock()
	w.bodies = append(w.bodies, b)
	w.mu.Unlock()
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

func (w *caseWorld) seal(v any, keys ...*age.X25519Identity) (string, []string) {
	w.t.Helper()
	var rs []string
	for _, k := range keys {
		rs = append(rs, k.Recipient().String())
	}
	s, err := cases.SealJSON(v, rs)
	if err != nil {
		w.t.Fatal(err)
	}
	return s, rs
}

func (w *caseWorld) file(role string, details cases.Details, keys ...*age.X25519Identity) (int, map[string]any) {
	sealed, rs := w.seal(details, keys...)
	var out map[string]any
	code := w.do(role, "POST", "/api/v1/cases", cases.FileRequest{AddressedTo: "x", Kind: "account_suspension",
		Country: "TR", Urgency: "emergency", Summary: "A journalist's account was suspended after mass reporting",
		Sealed: sealed, Recipients: rs}, &out)
	return code, out
}

var roles = []string{"anonymous", "admin", "x", "meta", "group", "other", "witness"}

func TestCaseEndpointsAuthorization(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		w := newCaseWorld(t, s)
		code, c := w.file("group", cases.Details{Text: "details"}, w.handlerX, w.groupKey)
		if code != http.StatusCreated {
			t.Fatalf("file: %d %v", code, c)
		}
		id := c["id"].(string)
		if c["filed_by"] != w.Group || c["addressed_to"] != w.X || c["status"] != "filed" {
			t.Fatalf("filed case %v", c)
		}
		msg, _ := w.seal(cases.Message{Text: "hello"}, w.handlerX, w.groupKey)
		resealed, keys := w.seal(cases.Details{Text: "details"}, w.handlerX, w.groupKey)

		type want map[string]int
		for _, ep := range []struct {
			name, method, path string
			body               func(role string) any
			want               want // by role; roles not named get notFound
			notFound           int
		}{
			{name: "list", method: "GET", path: "/api/v1/cases",
				want: want{"anonymous": 401, "admin": 403, "witness": 403, "x": 200, "meta": 200, "group": 200, "other": 200}},
			{name: "get", method: "GET", path: "/api/v1/cases/" + id, want: want{"anonymous": 401, "x": 200, "group": 200}, notFound: 404},
			{name: "get version", method: "GET", path: "/api/v1/cases/" + id + "?version=1", want: want{"anonymous": 401, "x": 200, "group": 200}, notFound: 404},
			{name: "versions", method: "GET", path: "/api/v1/cases/" + id + "/versions", want: want{"anonymous": 401, "x": 200, "group": 200}, notFound: 404},
			{name: "message", method: "POST", path: "/api/v1/cases/" + id + "/messages",
				body: func(string) any { return map[string]string{"sealed": msg} },
				want: want{"anonymous": 401, "x": 200, "group": 200}, notFound: 404},
			{name: "status", method: "POST", path: "/api/v1/cases/" + id + "/status",
				body: func(string) any { return map[string]string{"status": "escalated"} },
				// Only the filer escalates.
				want: want{"anonymous": 401, "x": 403, "group": 200}, notFound: 404},
			{name: "recipients", method: "POST", path: "/api/v1/cases/" + id + "/recipients",
				body: func(string) any {
					// Messages so far: the platform's, then the group's.
					return cases.ResealRequest{Recipients: keys, Sealed: resealed, Messages: []string{"", msg}}
				},
				want: want{"anonymous": 401, "x": 403, "group": 200}, notFound: 404},
			{name: "put", method: "PUT", path: "/api/v1/cases/" + id, body: func(string) any { return map[string]string{"summary": "x"} },
				want: want{"anonymous": 401}, notFound: 403},
			{name: "batch", method: "POST", path: "/api/v1/cases/batch", body: func(string) any { return []any{} }, want: want{"anonymous": 401}, notFound: 403},
			{name: "keys", method: "GET", path: "/api/v1/cases/recipients?to=x",
				want: want{"anonymous": 401, "group": 200, "other": 200}, notFound: 403},
			{name: "file", method: "POST", path: "/api/v1/cases", body: func(string) any {
				s, rs := w.seal(cases.Details{Text: "d"}, w.handlerX)
				return cases.FileRequest{AddressedTo: w.X, Kind: "other", Country: "TR", Urgency: "routine", Summary: "s", Sealed: s, Recipients: rs}
			}, want: want{"anonymous": 401, "group": 201, "other": 201}, notFound: 403},
			{name: "stats", method: "GET", path: "/api/v1/stats/cases", notFound: 200},
		} {
			for _, role := range roles {
				wantCode, ok := ep.want[role]
				if !ok {
					wantCode = ep.notFound
				}
				var body any
				if ep.body != nil {
					body = ep.body(role)
				}
				var out map[string]any
				if got := w.do(role, ep.method, ep.path, body, &out); got != wantCode {
					t.Errorf("%s as %s: status %d, want %d (%v)", ep.name, role, got, wantCode, out)
				}
				// Lists show another organisation nothing of the case.
				if ep.name == "list" && wantCode == 200 {
					n := len(out["cases"].([]any))
					party := role == "x" || role == "group"
					if party && n == 0 || !party && strings.Contains(mustJSON(out), id) {
						t.Errorf("list as %s: %d cases (%v)", role, n, out)
					}
				}
			}
		}
		// After all that, the case moved exactly as the parties asked.
		var got map[string]any
		w.do("group", "GET", "/api/v1/cases/"+id, nil, &got)
		// The group cannot re-seal (and so rewrite) the platform's message,
		// neither through the API nor by writing a version directly.
		var prob map[string]any
		if code := w.do("group", "POST", "/api/v1/cases/"+id+"/recipients",
			cases.ResealRequest{Recipients: keys, Sealed: resealed, Messages: []string{msg}}, &prob); code != 422 ||
			!strings.Contains(mustJSON(prob), "messages[0]") {
			t.Errorf("re-seal of the platform's message: %d %v", code, prob)
		}
		row, err := s.Get(context.Background(), "cases", id, 0)
		if err != nil {
			t.Fatal(err)
		}
		var forged model.Case
		json.Unmarshal(row.Body, &forged)
		forged.Messages[0].Sealed, _ = w.seal(cases.Message{Text: "we refuse to help"}, w.handlerX, w.groupKey)
		_, err = w.reg.Update(context.Background(), auth.Actor{Org: w.Group, Role: auth.CivilSociety}, id, &forged)
		if err == nil || !strings.Contains(err.Error(), "may not change messages") {
			t.Errorf("forged platform message: %v", err)
		}
		if got["status"] != "escalated" || len(got["messages"].([]any)) != 2 || got["acknowledged_at"] == nil {
			t.Errorf("case after the matrix: %v", got)
		}
	})
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestCaseRecipientRulesAndConsentAudit(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		w := newCaseWorld(t, s)
		stranger := newIdentity(t)
		for _, tc := range []struct {
			name  string
			keys  []*age.X25519Identity
			share bool
			code  int
			field string
		}{
			{"stranger key", []*age.X25519Identity{w.handlerX, stranger}, false, 422, "recipients[1]"},
			{"country office without consent", []*age.X25519Identity{w.handlerX, w.officeX}, false, 422, "recipients[1]"},
			{"only the filer", []*age.X25519Identity{w.groupKey}, false, 422, "recipients"},
			{"country office with consent", []*age.X25519Identity{w.handlerX, w.officeX, w.groupKey}, true, 201, ""},
		} {
			sealed, rs := w.seal(cases.Details{Text: "t"}, tc.keys...)
			var out struct {
				ID     string             `json:"id"`
				Errors []model.FieldError `json:"errors"`
			}
			code := w.do("group", "POST", "/api/v1/cases", cases.FileRequest{AddressedTo: "x", Kind: "troll_campaign", Country: "TR",
				Urgency: "urgent", Summary: "s", Sealed: sealed, Recipients: rs, ShareWithCountryOffice: tc.share}, &out)
			if code != tc.code || tc.field != "" && (len(out.Errors) == 0 || out.Errors[0].Field != tc.field) {
				t.Errorf("%s: %d %+v", tc.name, code, out)
			}
			if code == 201 {
				entries, err := s.Audit(context.Background(), store.AuditQuery{RecordID: out.ID})
				if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "share_with_country_office=true") ||
					entries[0].ActorOrg != w.Group {
					t.Errorf("consent not in the audit log: %+v %v", entries, err)
				}
			}
		}
		// Plaintext in the sealed field is refused before anything is written.
		var out map[string]any
		code := w.do("group", "POST", "/api/v1/cases", cases.FileRequest{AddressedTo: "x", Kind: "other", Country: "TR",
			Urgency: "routine", Summary: "s", Sealed: "the activist is Ayşe", Recipients: []string{w.handlerX.Recipient().String()}}, &out)
		if code != 422 || !strings.Contains(mustJSON(out), "sealed") {
			t.Errorf("plaintext sealed: %d %v", code, out)
		}
	})
}

// The registry's guard holds whatever path a write takes.
func TestCaseGuardBehindTheAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		w := newCaseWorld(t, s)
		_, c := w.file("group", cases.Details{Text: "d"}, w.handlerX, w.groupKey)
		id := c["id"].(string)
		ctx := context.Background()
		load := func() *model.Case {
			row, err := s.Get(ctx, "cases", id, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out model.Case
			json.Unmarshal(row.Body, &out)
			return &out
		}
		x := auth.Actor{Org: w.X, Role: auth.Platform, TokenID: "t"}
		group := auth.Actor{Org: w.Group, Role: auth.CivilSociety, TokenID: "t"}
		for _, tc := range []struct {
			name  string
			actor auth.Actor
			edit  func(c *model.Case)
			want  string
		}{
			{"platform edits summary", x, func(c *model.Case) { c.Summary = "nothing happened" }, "may not change summary"},
			{"platform escalates", x, func(c *model.Case) {
				c.Status = "escalated"
				c.History = append(c.History, model.CaseStatusChange{Status: "escalated", At: caseNow.Add(time.Hour), By: w.X})
			}, "only the filer"},
			{"platform backdates acknowledgement", x, func(c *model.Case) {
				t0 := c.FiledAt
				c.AcknowledgedAt = &t0
			}, "may not change acknowledged_at"},
			{"filer moves clocks", group, func(c *model.Case) {
				t1 := c.FiledAt.Add(time.Hour)
				c.ResolvedAt = &t1
			}, "may not change resolved_at"},
			{"filer speaks as the platform", group, func(c *model.Case) {
				c.Messages = append(c.Messages, model.CaseMessage{From: w.X, At: caseNow.Add(time.Hour), Sealed: c.Sealed})
			}, "from the writing party"},
			{"admin", auth.System, func(c *model.Case) { c.Outcome = "restored" }, "filing group and the addressed platform"},
			{"stale version", x, func(c *model.Case) { c.Version = 7 }, "changed since it was read"},
			{"outcome without a status change", x, func(c *model.Case) { c.Outcome = "restored" }, "may not change outcome"},
			{"other platform", auth.Actor{Org: w.Meta, Role: auth.Platform}, func(c *model.Case) { c.Outcome = "restored" }, "filing group"},
			{"two steps at once", x, func(c *model.Case) {
				c.Status = "responded"
				c.History = append(c.History, model.CaseStatusChange{Status: "acknowledged", At: caseNow.Add(time.Hour), By: w.X},
					model.CaseStatusChange{Status: "responded", At: caseNow.Add(time.Hour), By: w.X})
			}, "one status change"},
		} {
			c := load()
			tc.edit(c)
			_, err := w.reg.Update(ctx, tc.actor, id, c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
			}
		}
		// Filing through the generic write path as an administrator or for
		// another group is refused too.
		c2 := load()
		c2.ID, c2.Version = "", 0
		if _, err := w.reg.Create(ctx, auth.System, c2); err == nil || !strings.Contains(err.Error(), "civil-society") {
			t.Errorf("admin filed a case: %v", err)
		}
		if _, err := w.reg.Create(ctx, auth.Actor{Org: w.Other, Role: auth.CivilSociety}, c2); err == nil {
			t.Error("a group filed a case in another group's name")
		}
		if load().Version != 1 {
			t.Error("a refused write changed the case")
		}
	})
}

func TestCaseWorkflowClocksAndLedger(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		w := newCaseWorld(t, s)
		ctx := context.Background()
		before, _ := s.EntryCount(ctx)
		_, c := w.file("group", cases.Details{Text: "SECRET-DETAIL"}, w.handlerX, w.groupKey)
		id := c["id"].(string)
		var v struct {
			Status          string          `json:"status"`
			AcknowledgedAt  *time.Time      `json:"acknowledged_at"`
			FirstResponseAt *time.Time      `json:"first_response_at"`
			ResolvedAt      *time.Time      `json:"resolved_at"`
			Next            []string        `json:"next"`
			Clocks          []cases.Clock   `json:"clocks"`
			Reminders       json.RawMessage `json:"reminders"`
			Outcome         string          `json:"outcome"`
		}
		for _, step := range []struct{ role, status, outcome string }{
			{"x", "acknowledged", ""}, {"x", "responded", ""}, {"group", "resolved", "restored"},
		} {
			if code := w.do(step.role, "POST", "/api/v1/cases/"+id+"/status", map[string]string{"status": step.status, "outcome": step.outcome}, &v); code != 200 {
				t.Fatalf("%s by %s: %d", step.status, step.role, code)
			}
		}
		// The registry clock advances a minute per call: filing at +2m (after
		// token and org writes it is later; compare differences only).
		if v.Status != "resolved" || v.Outcome != "restored" || v.AcknowledgedAt == nil || v.FirstResponseAt == nil || v.ResolvedAt == nil ||
			!v.AcknowledgedAt.Before(*v.FirstResponseAt) || len(v.Next) != 0 {
			t.Fatalf("after resolving: %+v", v)
		}
		if len(v.Clocks) != 3 || v.Clocks[0].Overdue || v.Clocks[0].Due.Sub(*v.AcknowledgedAt) > time.Hour {
			t.Errorf("clocks %+v", v.Clocks)
		}
		// Four versions, four leaves: public parts only.
		after, _ := s.EntryCount(ctx)
		leaves, err := s.ReadEntries(ctx, before, after)
		if err != nil || len(leaves) != 4 {
			t.Fatalf("%d leaves (%v)", len(leaves), err)
		}
		coll, rec, err := ledger.LeafRecord(leaves[3])
		if err != nil || coll != "cases" {
			t.Fatalf("leaf of collection %q: %v", coll, err)
		}
		var last model.Case
		if err := json.Unmarshal(rec, &last); err != nil {
			t.Fatal(err)
		}
		if last.Status != "resolved" || last.Summary == "" || len(last.History) != 4 || last.ResolvedAt == nil {
			t.Errorf("last leaf %+v", last)
		}
		for _, l := range leaves {
			if bytes.Contains(l, []byte("AGE ENCRYPTED")) || bytes.Contains(l, []byte(`"sealed":`)) || bytes.Contains(l, []byte(`"recipients"`)) || bytes.Contains(l, []byte("age1")) {
				t.Errorf("leaf holds sealed data or keys: %s", l)
			}
		}
	})
}

func TestCaseStatsEndpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		w := newCaseWorld(t, s)
		for i := 0; i < 5; i++ {
			_, c := w.file("group", cases.Details{Text: "d"}, w.handlerX, w.groupKey)
			w.do("x", "POST", "/api/v1/cases/"+c["id"].(string)+"/status", map[string]string{"status": "acknowledged"}, nil)
		}
		// Four cases to Meta: a group too small to publish.
		for i := 0; i < 4; i++ {
			sealed, rs := w.seal(cases.Details{Text: "d"}, w.groupKey)
			metaKeys := rs
			var keys struct {
				Platform struct{ Recipients []string } `json:"platform"`
			}
			w.do("group", "GET", "/api/v1/cases/recipients?to=meta", nil, &keys)
			all := append(keys.Platform.Recipients, metaKeys...)
			sealed, err := cases.SealJSON(cases.Details{Text: "d"}, all)
			if err != nil {
				t.Fatal(err)
			}
			if code := w.do("group", "POST", "/api/v1/cases", cases.FileRequest{AddressedTo: "meta", Kind: "other", Country: "TR",
				Urgency: "routine", Summary: "s", Sealed: sealed, Recipients: all}, nil); code != 201 {
				t.Fatalf("file to meta: %d", code)
			}
		}
		var st cases.Stats
		if code := w.do("anonymous", "GET", "/api/v1/stats/cases?group_by=platform", nil, &st); code != 200 {
			t.Fatalf("stats %d", code)
		}
		if len(st.Groups) != 1 || st.Groups[0].Platform != w.X || st.Groups[0].PlatformName != "X" || st.Groups[0].Cases != 5 || st.SuppressedGroups != 1 ||
			st.Groups[0].Acknowledge.Reached != 5 || st.Groups[0].Acknowledge.MedianSeconds == nil {
			t.Errorf("stats %+v", st)
		}
		req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/stats/cases?group_by=platform,urgency&format=csv", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		csvBody, _ := io.ReadAll(res.Body)
		res.Body.Close()
		lines := strings.Split(strings.TrimSpace(string(csvBody)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "platform,urgency,platform_name,cases,acknowledge_reached,acknowledge_median_seconds") ||
			!strings.HasPrefix(lines[1], w.X+",emergency,X,5,5,") {
			t.Errorf("csv:\n%s", csvBody)
		}
		var bad map[string]any
		if code := w.do("anonymous", "GET", "/api/v1/stats/cases?group_by=filed_by", nil, &bad); code != 422 {
			t.Errorf("group_by=filed_by: %d %v", code, bad)
		}
	})
}
