package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func init() {
	Register(Command{Name: "backup", Summary: "write a consistent copy of the database to a file", Run: runBackup})
}

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
	if strings.HasPrefix(*db, "postgres") {
		// pg_dump takes a consistent snapshot without stopping writers.
		cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file="+dest, *db)
		cmd.Stdout, cmd.Stderr = env.Stdout, env.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("pg_dump: %w", err)
		}
	} else {
		s, err := OpenStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		// VACUUM INTO copies a consistent snapshot while readers and the writer go on.
		if _, err := s.WriteDB().ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", dest)
	return nil
}
