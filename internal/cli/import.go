package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

func init() {
	Register(Command{Name: "import", Summary: "import files of a public format: " + "candor import <format> FILE...", Run: runImport})
}

// ImportFormat is one format 'candor import' reads.
type ImportFormat struct {
	Name, Summary string
	Run           func(ctx context.Context, env *Env, args []string) error
}

var importFormats = map[string]ImportFormat{}

// RegisterImport adds a format to 'candor import'; each lives in its own file.
func RegisterImport(f ImportFormat) { importFormats[f.Name] = f }

func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stderr, "Usage: candor import <format> [flags] FILE...\n\nFormats:")
		names := make([]string, 0, len(importFormats))
		for n := range importFormats {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-11s %s\n", n, importFormats[n].Summary)
		}
		if len(args) == 0 {
			return fmt.Errorf("a format is required")
		}
		return nil
	}
	f, ok := importFormats[args[0]]
	if !ok {
		names := make([]string, 0, len(importFormats))
		for n := range importFormats {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown format %q; one of %s", args[0], strings.Join(names, ", "))
	}
	return f.Run(ctx, env, args[1:])
}
