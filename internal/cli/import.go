package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/importers/google"
	"github.com/candor-observatory/candor/internal/importers/meta"
	"github.com/candor-observatory/candor/internal/importers/ndjson"
	"github.com/candor-observatory/candor/internal/importers/x"
	"github.com/candor-observatory/candor/internal/registry"
)

// importFormats are the formats 'candor import' reads.
var importFormats = []importers.Format{
	google.Removals, google.UserData, x.InfoRequests, meta.Facebook2013, ndjson.Format,
}

func init() {
	Register(Command{Name: "import", Summary: "import files (google-removals, google-user-data, x-info-requests, facebook-2013, ndjson)", Run: runImport})
}

func runImport(ctx context.Context, env *Env, args []string) error {
	var names []string
	for _, f := range importFormats {
		names = append(names, f.Name)
	}
	fs := NewFlags(env, "import", "[--db DSN] FORMAT FILE...\n\nFormats:\n"+formatList())
	db := DBFlag(fs)
	batch := fs.Int("batch", importers.DefaultBatch, "records per registry batch")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return &ExitError{Code: 2, Err: fmt.Errorf("want a format (%s) and at least one file", strings.Join(names, ", "))}
	}
	var format *importers.Format
	for i := range importFormats {
		if importFormats[i].Name == fs.Arg(0) {
			format = &importFormats[i]
		}
	}
	if format == nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("unknown format %q; one of %s", fs.Arg(0), strings.Join(names, ", "))}
	}
	s, err := OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	l := &importers.Loader{Registry: registry.New(s), Actor: auth.System, Batch: *batch}
	for _, path := range fs.Args()[1:] {
		sum, err := importFile(ctx, env, l, *format, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %d records read: %d created, %d updated, %d unchanged\n",
			sum.File, sum.Read, sum.Created, sum.Updated, sum.Unchanged)
	}
	return nil
}

func formatList() string {
	var b strings.Builder
	for _, f := range importFormats {
		fmt.Fprintf(&b, "  %-17s %s\n", f.Name, f.Description)
	}
	return b.String()
}

// importFile loads one file in one transaction, showing progress when
// standard error is a terminal.
func importFile(ctx context.Context, env *Env, l *importers.Loader, format importers.Format, path string) (*importers.Summary, error) {
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
	if terminal(env.Stderr) {
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

func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
