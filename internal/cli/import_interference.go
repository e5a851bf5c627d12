package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/app"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/candor-observatory/candor/internal/importers/citizenlab"
	"github.com/candor-observatory/candor/internal/importers/ioda"
	"github.com/candor-observatory/candor/internal/importers/stop"
	"github.com/candor-observatory/candor/internal/interference"
	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// isTerminal tells whether progress should be drawn on w.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func totalSize(paths []string) int64 {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

func runImportOONI(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "import ooni", "[--db DSN] [--fingerprints DIR] [--no-detect] FILE|DIR...")
	db := DBFlag(fs)
	fpDir := fs.String("fingerprints", "", "directory holding OONI's fingerprints_dns.json and fingerprints_http.json (default: the shared data directory)")
	noDetect := fs.Bool("no-detect", false, "do not run detection after the import")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	paths, err := measurementFiles(fs.Args())
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("no measurement files given")
	}
	sc := &ooni.Scorer{}
	if dnsPath, httpPath, err := interference.FingerprintFiles(*fpDir); err == nil {
		if fp, err := ooni.LoadFingerprints(dnsPath, httpPath); err == nil {
			sc.FP = fp
		} else if *fpDir != "" {
			return err
		}
	}
	if sc.FP == nil {
		fmt.Fprintln(env.Stderr, "candor import ooni: no blocking fingerprints found (--fingerprints): nothing will be scored as confirmed")
	}
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	reg := app.NewRegistry(s)

	opts := ooni.Options{Scorer: sc, OnError: func(e *ooni.LineError) {
		fmt.Fprintf(env.Stderr, "candor import ooni: skipped %v\n", e)
	}}
	var bar *progressbar.ProgressBar
	if !*quiet && isTerminal(env.Stderr) {
		bar = progressbar.NewOptions64(totalSize(paths), progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionShowBytes(true), progressbar.OptionSetDescription("importing measurements"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.Progress = func(read int64) { bar.Set64(read) }
	}
	start := time.Now()
	st, err := interference.ImportOONI(ctx, s, paths, opts)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(env.Stdout, "%d measurements read (%d new, %d discarded as the fastpath discards them, %d malformed) from %d files in %.1fs (%.0f/s)\n",
		st.Measurements, st.New, st.Discarded, st.Malformed, st.Files, secs, float64(st.Measurements)/secs)
	if *noDetect || st.Measurements == 0 {
		return nil
	}
	since, until := st.First.Add(-interference.DetectWindow), st.Last.Add(time.Hour)
	return detectAndReport(ctx, env, s, reg, store.MeasurementQuery{Since: &since, Until: &until})
}

// measurementFiles expands directories into the measurement files under
// them, in name order.
func measurementFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			n := strings.ToLower(d.Name())
			for _, ext := range []string{".json", ".jsonl", ".json.gz", ".jsonl.gz", ".post", ".tar", ".tar.gz", ".tgz"} {
				if strings.HasSuffix(n, ext) && !strings.HasPrefix(n, "fingerprints_") {
					out = append(out, p)
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func detectAndReport(ctx context.Context, env *Env, s store.Store, reg *registry.Registry, q store.MeasurementQuery) error {
	events, res, err := interference.Detect(ctx, s, reg, q, detect.DefaultParams())
	if err != nil {
		return err
	}
	c, u, n := interference.Count(res)
	fmt.Fprintf(env.Stdout, "%d interference events detected (%d new, %d updated, %d unchanged)\n", len(events), c, u, n)
	for _, e := range events {
		end := "ongoing"
		if e.EndedAt != nil {
			end = e.EndedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(env.Stdout, "  %s  %s → %s  %s\n", e.Kind, e.StartedAt.Format(time.RFC3339), end, e.Title)
	}
	return nil
}

func runDetect(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "detect", "[--db DSN] [--since TIME] [--until TIME] [--country CC]")
	db := DBFlag(fs)
	since := fs.String("since", "", "first measurement time to look at (RFC 3339 or YYYY-MM-DD; default: all)")
	until := fs.String("until", "", "look at measurements before this time")
	cc := fs.String("country", "", "only this country (ISO 3166-1 alpha-2)")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	var q store.MeasurementQuery
	var err error
	if q.Since, err = parseTimeFlag("since", *since); err != nil {
		return err
	}
	if q.Until, err = parseTimeFlag("until", *until); err != nil {
		return err
	}
	q.ProbeCC = *cc
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	reg := app.NewRegistry(s)
	return detectAndReport(ctx, env, s, reg, q)
}

func parseTimeFlag(name, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	for _, l := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(l, v); err == nil {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("--%s: %q is not a time (RFC 3339 or YYYY-MM-DD)", name, v)
}

func runImportEvents(format string) func(ctx context.Context, env *Env, args []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlags(env, "import "+format, "[--db DSN] FILE...")
		db := DBFlag(fs)
		if err := Parse(fs, env, args); err != nil {
			return err
		}
		if len(fs.Args()) == 0 {
			return fmt.Errorf("no files given")
		}
		var events []*model.Event
		problems := 0
		for _, p := range fs.Args() {
			var evs []*model.Event
			var probs []error
			var rows int
			switch format {
			case "stop":
				res, err := stop.ReadFile(p)
				if err != nil {
					return err
				}
				evs, probs, rows = res.Events, res.Problems, res.Rows
			case "ioda":
				res, err := ioda.ReadFile(p)
				if err != nil {
					return err
				}
				evs, probs, rows = res.Events, res.Problems, res.Rows
			}
			for _, pr := range probs {
				fmt.Fprintf(env.Stderr, "candor import %s: skipped %v\n", format, pr)
			}
			problems += len(probs)
			fmt.Fprintf(env.Stdout, "%s: %d rows, %d events, %d rows skipped\n", p, rows, len(evs), len(probs))
			events = append(events, evs...)
		}
		events = mergeBySourceID(events)
		s, err := app.OpenStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := interference.KeepSources(ctx, s, events); err != nil {
			return err
		}
		if err := interference.LinkRelated(ctx, s, events); err != nil {
			return err
		}
		res, err := interference.WriteEvents(ctx, app.NewRegistry(s), events)
		if err != nil {
			return err
		}
		c, u, n := interference.Count(res)
		fmt.Fprintf(env.Stdout, "%d events written (%d new, %d updated, %d unchanged)\n", len(res), c, u, n)
		return nil
	}
}

// mergeBySourceID joins the same event read from several files (the STOP
// CSV and XLSX overlap), keeping the first and adding the others' sources.
func mergeBySourceID(events []*model.Event) []*model.Event {
	byID := map[string]*model.Event{}
	var out []*model.Event
	for _, e := range events {
		if first, ok := byID[e.SourceID]; ok && e.SourceID != "" {
			first.Sources = append(first.Sources, e.Sources...)
			continue
		}
		byID[e.SourceID] = e
		out = append(out, e)
	}
	return out
}

func runImportCitizenLab(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "import citizenlab", "[--db DSN] FILE...")
	db := DBFlag(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if len(fs.Args()) == 0 {
		return fmt.Errorf("no files given")
	}
	tags, err := citizenlab.ReadFiles(fs.Args()...)
	if err != nil {
		return err
	}
	for _, p := range tags.Problems {
		fmt.Fprintf(env.Stderr, "candor import citizenlab: skipped %v\n", p)
	}
	var rows []store.DomainCategory
	tags.Each(func(t citizenlab.Tag) {
		rows = append(rows, store.DomainCategory{Domain: t.Domain, Category: t.Category, List: t.List})
	})
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.PutDomainCategories(ctx, rows); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d domains tagged with %d categories (%s)\n", tags.Len(), len(rows), citizenlab.Attribution)
	return nil
}
