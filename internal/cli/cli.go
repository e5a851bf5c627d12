// Package cli holds the candor subcommands; cmd/candor only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
)

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) error
}

// commands lists every subcommand; each lives in its own file.
func commands() []Command {
	return []Command{
		{Name: "serve", Summary: "run the API and the explorer (--demo loads demonstration data)", Run: runServe},
		{Name: "import", Summary: "import files of a public format: candor import <format> FILE...", Run: runImport},
		{Name: "detect", Summary: "find blocking and throttling episodes in stored measurements and write them as events", Run: runDetect},
		{Name: "export", Summary: "write records as NDJSON ({\"collection\", \"record\"} per line), the format 'import ndjson' reads", Run: runExport},
		{Name: "verify", Summary: "check the log and records against a server (--server) or the local database (--db)", Run: runVerify},
		{Name: "evidence", Summary: "write an evidence bundle of records (with proofs and the cosigned checkpoint) that verifies offline", Run: runEvidence},
		{Name: "monitor", Summary: "follow a server's log: consistency, witness quorum and records at every checkpoint; say plainly what went wrong", Run: runMonitor},
		{Name: "witness", Summary: "run a C2SP tlog-witness that cosigns a log's checkpoints (witness serve)", Run: runWitness},
		{Name: "case", Summary: "file, follow and answer sealed cases (keygen, file, list, open, reply, status)", Run: runCase},
		{Name: "token", Summary: "create API tokens (candor token create --org ID --role ROLE)", Run: runToken},
		{Name: "redact", Summary: "erase personal fields of a record (cleartext and salt); its log proofs stay valid", Run: runRedact},
		{Name: "migrate", Summary: "create or upgrade the database schema, then exit", Run: runMigrate},
		{Name: "backup", Summary: "write a consistent copy of the database to a file", Run: runBackup},
	}
}

// command finds a subcommand by name.
func command(name string) (Command, bool) {
	for _, c := range commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

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
			if c, ok := command(args[1]); ok {
				c.Run(ctx, env, []string{"-h"})
				return 0
			}
		}
		usage(env.Stdout)
		return 0
	}
	c, ok := command(args[0])
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
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
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
