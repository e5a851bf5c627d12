package cli

import (
	"context"
	"fmt"

	"github.com/candor-observatory/candor/internal/app"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "migrate", "[--db DSN]")
	db := DBFlag(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(env.Stdout, "schema of %s is up to date\n", *db)
	return nil
}
