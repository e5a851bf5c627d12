package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/demo"
)

// serveDemo runs `candor serve --demo` on a free port and returns its base
// URL, what it logged, and a function that stops it.
func serveDemo(t *testing.T, dbPath string) (string, *strings.Builder, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	logs := &strings.Builder{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--demo", "--db", dbPath, "--addr", "127.0.0.1:0"},
			&Env{Stdout: outW, Stderr: logs, Getenv: func(string) string { return "" }})
		outW.Close()
	}()
	stop := func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d: %s", code, logs)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed nothing (%v); stderr: %s", err, logs)
	}
	go io.Copy(io.Discard, out)
	base, _, ok := strings.Cut(strings.TrimPrefix(line, "Candor is serving on "), " ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		stop()
		t.Fatalf("unexpected first line %q", line)
	}
	return base, logs, stop
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %s %s", url, res.Status, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "candor.db")
	recs, err := demo.Records()
	if err != nil {
		t.Fatal(err)
	}

	for run := 1; run <= 2; run++ {
		base, logs, stop := serveDemo(t, db)
		var laws struct {
			Data []struct {
				ID        string `json:"id"`
				ShortName string `json:"short_name"`
				Version   int    `json:"version"`
			} `json:"data"`
		}
		getJSON(t, base+"/api/v1/laws?country=TR&limit=100", &laws)
		found := false
		for _, l := range laws.Data {
			if l.ShortName == "Law No. 7253" {
				found = l.ID == demo.ID("demo:tr-law-7253") && l.Version == 1
			}
		}
		if !found {
			t.Fatalf("run %d: Law No. 7253 not served with its demo id at version 1: %+v", run, laws.Data)
		}
		var resp struct {
			Outcome string `json:"outcome"`
			Counts  struct {
				ContentWithheld struct {
					Value int `json:"value"`
				} `json:"content_withheld"`
			} `json:"counts"`
		}
		getJSON(t, base+"/api/v1/responses/"+demo.ID("demo:tr-2023-05-twitter-election-response"), &resp)
		if resp.Outcome != "complied_partial" || resp.Counts.ContentWithheld.Value != 409 {
			t.Fatalf("run %d: Twitter election response %+v", run, resp)
		}
		// The first start writes every record; the second finds them all
		// unchanged.
		stop()
		want := "new_or_changed_records=" + strconv.Itoa(len(recs))
		if run == 2 {
			want = "new_or_changed_records=0"
		}
		if !strings.Contains(logs.String(), want) {
			t.Errorf("run %d: log lacks %s:\n%s", run, want, logs)
		}
	}
}
