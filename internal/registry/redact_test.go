package registry_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/registry/registrytest"

	sumdbnote "golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// TestRedaction: a personal field enters the log as a salted commitment;
// redaction erases cleartext and salt, the record says so, and the
// inclusion proof of its leaf still holds.
func TestRedaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := registrytest.NewFixture(t, db)
		d := registrytest.Individual(f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), 3, "ord-1")
		d.Summary = "Order to remove posts by Ayşe Yılmaz"
		res, err := f.Reg.Create(ctx, f.PlatformX, d)
		if err != nil {
			t.Fatal(err)
		}
		row, err := db.Get(ctx, "demands", res.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := db.ReadEntries(ctx, *row.LeafIndex, *row.LeafIndex+1)
		if err != nil {
			t.Fatal(err)
		}
		leaf := leaves[0]
		if bytes.Contains(leaf, []byte("Ayşe")) || !bytes.Contains(leaf, []byte(`"summary":{"commitment":"`)) {
			t.Fatalf("leaf holds the cleartext or no commitment: %s", leaf)
		}
		salts, err := db.FieldSalts(ctx, "demands", res.ID, 1)
		secrets := ledger.SecretsOf(salts)
		if err != nil || len(secrets) != 1 || secrets[0].Salt == nil {
			t.Fatalf("secrets %+v, %v", secrets, err)
		}
		if rebuilt, err := ledger.RebuildLeaf("demands", row.Body, secrets); err != nil || !bytes.Equal(rebuilt, leaf) {
			t.Fatalf("leaf does not rebuild from the record: %v", err)
		}

		skey, _, _ := sumdbnote.GenerateKey(rand.Reader, "candor.example/log")
		l, _ := ledger.New(db, skey)
		if _, err := l.Sign(ctx, false); err != nil {
			t.Fatal(err)
		}
		before, err := l.Receipt(ctx, *row.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}

		admin := auth.Actor{Org: "candor-operators", Role: auth.Admin, TokenID: "tok-admin"}
		if _, err := f.Reg.Redact(ctx, admin, "demands", res.ID, []string{"country"}, "named a person"); err == nil {
			t.Fatal("redacting a field that is in the log in clear was allowed")
		}
		if _, err := f.Reg.Redact(ctx, admin, "demands", res.ID, []string{"summary"}, " "); err == nil || !strings.Contains(err.Error(), "reason") {
			t.Fatalf("redaction without a reason: %v", err)
		}
		if _, err := f.Reg.Redact(ctx, f.PlatformX, "demands", res.ID, []string{"summary"}, "mine"); !errors.Is(err, registry.ErrForbidden) {
			t.Fatalf("a platform token redacted a record: %v", err)
		}
		n, err := f.Reg.Redact(ctx, admin, "demands", res.ID, []string{"summary"}, "the order names a private person")
		if err != nil || n != 1 {
			t.Fatalf("redact: %d versions, %v", n, err)
		}
		row, _ = db.Get(ctx, "demands", res.ID, 0)
		if bytes.Contains(row.Body, []byte("Ayşe")) || !bytes.Contains(row.Body, []byte(`"redacted_fields":["summary"]`)) {
			t.Fatalf("body after redaction: %s", row.Body)
		}
		var back model.Demand
		if err := json.Unmarshal(row.Body, &back); err != nil || back.Summary != "" {
			t.Fatalf("redacted body does not read as a demand: %v", err)
		}
		salts, _ = db.FieldSalts(ctx, "demands", res.ID, 1)
		secrets = ledger.SecretsOf(salts)
		if len(secrets) != 1 || secrets[0].Salt != nil || !secrets[0].Redacted {
			t.Fatalf("salt not erased: %+v", secrets)
		}
		rebuilt, err := ledger.RebuildLeaf("demands", row.Body, secrets)
		if err != nil || !bytes.Equal(rebuilt, leaf) {
			t.Fatalf("redacted record no longer rebuilds its leaf: %v", err)
		}
		_, cp, _ := l.Checkpoint(ctx)
		if err := ledger.VerifyInclusion(ledger.LeafHash(rebuilt), before.Index, cp.Size, hashesOf(before.Hashes), cp.Hash); err != nil {
			t.Fatalf("proof after redaction: %v", err)
		}
		page, err := db.List(ctx, store.Query{Collection: "demands", Q: "ayse"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) != 0 {
			t.Fatal("full-text search still finds the erased name")
		}
		audit, _ := db.Audit(ctx, store.AuditQuery{RecordID: res.ID})
		found := false
		for _, a := range audit {
			found = found || (a.Action == "demands.redact" && a.ActorOrg == admin.Org && a.ActorToken == admin.TokenID &&
				a.Detail == "erased summary: the order names a private person")
		}
		if !found {
			t.Fatalf("redaction not audited with its actor and reason: %+v", audit)
		}
	})
}

func hashesOf(hs [][32]byte) []ledger.Hash {
	out := make([]ledger.Hash, len(hs))
	for i := range hs {
		out[i] = hs[i]
	}
	return out
}
