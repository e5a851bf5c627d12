package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// ImportFormat is one format 'candor import' reads.
type ImportFormat struct {
	Name, Summary string
	Run           func(ctx context.Context, env *Env, args []string) error
}

// importFormats lists every format 'candor import' reads, by name.
func importFormats() map[string]ImportFormat {
	formats := map[string]ImportFormat{
		"ooni":       {Name: "ooni", Summary: "OONI measurements (.json, .post, .jsonl, .jsonl.gz, tar of them); then detect", Run: runImportOONI},
		"stop":       {Name: "stop", Summary: "Access Now #KeepItOn STOP shutdown data (.csv, .csv.gz, .xlsx) as events", Run: runImportEvents("stop")},
		"ioda":       {Name: "ioda", Summary: "the curated IODA outage list (.csv) as events", Run: runImportEvents("ioda")},
		"citizenlab": {Name: "citizenlab", Summary: "Citizen Lab test lists (.csv): category tags of domains", Run: runImportCitizenLab},
	}
	for _, f := range recordFormats {
		formats[f.Name] = ImportFormat{Name: f.Name, Summary: f.Description, Run: runImportRecords(f)}
	}
	return formats
}

func runImport(ctx context.Context, env *Env, args []string) error {
	importFormats := importFormats()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stderr, "Usage: candor import <format> [flags] FILE...\n\nFormats:")
		names := make([]string, 0, len(importFormats))
		for n := range importFormats {
			names = append(names, n)
		}
		sort.Strings(names)
		width := 0
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-*s  %s\n", width, n, importFormats[n].Summary)
		}
		if len(args) == 0 {
			return fmt.Errorf("a format is required")
		}
		return nil
	}
	// The format may come before or after the flags: "import ooni --db x
	// FILE" and "import --db x ooni FILE" are the same.
	at := -1
	for i, a := range args {
		if _, ok := importFormats[a]; ok {
			at = i
			break
		}
	}
	if at < 0 {
		names := make([]string, 0, len(importFormats))
		for n := range importFormats {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("no known format in %q; one of %s", strings.Join(args, " "), strings.Join(names, ", "))
	}
	rest := append(append([]string{}, args[:at]...), args[at+1:]...)
	return importFormats[args[at]].Run(ctx, env, rest)
}
