package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/importers/google"
	"github.com/candor-observatory/candor/internal/importers/loader"
	"github.com/candor-observatory/candor/internal/importers/meta"
	"github.com/candor-observatory/candor/internal/importers/ndjson"
	"github.com/candor-observatory/candor/internal/importers/x"
)

// recordFormats are the formats whose readers yield registry records.
var recordFormats = []importers.Format{google.Removals, google.UserData, x.InfoRequests, meta.Facebook2013, ndjson.Format}

// runImportRecords imports files of a format whose reader yields registry
// records, each file in one transaction.
func runImportRecords(format importers.Format) func(ctx context.Context, env *Env, args []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlags(env, "import "+format.Name, "[--db DSN] FILE...\n\n"+format.Description)
		db := DBFlag(fs)
		batch := fs.Int("batch", loader.DefaultBatch, "records per registry batch")
		if err := Parse(fs, env, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			fs.Usage()
			return &ExitError{Code: 2, Err: fmt.Errorf("at least one file is required")}
		}
		s, err := app.OpenStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		l := &loader.Loader{Registry: app.NewRegistry(s), Actor: auth.System, Batch: *batch}
		for _, path := range fs.Args() {
			sum, err := importFile(ctx, env, l, format, path)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %d records read: %d created, %d updated, %d unchanged\n",
				sum.File, sum.Read, sum.Created, sum.Updated, sum.Unchanged)
		}
		return nil
	}
}

// importFile loads one file in one transaction, showing progress when
// standard error is a terminal.
func importFile(ctx context.Context, env *Env, l *loader.Loader, format importers.Format, path string) (*loader.Summary, error) {
	file, err := importers.HashFile(path)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if isTerminal(env.Stderr) {
		st, err := fh.Stat()
		if err != nil {
			return nil, err
		}
		bar := progressbar.NewOptions64(st.Size(),
			progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription(file.Name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish(),
		)
		defer bar.Exit()
		pr := progressbar.NewReader(fh, bar)
		r = &pr
	}
	return l.Load(ctx, format, r, file)
}
