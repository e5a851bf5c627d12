package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/candor-observatory/candor/internal/app"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "backup", "[--db DSN] FILE")
	db := DBFlag(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: candor backup [--db DSN] FILE")
	}
	dest := fs.Arg(0)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists; choose a new file", dest)
	}
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", dest)
	return nil
}
