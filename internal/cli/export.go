package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/candor-observatory/candor/internal/app"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// exportOrder puts records before those that refer to them.
var exportOrder = []string{"organisations", "authorities", "laws", "demands", "responses"}

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "export", "[--collection NAME] [--out FILE] [--public]")
	db := DBFlag(fs)
	only := fs.String("collection", "", "export only this collection")
	out := fs.String("out", "-", "output file (- for standard output)")
	public := fs.Bool("public", false, "export public records only")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	w := env.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	names := exportOrder
	seen := map[string]bool{}
	for _, n := range exportOrder {
		seen[n] = true
	}
	for _, n := range model.Collections() {
		if !seen[n] {
			names = append(names, n)
		}
	}
	if *only != "" {
		if model.New(*only) == nil {
			return fmt.Errorf("--collection: no collection named %q", *only)
		}
		names = []string{*only}
	}
	vis := auth.System.CanRead()
	if *public {
		vis = []model.Visibility{model.Public}
	}
	total := 0
	for _, c := range names {
		cursor := ""
		for {
			page, err := s.List(ctx, store.Query{Collection: c, Visibility: vis, Cursor: cursor, Limit: 1000, Oldest: true})
			if err != nil {
				return err
			}
			for _, row := range page.Rows {
				line, _ := json.Marshal(struct {
					Collection string          `json:"collection"`
					Record     json.RawMessage `json:"record"`
				}{c, row.Body})
				bw.Write(line)
				bw.WriteByte('\n')
				total++
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d records\n", total)
	return nil
}
