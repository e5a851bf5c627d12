// Package cli holds the candor subcommands; cmd/candor only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store/postgres"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
)

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]Command{}

// Register adds a subcommand; each lives in its own file.
func Register(c Command) { commands[c.Name] = c }

// Env is what commands share: output streams and the environment.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				c.Run(ctx, env, []string{"-h"})
				return 0
			}
		}
		usage(env.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "candor: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	if err := c.Run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Errors {
				fmt.Fprintf(env.Stderr, "candor %s: %s: %s\n", c.Name, fe.Field, fe.Message)
			}
			return 1
		}
		fmt.Fprintf(env.Stderr, "candor %s: %v\n", c.Name, err)
		var ee *ExitError
		if errors.As(err, &ee) {
			return ee.Code
		}
		return 1
	}
	return 0
}

// ExitError asks for a particular exit code.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

func usage(w io.Writer) {
	fmt.Fprintln(w, "candor: an open, verifiable observatory of government pressure on online platforms")
	fmt.Fprintln(w, "\nUsage: candor <command> [flags] [arguments]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nRun 'candor help <command>' for its flags. Flags may also be set as CANDOR_<FLAG> environment variables.")
}

// NewFlags returns a flag set whose defaults come from CANDOR_* variables.
func NewFlags(env *Env, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: candor %s %s\n\nFlags:\n", name, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args, taking unset flags from CANDOR_<NAME> variables.
func Parse(fs *flag.FlagSet, env *Env, args []string) error {
	set := map[string]bool{}
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		key := "CANDOR_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env.Getenv(key); v != "" {
			if e := fs.Set(f.Name, v); e != nil && err == nil {
				err = fmt.Errorf("%s: %w", key, e)
			}
		}
	})
	return err
}

// DBFlag adds the --db flag.
func DBFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "candor.db", "SQLite file, or a postgres:// URL")
}

// OpenStore opens the store named by --db and runs its migrations.
func OpenStore(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}
