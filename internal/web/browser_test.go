package web

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"net/http"

	"github.com/candor-observatory/candor/internal/demo"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var screenshots = flag.String("screenshots", "", "write screenshots of the main pages in every language into this folder")

// chromiumPath is Debian's chromium, or CANDOR_CHROMIUM.
func chromiumPath(t *testing.T) string {
	p := os.Getenv("CANDOR_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("browser tests need Chromium at %s (apt-get install chromium, or set CANDOR_CHROMIUM): %v", p, err)
	}
	return p
}

// browser serves the fixture and opens a headless Chromium on it. Every
// request the browser makes is recorded.
type browser struct {
	ctx      context.Context
	base     string
	mu       sync.Mutex
	requests []string
	f        *fixture
	// platforms maps the demo platforms' slugs to their ids.
	platforms map[string]string
}

func newBrowser(t *testing.T) *browser {
	chromiumPath(t)
	f := newFixture(t)
	return openBrowser(t, explorerFor(f), f)
}

// newDemoBrowser serves the demonstration data of candor serve --demo.
func newDemoBrowser(t *testing.T) *browser {
	chromiumPath(t)
	db := storetest.OpenSQLite(t)
	if _, err := demo.Load(context.Background(), registry.New(db)); err != nil {
		t.Fatal(err)
	}
	s := New(&StoreReader{S: db})
	b := openBrowser(t, s, nil)
	platforms, err := s.platformNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b.platforms = map[string]string{}
	for id, o := range platforms {
		b.platforms[o.Slug] = id
	}
	return b
}

func openBrowser(t *testing.T, h http.Handler, f *fixture) *browser {
	path := chromiumPath(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{base: srv.URL, f: f}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		var u string
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			u = e.Request.URL
		case network.EventRequestWillBeSent:
			u = e.Request.URL
		default:
			return
		}
		b.mu.Lock()
		b.requests = append(b.requests, u)
		b.mu.Unlock()
	}))
	t.Cleanup(func() { cancelC(); cancelA() })
	var cancelT context.CancelFunc
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Bound every later step, so a missing element fails the test instead of
	// waiting forever (the browser itself lives as long as ctx).
	b.ctx, cancelT = context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelT)
	return b
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	return value(t, b, chromedp.Text(chromedp.CSS(sel)))
}

