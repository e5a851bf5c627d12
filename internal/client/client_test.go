package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/app/apptest"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/client"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// The client against a real server over a real store: a platform writes a
// demand, anyone reads it back with its proof, and rejections carry the
// server's field errors.
func TestClientAgainstServer(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	f := registrytest.NewFixture(t, db)
	a := apptest.New(t, db, nil)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	token, _, err := auth.NewToken(ctx, db, f.X, auth.Platform, "client test")
	if err != nil {
		t.Fatal(err)
	}
	platform, err := client.New(srv.URL, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	anonymous, _ := client.New(srv.URL + "/")

	d := registrytest.Individual(f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), 4, "order-1")
	w, err := platform.Create(ctx, "demands", d)
	if err != nil {
		t.Fatal(err)
	}
	if w.Collection != "demands" || w.Version != 1 || w.ID == "" || !strings.Contains(string(w.Body), `"source_id":"order-1"`) {
		t.Fatalf("written %+v", w)
	}

	body, err := anonymous.Record(ctx, "demands", w.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		SourceID string `json:"source_id"`
	}
	if err := json.Unmarshal(body, &back); err != nil || back.SourceID != "order-1" {
		t.Fatalf("record %s (%v)", body, err)
	}
	vs, err := anonymous.Versions(ctx, "demands", w.ID)
	if err != nil || len(vs) != 1 || vs[0].Version != 1 || vs[0].LeafIndex == nil {
		t.Fatalf("versions %+v, %v", vs, err)
	}

	if _, err := a.Ledger.Sign(ctx, false); err != nil {
		t.Fatal(err)
	}
	p, err := anonymous.Proof(ctx, "demands", w.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifyInclusion(ledger.LeafHash(p.Leaf), p.LeafIndex, p.TreeSize, p.InclusionProof, p.RootHash); err != nil {
		t.Fatalf("proof from the client: %v", err)
	}
	key, err := anonymous.LogKey(ctx)
	if err != nil || key != a.Ledger.VerifierKey() {
		t.Fatalf("log key %q, %v", key, err)
	}
	cp, err := anonymous.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(key)
	if _, err := note.Open(cp, note.VerifierList(v)); err != nil {
		t.Fatalf("checkpoint from the client: %v", err)
	}

	// A second demand with the same source_id is a conflict; a bad one
	// names its field; an unknown record is a 404.
	_, err = platform.Create(ctx, "demands", d)
	if !client.IsStatus(err, http.StatusConflict) {
		t.Fatalf("duplicate source_id: %v", err)
	}
	bad := registrytest.Individual(f.X, "XX!", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), 4, "order-2")
	_, err = platform.Create(ctx, "demands", bad)
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Validation() == nil ||
		!strings.Contains(e.Validation().Error(), "country") {
		t.Fatalf("invalid demand: %v", err)
	}
	if _, err := anonymous.Record(ctx, "demands", "01H00000000000000000000000", 0); !client.IsStatus(err, http.StatusNotFound) {
		t.Fatalf("missing record: %v", err)
	}
	if _, err := anonymous.Create(ctx, "demands", d); !client.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("anonymous write: %v", err)
	}
	if _, err := client.New("ftp://example.org"); err == nil {
		t.Fatal("a non-http URL was accepted")
	}
}
