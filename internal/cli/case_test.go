package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cli"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/postgres"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// Cleartext markers: they are only ever in the sealed part, the evidence
// and the messages, so the server must never hold them.
const (
	marker      = "MARKER-0c5d1e-cleartext"
	replyMarker = "MARKER-0c5d1e-reply"
	// publicMarker is in the public summary: finding it proves the search
	// below would find the others.
	publicMarker = "PUBLICSUMMARY7f1"
)

// recorder keeps every response body the server sends.
type recorder struct {
	mu     sync.Mutex
	bodies bytes.Buffer
}

type teeWriter struct {
	http.ResponseWriter
	r *recorder
}

func (t teeWriter) Write(b []byte) (int, error) {
	t.r.mu.Lock()
	t.r.bodies.Write(b)
	t.r.mu.Unlock()
	return t.ResponseWriter.Write(b)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type caseRun struct {
	t      *testing.T
	srv    *httptest.Server
	rec    *recorder
	logs   *syncBuffer
	dir    string
	tokens map[string]string
}

func (r *caseRun) run(who string, args ...string) (string, string) {
	r.t.Helper()
	var out, errb bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		switch k {
		case "CANDOR_SERVER":
			return r.srv.URL
		case "CANDOR_TOKEN":
			return r.tokens[who]
		}
		return ""
	}}
	if code := cli.Main(context.Background(), append([]string{"case"}, args...), env); code != 0 {
		r.t.Fatalf("candor case %s as %s: exit %d: %s", strings.Join(args, " "), who, code, errb.String())
	}
	return out.String(), errb.String()
}

func startCaseServer(t *testing.T, s *sqlstore.DB) *caseRun {
	ctx := context.Background()
	r := &caseRun{t: t, rec: &recorder{}, logs: &syncBuffer{}, dir: t.TempDir(), tokens: map[string]string{}}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app := apptest.New(t, s, &app.Config{Log: log})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		app.Handler.ServeHTTP(teeWriter{w, r.rec}, req)
	}))
	t.Cleanup(r.srv.Close)

	// Keys are made by the CLI; organisations publish the public halves.
	pub := func(name string) string {
		path := filepath.Join(r.dir, name+".key")
		_, stderr := r.run("", "keygen", "--out", path)
		for _, f := range strings.Fields(stderr) {
			if strings.HasPrefix(f, "age1") {
				return f
			}
		}
		t.Fatalf("keygen printed no public key: %s", stderr)
		return ""
	}
	handler, group := pub("x-handler"), pub("group")
	var ids = map[string]string{}
	for _, o := range []*model.Organisation{
		{Name: "X", Kind: "platform", PlatformType: "social_media", Slug: "x", Recipients: []string{handler}},
		{Name: "Meta", Kind: "platform", PlatformType: "social_media", Slug: "meta", Recipients: []string{pub("meta")}},
		{Name: "İFÖD", Kind: "civil_society", Slug: "ifod", Recipients: []string{group}},
	} {
		o.Sources = []model.Source{{URL: "https://example.org/" + o.Slug}}
		res, err := app.Registry.Create(ctx, auth.System, o)
		if err != nil {
			t.Fatal(err)
		}
		ids[o.Slug] = res.ID
	}
	for who, x := range map[string]struct{ org, role string }{
		"x": {ids["x"], auth.Platform}, "meta": {ids["meta"], auth.Platform}, "group": {ids["ifod"], auth.CivilSociety},
	} {
		secret, _, err := auth.NewToken(ctx, s, x.org, x.role, who)
		if err != nil {
			t.Fatal(err)
		}
		r.tokens[who] = secret
	}
	return r
}

