package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

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
		f := storetest.NewFixture(t, db)
		f.Reg.LeafInTx = db.Ledger().LeafInTx
		d := storetest.Individual(f.X, "TR", time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC), 3, "ord-1")
		d.Summary = "Order to remove posts by Ayşe Yılmaz"
		res, err := f.Reg.Create(ctx, f.PlatformX, d)
		if err != nil {
			t.Fatal(err)
		}
		row, err := db.Get(ctx, "demands", res.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := db.Ledger().ReadEntries(ctx, *row.LeafIndex, *row.LeafIndex+1)
		if err != nil {
			t.Fatal(err)
		}
		leaf := leaves[0]
		if bytes.Contains(leaf, []byte("Ayşe")) || !bytes.Contains(leaf, []byte(`"summary":{"commitment":"`)) {
			t.Fatalf("leaf holds the cleartext or no commitment: %s", leaf)
		}
		secrets, err := db.Ledger().FieldSecrets(ctx, "demands", res.ID, 1)
		if err != nil || len(secrets) != 1 || secrets[0].Salt == nil {
			t.Fatalf("secrets %+v, %v", secrets, err)
		}
		if rebuilt, err := ledger.RebuildLeaf("demands", row.Body, secrets); err != nil || !bytes.Equal(rebuilt, leaf) {
			t.Fatalf("leaf does not rebuild from the record: %v", err)
		}

		skey, _, _ := note.GenerateKey(rand.Reader, "candor.example/log")
		l, _ := ledger.New(db.Ledger(), skey)
		if _, err := l.Sign(ctx, false); err != nil {
			t.Fatal(err)
		}
		before, err := l.Receipt(ctx, *row.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}

		if _, err := db.Ledger().Redact(ctx, store.AuditEntry{ActorOrg: "admin"}, "demands", res.ID, []string{"country"}); err == nil {
			t.Fatal("redacting a field that is in the log in clear was allowed")
		}
		n, err := db.Ledger().Redact(ctx, store.AuditEntry{ActorOrg: "admin"}, "demands", res.ID, []string{"summary"})
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
		secrets, _ = db.Ledger().FieldSecrets(ctx, "demands", res.ID, 1)
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
			found = found || strings.HasSuffix(a.Action, ".redact")
		}
		if !found {
			t.Fatal("redaction not audited")
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
