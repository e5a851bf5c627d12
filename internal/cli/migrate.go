package cli

import (
	"context"
	"fmt"
)

func init() {
	Register(Command{Name: "migrate", Summary: "create or upgrade the database schema, then exit", Run: runMigrate})
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "migrate", "[--db DSN]")
	db := DBFlag(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	s, err := OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(env.Stdout, "schema of %s is up to date\n", *db)
	return nil
}
