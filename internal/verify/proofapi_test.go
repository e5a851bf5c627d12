package verify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/registry/registrytest"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestProofEndpoint(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	w := start(t, db)
	w.add(t, 3)
	get := func(path string) (int, []byte) {
		resp, err := http.Get(w.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, b := get("/api/v1/" + w.ids[0] + "/proof")
	if code != 200 {
		t.Fatalf("proof: %d %s", code, b)
	}
	var p ledger.RecordProof
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Witnessed || p.TreeSize < 3 || len(p.FieldSecrets) != 1 || p.Receipt == "" {
		t.Fatalf("proof %+v", p)
	}
	if err := ledger.VerifyInclusion(ledger.LeafHash(p.Leaf), p.LeafIndex, p.TreeSize, p.InclusionProof, p.RootHash); err != nil {
		t.Fatalf("served inclusion proof: %v", err)
	}

	resp0, err := http.Get(w.srv.URL + "/api/v1/" + w.ids[0])
	if err != nil {
		t.Fatal(err)
	}
	resp0.Body.Close()
	if got := resp0.Header.Get("Candor-Log-Status"); got != "signed" {
		t.Fatalf("Candor-Log-Status %q, want signed (no witnesses configured)", got)
	}

	// A members-only record is not in the log; an anonymous caller cannot see it at all.
	d := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), 1, "hidden")
	d.Visibility = model.Members
	res, err := w.f.Reg.Create(ctx, w.f.PlatformX, d)
	if err != nil {
		t.Fatal(err)
	}
	if code, b := get("/api/v1/demands/" + res.ID + "/proof"); code != 404 {
		t.Fatalf("members-only record: %d %s", code, b)
	}

	// A record written but not yet in a signed checkpoint: retry later.
	d2 := registrytest.Individual(w.f.X, "TR", time.Date(2023, 5, 2, 0, 0, 0, 0, time.UTC), 1, "fresh")
	res, err = w.f.Reg.Create(ctx, w.f.PlatformX, d2)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(w.srv.URL + "/api/v1/demands/" + res.ID + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("uncovered record: %d", resp.StatusCode)
	}
	time.Sleep(1100 * time.Millisecond) // past the coverage cache
	resp, err = http.Get(w.srv.URL + "/api/v1/demands/" + res.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Candor-Log-Status"); got != "pending" {
		t.Fatalf("Candor-Log-Status %q, want pending", got)
	}
	if code, _ := get("/api/v1/demands/01J0000000000000000000000Z/proof"); code != 404 {
		t.Fatalf("unknown record: %d", code)
	}
}
