package web_test

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/demo"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// One record page of the demo, as a reader's browser gets it: the May 2023
// orders to Twitter in Türkiye, in English and in Turkish. Any change to
// the page shows as a diff of testdata/*.golden.html.
func TestRecordPageGolden(t *testing.T) {
	db := storetest.OpenSQLite(t)
	a := apptest.Demo(t, db)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	path := "/demands/" + demo.ID("demo:tr-2023-05-twitter-election-orders")
	for _, lang := range []string{"en", "tr"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		file := filepath.Join("testdata", "record."+lang+".golden.html")
		if *update {
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from %s; if the change is meant, run go test -update and review the diff", path, file)
		}
	}
}