func value[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkOrigins fails on any request to another origin than the server's.
func (b *browser) checkOrigins(t *testing.T) {
	t.Helper()
	base, _ := url.Parse(b.base)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		t.Fatal("no request was recorded; the network listener is not working")
	}
	for _, r := range b.requests {
		if strings.HasPrefix(r, "data:") {
			continue // the browser's own icons (the date picker's), never fetched from anywhere
		}
		u, err := url.Parse(r)
		if err != nil || u.Scheme+"://"+u.Host != base.Scheme+"://"+base.Host {
			t.Errorf("request to another origin: %s", r)
		}
	}
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	ids := b.f.IDs

	t.Run("page kinds", func(t *testing.T) {
		for _, c := range []struct{ path, sel, want string }{
			{"/?lang=en", "h1", "country by country"},
			{"/countries/TR", "h1", "Türkiye"},
			{"/countries/TR", "#interference-cap", "Network measurements"},
			{"/platforms/" + ids["twitter"], "h1", "X (Twitter)"},
			{"/laws/" + ids["7418"], "h1", "Law No. 7418"},
			{"/demands/" + ids["order2"], "main", "Criminal Judgeship of Peace"},
			{"/events/" + ids["fb-vn"], "h1", "Facebook's local servers offline"},
			{"/periods/" + ids["election"], "h1", "Seçimler"},
			{"/search?collection=authorities", "#results", "Sulh Ceza"},
		} {
			b.run(t, chromedp.Navigate(b.base+c.path))
			if got := b.text(t, c.sel); !strings.Contains(got, c.want) {
				t.Errorf("%s %s: %q lacks %q", c.path, c.sel, got, c.want)
			}
		}
	})

	t.Run("charts have a table", func(t *testing.T) {
		b.run(t, chromedp.Navigate(b.base+"/countries/TR"))
		n := value(t, b, chromedp.Evaluate[int](`document.querySelectorAll("figure svg[role=img] title").length`))
		if n < 3 {
			t.Errorf("%d labelled charts, want 3", n)
		}
		b.run(t, chromedp.Click(chromedp.CSS("#interference-cap + svg + details summary")))
		if got := b.text(t, "#interference-cap ~ details table"); !strings.Contains(got, "X (Twitter)") {
			t.Errorf("interference table: %q", got)
		}
	})

	t.Run("language switch persists", func(t *testing.T) {
		b.run(t, chromedp.Navigate(b.base+"/?lang=en"), chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="tr"]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="tr"]`)))
		if got := b.text(t, "h1"); !strings.Contains(got, "Ülke ülke") {
			t.Errorf("after switching to Turkish: %q", got)
		}
		// The choice is remembered on a page reached without ?lang=.
		b.run(t, chromedp.Navigate(b.base+"/countries/VN"))
		if got := b.text(t, "#timeline-h"); got != "Baskı zaman çizelgesi" {
			t.Errorf("Turkish not kept: %q", got)
		}
		b.run(t, chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="vi"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="vi"]`)))
		if got := b.text(t, "h1"); got != "Việt Nam" {
			t.Errorf("Vietnamese page h1 %q", got)
		}
		b.run(t, chromedp.Navigate(b.base+"/?lang=en"))
	})

	t.Run("filter and search", func(t *testing.T) {
		b.run(t, chromedp.Navigate(b.base+"/"),
			chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "viet"),
			chromedp.Submit(chromedp.CSS(`input[name="q"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="q"][value="viet"]`)))
		if got := b.text(t, "#countries tbody"); !strings.Contains(got, "Vietnam") || strings.Contains(got, "Türkiye") {
			t.Errorf("filtered countries: %q", got)
		}
		// Sort by compliance rate, highest first, by the column header link.
		b.run(t, chromedp.Navigate(b.base+"/"), chromedp.Click(chromedp.CSS(`th a[href*="sort=rate"]`)),
			chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="descending"]`)))
		if got := b.text(t, "#countries tbody tr:first-child th"); got != "Vietnam" {
			t.Errorf("highest compliance first: %q", got)
		}
		b.run(t, chromedp.Navigate(b.base+"/search"),
			chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "erisim engeli"),
			chromedp.SetValue(chromedp.CSS(`select[name="collection"]`), "demands"),
			chromedp.SendKeys(chromedp.CSS(`input[name="country"]`), "TR"),
			chromedp.Submit(chromedp.CSS(`input[name="q"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="q"][value="erisim engeli"]`)))
		rows := value(t, b, chromedp.Evaluate[int](`document.querySelectorAll("#results tbody a[href^='/demands/']").length`))
		if rows != 5 {
			t.Errorf("search found %d demands, want the 5 orders", rows)
		}
		// The timeline filter keeps only the chosen kinds.
		b.run(t, chromedp.Navigate(b.base+"/countries/TR"),
			chromedp.Click(chromedp.CSS(`input[name="show"][value="demands"]`)),
			chromedp.Click(chromedp.CSS(`input[name="show"][value="aggregates"]`)),
			chromedp.Click(chromedp.CSS(`input[name="show"][value="responses"]`)),
			chromedp.Submit(chromedp.CSS(`input[name="show"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="show"][value="demands"]:not([checked])`)))
		kinds := value(t, b, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll("ol.timeline li")].map(li => li.className))].sort()`))
		if strings.Join(kinds, ",") != "t-events,t-laws,t-periods" {
			t.Errorf("timeline kinds after filtering: %v", kinds)
		}
	})

	t.Run("timeline to record", func(t *testing.T) {
		b.run(t, chromedp.Navigate(b.base+"/countries/TR"),
			chromedp.Click(chromedp.CSS(`ol.timeline li.t-events a`)),
			chromedp.WaitVisible(chromedp.CSS(`#sources-h`)))
		loc := value(t, b, chromedp.Location())
		if !strings.Contains(loc, "/events/"+ids["quake"]) {
			t.Errorf("followed the timeline to %s", loc)
		}
		if got := b.text(t, "h1"); got != "Twitter throttled after the earthquake" {
			t.Errorf("record h1 %q", got)
		}
		// And from a law on the timeline to its versions and their diff.
		b.run(t, chromedp.Navigate(b.base+"/countries/TR"),
			chromedp.Click(chromedp.CSS(`ol.timeline li.t-laws a[href="/laws/`+ids["5651"]+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#versions-h`)),
			chromedp.Click(chromedp.CSS(`a[href$="diff=1"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#diff`)))
		if got := b.text(t, "table.diff"); !strings.Contains(got, "amended") {
			t.Errorf("diff %q", got)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		b.run(t, chromedp.Navigate(b.base+"/countries/TR"), chromedp.KeyEvent(kb.Tab))
		cls := value(t, b, chromedp.Evaluate[string](`document.activeElement.className`))
		if cls != "skip" {
			t.Errorf("first Tab focuses %q, want the skip link", cls)
		}
		b.run(t, chromedp.KeyEvent(kb.Enter))
		id := value(t, b, chromedp.Evaluate[string](`document.activeElement.id`))
		if id != "main" {
			t.Errorf("skip link moved focus to %q", id)
		}
	})

	t.Run("no other origin", func(t *testing.T) { b.checkOrigins(t) })
}

// TestBrowserDemo reads the demonstration data in every language and
// follows each country's timeline to a record.
func TestBrowserDemo(t *testing.T) {
	b := newDemoBrowser(t)
	for _, lang := range []string{"en", "tr", "vi"} {
		b.run(t, chromedp.Navigate(b.base+"/?lang="+lang))
		rows := value(t, b, chromedp.Evaluate[int](`document.querySelectorAll("#countries tbody tr").length`))
		if rows < 2 {
			t.Errorf("%s: home lists %d countries", lang, rows)
		}
		for _, cc := range []string{"TR", "VN"} {
			b.run(t, chromedp.Navigate(b.base+"/countries/"+cc),
				chromedp.Click(chromedp.CSS(`ol.timeline li:not(.t-aggregates) a`)),
				chromedp.WaitVisible(chromedp.CSS(`#sources-h`)))
			if got := b.text(t, "#sources-h + ol"); !strings.Contains(got, "http") && got == "" {
				t.Errorf("%s %s: record without sources", lang, cc)
			}
			if lang != "en" && b.text(t, "#fields-h") == "Details" {
				t.Errorf("%s: record page in English", lang)
			}
		}
		b.run(t, chromedp.Navigate(b.base+"/platforms/"+b.platforms["x"]))
		if got := b.text(t, "h1"); !strings.Contains(got, "Twitter") {
			t.Errorf("%s: platform page h1 %q", lang, got)
		}
	}
	b.checkOrigins(t)
}

// TestScreenshots writes the home, country (TR, VN) and platform pages in
// every language: go test ./internal/web -run Screenshots -screenshots=DIR
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("pass -screenshots=DIR to write screenshots")
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := newDemoBrowser(t)
	pages := map[string]string{"home": "/", "country-TR": "/countries/TR", "country-VN": "/countries/VN",
		"platform-x": "/platforms/" + b.platforms["x"], "platform-meta": "/platforms/" + b.platforms["meta"]}
	n := 0
	for name, path := range pages {
		for _, lang := range []string{"en", "tr", "vi"} {
			b.run(t, chromedp.Navigate(b.base+path+"?lang="+lang))
			png := value(t, b, chromedp.FullScreenshot(100))
			file := filepath.Join(*screenshots, fmt.Sprintf("%s.%s.png", name, lang))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	t.Logf("wrote %d screenshots to %s", n, *screenshots)
	b.checkOrigins(t)
}
