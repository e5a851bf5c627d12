package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/store"
)

func runRedact(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "redact", "[--db DSN] --by ORG --reason TEXT collection/id field...")
	db := DBFlag(fs)
	by := fs.String("by", "", "organisation or person on whose authority the data is erased (kept in the audit log)")
	reason := fs.String("reason", "", "why the data is erased (required; kept in the audit log)")
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
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	// Whoever holds the database file acts as its operator.
	operator := auth.Actor{Org: *by, Role: auth.Admin, TokenID: "cli"}
	n, err := app.NewRegistry(s).Redact(ctx, operator, collection, id, fs.Args()[1:], *reason)
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
