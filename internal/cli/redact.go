package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/candor-observatory/candor/internal/store"
)

func init() {
	Register(Command{Name: "redact", Summary: "erase personal fields of a record (cleartext and salt); its log proofs stay valid", Run: runRedact})
}

func runRedact(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "redact", "[--db DSN] [--by ORG] collection/id field...")
	db := DBFlag(fs)
	by := fs.String("by", "", "organisation or person on whose authority the data is erased (kept in the audit log)")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return errors.New("usage: candor redact collection/id field... (e.g. demands/01J... summary)")
	}
	collection, id, ok := strings.Cut(fs.Arg(0), "/")
	if !ok {
		return fmt.Errorf("%q: write the record as collection/id", fs.Arg(0))
	}
	s, err := OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Ledger().Redact(ctx, store.AuditEntry{ActorOrg: *by}, collection, id, fs.Args()[1:])
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no record %s/%s", collection, id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "erased %s from %d versions of %s/%s; the log and its proofs are unchanged\n",
		strings.Join(fs.Args()[1:], ", "), n, collection, id)
	return nil
}
