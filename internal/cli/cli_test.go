package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return out.String(), errb.String(), code
}

func seedPlatform(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	s, err := app.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := registry.New(s).Create(ctx, auth.System, &model.Organisation{Name: "X", Kind: "platform", PlatformType: "social_media", Slug: "x",
		Meta: model.Meta{Sources: []model.Source{{URL: "https://transparency.x.com/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func TestHelpAndUnknown(t *testing.T) {
	out, _, code := run(t, "help")
	if code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "token") {
		t.Fatalf("help: %d %s", code, out)
	}
	if _, errs, code := run(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errs)
	}
}

func TestTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	id := seedPlatform(t, db)
	out, errs, code := run(t, "token", "create", "--db", db, "--org", "x", "--role", "platform")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errs)
	}
	secret := strings.TrimSpace(out)
	if !strings.HasPrefix(secret, "candor_") || strings.Contains(errs, secret) {
		t.Fatalf("token output %q / %q", out, errs)
	}
	s, _ := app.OpenStore(context.Background(), db)
	defer s.Close()
	a, err := auth.Authenticate(context.Background(), s, "Bearer "+secret)
	if err != nil || a.Org != id || a.Role != "platform" {
		t.Fatalf("token does not authenticate: %+v %v", a, err)
	}
	if _, errs, code := run(t, "token", "create", "--db", db, "--org", "nobody", "--role", "platform"); code == 0 || !strings.Contains(errs, "--org") {
		t.Fatalf("unknown org: %d %s", code, errs)
	}
	if _, errs, code := run(t, "token", "create", "--db", db, "--org", "x", "--role", "king"); code == 0 || !strings.Contains(errs, "role") {
		t.Fatalf("bad role: %d %s", code, errs)
	}
}

func TestServeAnswersAndExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	seedPlatform(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, &Env{Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.Fields(line[strings.Index(line, "http://"):])[0]
	resp, err := http.Get(base + "/api/v1/organisations")
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Count int }
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if resp.StatusCode != 200 || page.Count != 1 {
		t.Fatalf("organisations: %d %+v", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("CSP = %q", csp)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	out, _, code := run(t, "export", "--db", db)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"collection":"organisations"`) {
		t.Fatalf("export: %d %s", code, out)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if _, errs, code := run(t, "backup", "--db", db, backup); code != 0 {
		t.Fatalf("backup: %s", errs)
	}
	b, err := app.OpenStore(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, _ := b.List(context.Background(), store.Query{Collection: "organisations"})
	if len(p.Rows) != 1 {
		t.Fatalf("backup holds %d organisations", len(p.Rows))
	}
}
