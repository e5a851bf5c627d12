package casepage_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/sqlite"
)

const (
	marker      = "MARKER-page-3b9e-cleartext"
	replyMarker = "MARKER-page-3b9e-reply"
)

func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CANDOR_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := exec.LookPath(p); err == nil {
				return p
			}
		}
	}
	t.Skip("no Chromium: install Debian's chromium (or set CANDOR_CHROMIUM) to run the browser test")
	return ""
}

// requestLog keeps every request body the server receives.
type requestLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *requestLog) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestPageFilesAndOpensSealedCase(t *testing.T) {
	exe := chromium(t)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "candor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := apptest.New(t, s, &app.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	handler, _ := cases.GenerateIdentity()
	groupKey, _ := cases.GenerateIdentity()
	ids := map[string]string{}
	for _, o := range []*model.Organisation{
		{Name: "X", Kind: "platform", PlatformType: "social_media", Slug: "x", Recipients: []string{handler.Recipient().String()}},
		{Name: "İFÖD", Kind: "civil_society", Slug: "ifod", Recipients: []string{groupKey.Recipient().String()}},
	} {
		o.Sources = []model.Source{{URL: "https://example.org/" + o.Slug}}
		res, err := app.Registry.Create(ctx, auth.System, o)
		if err != nil {
			t.Fatal(err)
		}
		ids[o.Slug] = res.ID
	}
	groupToken, _, err := auth.NewToken(ctx, s, ids["ifod"], auth.CivilSociety, "page")
	if err != nil {
		t.Fatal(err)
	}
	xToken, _, err := auth.NewToken(ctx, s, ids["x"], auth.Platform, "page")
	if err != nil {
		t.Fatal(err)
	}
	reqs := &requestLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			reqs.mu.Lock()
			reqs.b.WriteString(r.URL.String())
			reqs.b.Write(b)
			reqs.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		app.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()

	actx, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("headless", true))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser; it must not run under a timeout.
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/cases/")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
			return err
		})
	}
	err = chromedp.Do(tctx,
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.SendKeys(chromedp.ID("token"), groupToken),
		chromedp.Click(chromedp.ID("session-save")),
		// Keys are made in the page too.
		chromedp.Click(chromedp.ID("keygen")),
		poll(`document.getElementById("keygen-public").value.startsWith("age1")`),
		// File.
		chromedp.SendKeys(chromedp.ID("file-to"), "x"),
		chromedp.Click(chromedp.ID("file-load-keys")),
		chromedp.WaitVisible(chromedp.CSS(`#file-recipients input[name="recipient"]`)),
		chromedp.SetValue(chromedp.ID("file-kind"), "safety_threat"),
		chromedp.SendKeys(chromedp.ID("file-country"), "TR"),
		chromedp.SetValue(chromedp.ID("file-urgency"), "emergency"),
		chromedp.SendKeys(chromedp.ID("file-summary"), "A reporter is being threatened after a takedown"),
		chromedp.SendKeys(chromedp.ID("file-details"), "Threats by DM to the reporter. "+marker),
		chromedp.SendKeys(chromedp.ID("file-identities"), "@reporter "+marker),
		chromedp.Click(chromedp.ID("file-submit")),
		poll(`!!document.getElementById("file-status").textContent`),
	)
	if err != nil {
		t.Fatalf("filing in the page: %v", err)
	}
	public, _ := chromedp.Run(tctx, chromedp.Value(chromedp.ID("keygen-public")))
	caseID, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("file-status").dataset.caseId || ""`))
	if caseID == "" {
		msg, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("file-status")))
		t.Fatalf("filing in the page failed: %s", msg)
	}
	if !model.IsAgeRecipient(public) {
		t.Errorf("page keygen made %q", public)
	}
	// The server got ciphertext the platform's key opens.
	row, err := s.Get(ctx, "cases", caseID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(row.Body, []byte(marker)) {
		t.Fatal("the stored case holds the cleartext")
	}
	view, err := cases.NewService(s, app.Registry).Get(ctx, auth.Actor{Org: ids["x"], Role: auth.Platform}, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var d cases.Details
	if err := cases.OpenJSON(view.Sealed, &d, handler); err != nil {
		t.Fatalf("the platform's key cannot open what the page sealed: %v", err)
	}
	if !strings.Contains(d.Text, marker) || len(d.Identities) != 1 || len(view.Recipients) != 2 {
		t.Errorf("opened %+v, recipients %v", d, view.Recipients)
	}

	// The platform opens, answers and moves the case in the page.
	err = chromedp.Do(tctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`sessionStorage.setItem("candor-token", `+jsString(xToken)+`)`)(ctx, tg)
			return err
		}),
		chromedp.SetValue(chromedp.ID("open-id"), caseID),
		chromedp.SendKeys(chromedp.ID("open-identity"), handler.String()),
		chromedp.Click(chromedp.ID("open-submit")),
		chromedp.WaitVisible(chromedp.ID("case-view")),
		chromedp.SendKeys(chromedp.ID("reply-text"), "We are on it. "+replyMarker),
		chromedp.Click(chromedp.ID("reply-submit")),
		poll(`document.querySelectorAll("#case-messages li").length === 1`),
		chromedp.SetValue(chromedp.ID("status-select"), "in_review"),
		chromedp.Click(chromedp.ID("status-submit")),
		poll(`document.getElementById("case-status").dataset.status === "in_review"`),
	)
	if err != nil {
		out, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("open-status")))
		act, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("case-action-status")))
		t.Fatalf("opening in the page: %v (%s %s)", err, out, act)
	}
	// The platform's list shows the case.
	err = chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("list-load")),
		poll(`document.querySelectorAll("#case-list tbody tr").length === 1`),
	)
	if err != nil {
		t.Fatalf("listing in the page: %v", err)
	}
	listed, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("case-list")))
	if !strings.Contains(listed, caseID) || !strings.Contains(listed, "In review") || !strings.Contains(listed, "Threat to safety") {
		t.Errorf("page list: %q", listed)
	}
	details, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("case-details")))
	messages, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("case-messages")))
	status, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("case-status")))
	if !strings.Contains(details, marker) || !strings.Contains(messages, replyMarker) || status != "In review" {
		t.Errorf("page shows details %q messages %q status %q", details, messages, status)
	}
	if sent := reqs.String(); strings.Contains(sent, marker) || strings.Contains(sent, replyMarker) {
		t.Error("the page sent cleartext to the server")
	} else if !strings.Contains(sent, "BEGIN AGE ENCRYPTED FILE") {
		t.Error("the request log searched holds no ciphertext either")
	}
	if path := os.Getenv("CANDOR_SCREENSHOT"); path != "" {
		png, _ := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		os.WriteFile(path, png, 0o644)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