// fileAndFollow drives a case through the CLI and returns its id.
func (r *caseRun) fileAndFollow() string {
	t := r.t
	details := filepath.Join(r.dir, "details.txt")
	evidence := filepath.Join(r.dir, "screenshot.txt")
	os.WriteFile(details, []byte("The account @someone was suspended. "+marker+"\n"), 0o600)
	os.WriteFile(evidence, []byte("evidence "+marker), 0o600)
	id, _ := r.run("group", "file", "--to", "x", "--kind", "account_suspension", "--country", "TR", "--urgency", "emergency",
		"--summary", "Journalist's account suspended "+publicMarker, "--details-file", details,
		"--person", "Name "+marker, "--evidence", evidence)
	id = strings.TrimSpace(id)

	list, _ := r.run("x", "list")
	if !strings.Contains(list, id) || !strings.Contains(list, "emergency") {
		t.Errorf("platform list lacks the case:\n%s", list)
	}
	if other, _ := r.run("meta", "list"); strings.Contains(other, id) {
		t.Errorf("another platform lists the case:\n%s", other)
	}
	opened, _ := r.run("x", "open", id, "--identity", filepath.Join(r.dir, "x-handler.key"))
	if !strings.Contains(opened, marker) || !strings.Contains(opened, "Evidence: screenshot.txt") {
		t.Errorf("the platform's handler could not read the case:\n%s", opened)
	}
	r.run("x", "status", id, "acknowledged")
	r.run("x", "reply", id, "--text", "We restored the account. "+replyMarker)
	r.run("x", "status", id, "responded")
	r.run("group", "status", id, "resolved", "--outcome", "restored")
	opened, _ = r.run("group", "open", id, "--identity", filepath.Join(r.dir, "group.key"))
	if !strings.Contains(opened, replyMarker) || !strings.Contains(opened, "resolved") {
		t.Errorf("the group could not read the reply:\n%s", opened)
	}
	// The other platform's key opens nothing, and its token reads nothing.
	var errb bytes.Buffer
	env := &cli.Env{Stdout: &bytes.Buffer{}, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		return map[string]string{"CANDOR_SERVER": r.srv.URL, "CANDOR_TOKEN": r.tokens["meta"]}[k]
	}}
	if cli.Main(context.Background(), []string{"case", "open", id, "--identity", filepath.Join(r.dir, "meta.key")}, env) == 0 ||
		!strings.Contains(errb.String(), "404") {
		t.Errorf("another platform opened the case: %s", errb.String())
	}
	// Every other way of reading a case, public or not, answers too.
	for _, g := range []struct{ who, path string }{
		{"group", "/api/v1/cases/" + id + "/versions"}, {"x", "/api/v1/cases/" + id + "?version=1"},
		{"x", "/api/v1/cases?status=resolved"}, {"", "/api/v1/cases/" + id}, {"meta", "/api/v1/cases/" + id},
		{"", "/api/v1/stats/cases?group_by=platform,kind"}, {"", "/cases/stats"}, {"", "/api/v1/organisations"},
		{"", "/api/v1/openapi.json"},
	} {
		req, _ := http.NewRequest("GET", r.srv.URL+g.path, nil)
		if g.who != "" {
			req.Header.Set("Authorization", "Bearer "+r.tokens[g.who])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	return id
}

// checkNoCleartext looks for the markers in what the server said and logged.
func (r *caseRun) checkNoCleartext() {
	r.rec.mu.Lock()
	bodies := r.rec.bodies.String()
	r.rec.mu.Unlock()
	for _, m := range []string{marker, replyMarker} {
		if strings.Contains(bodies, m) {
			r.t.Errorf("an API response holds the cleartext %s", m)
		}
		if strings.Contains(r.logs.String(), m) {
			r.t.Errorf("the server log holds the cleartext %s", m)
		}
	}
	if !strings.Contains(bodies, publicMarker) {
		r.t.Error("responses searched do not even hold the public summary")
	}
	if !strings.Contains(r.logs.String(), "/api/v1/cases") {
		r.t.Error("the server log searched holds no request at all")
	}
}

func TestCaseCLINeverLeavesCleartextSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "candor.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := startCaseServer(t, s)
	r.fileAndFollow()
	r.checkNoCleartext()
	var all []byte
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, m := range []string{marker, replyMarker} {
		if bytes.Contains(all, []byte(m)) {
			t.Errorf("the SQLite files hold the cleartext %s", m)
		}
	}
	if !bytes.Contains(all, []byte(publicMarker)) {
		t.Error("the SQLite files searched do not even hold the public summary")
	}
}

func TestCaseCLINeverLeavesCleartextPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := startCaseServer(t, s)
	r.fileAndFollow()
	r.checkNoCleartext()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var dump strings.Builder
	for _, tbl := range tables {
		rs, err := db.Query(`SELECT whole_row::text FROM "` + tbl + `" AS whole_row`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var line string
			if err := rs.Scan(&line); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(line)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
	// The search column is folded to lower case; bytea prints as hex.
	text := strings.ToLower(dump.String())
	for _, m := range []string{marker, replyMarker} {
		if strings.Contains(text, strings.ToLower(m)) || strings.Contains(text, hexOf(m)) {
			t.Errorf("a PostgreSQL table holds the cleartext %s", m)
		}
	}
	if !strings.Contains(text, strings.ToLower(publicMarker)) {
		t.Errorf("the PostgreSQL tables searched (%v) do not even hold the public summary", tables)
	}
	if !strings.Contains(text, hexOf(publicMarker)) {
		t.Error("the ledger leaves (bytea) searched do not hold the public summary")
	}
}

func hexOf(s string) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(out)
}
