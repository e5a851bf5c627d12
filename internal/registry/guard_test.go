package registry_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// note is a sealed record with a public part, written only under a guard.
type note struct {
	model.Meta
	Public string `json:"public"`
	Secret string `json:"secret,omitempty"`
}

func (*note) Collection() string { return "guarded_notes" }
func (n *note) Validate(v *model.Validator) {
	if n.Visibility == "" {
		n.Visibility = model.Sealed
	}
}
func (n *note) Index() model.Index       { return model.Index{Owner: "org-a", Text: []string{n.Public}} }
func (n *note) PublicPart() model.Record { p := *n; p.Secret = ""; return &p }
func (n *note) AuditDetail() string      { return "public=" + n.Public }

func noteGuard(ctx context.Context, tx store.Tx, a auth.Actor, rec model.Record, cur *store.Row) error {
	n := rec.(*note)
	switch {
	case a.Org != "org-a":
		return &registry.ForbiddenError{Reason: "only org-a"}
	case cur != nil && !bytes.Contains(cur.Body, []byte(`"public":"v1"`)):
		return &registry.ForbiddenError{Reason: "the guard did not see the current version"}
	case n.Public == "refuse":
		return model.Invalid("public", "refused by the guard")
	}
	return nil
}

func TestGuardPublicPartAndAuditDetail(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	a := auth.Actor{Org: "org-a", Role: auth.CivilSociety, TokenID: "t"}
	// Without its guard a guarded collection is refused, whoever writes.
	if _, err := registry.New(s).Create(ctx, auth.Actor{Org: "org-a", Role: auth.Admin}, &note{Public: "v1"}); !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("a registry without the guard wrote a guarded record: %v", err)
	}
	reg := registry.New(s, registry.WithGuard("guarded_notes", noteGuard))
	// Neither the writers table nor the owner rule applies; the guard does.
	if _, err := reg.Create(ctx, auth.Actor{Org: "org-b", Role: auth.Admin}, &note{Public: "v1"}); !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("guard not consulted on create: %v", err)
	}
	res, err := reg.Create(ctx, a, &note{Public: "v1", Secret: "SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Update(ctx, a, res.ID, &note{Public: "refuse"}); err == nil || !strings.Contains(err.Error(), "refused by the guard") {
		t.Fatalf("guard not consulted on update: %v", err)
	}
	if _, err := reg.Update(ctx, a, res.ID, &note{Public: "v2", Secret: "SECRET2"}); err != nil {
		t.Fatalf("update with the current version seen by the guard: %v", err)
	}
	n, _ := s.EntryCount(ctx)
	leaves, err := s.ReadEntries(ctx, 0, n)
	if err != nil || len(leaves) != 2 {
		t.Fatalf("a sealed record with a public part has %d leaves (%v)", len(leaves), err)
	}
	if !bytes.Contains(leaves[0], []byte(`"public":"v1"`)) || bytes.Contains(leaves[0], []byte("SECRET")) || bytes.Contains(leaves[1], []byte("SECRET")) {
		t.Errorf("leaves %s / %s", leaves[0], leaves[1])
	}
	row, _ := s.Get(ctx, "guarded_notes", res.ID, 0)
	if !bytes.Contains(row.Body, []byte("SECRET2")) || row.LeafIndex == nil || *row.LeafIndex != 1 {
		t.Errorf("stored version %s leaf %v", row.Body, row.LeafIndex)
	}
	audit, _ := s.Audit(ctx, store.AuditQuery{RecordID: res.ID})
	if len(audit) != 2 || audit[0].Detail != "public=v2" || audit[1].Detail != "public=v1" {
		t.Errorf("audit %+v", audit)
	}
}
