package interference

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/store"
)

// measurementExts are the names of files that hold measurements.
var measurementExts = []string{".json", ".jsonl", ".json.gz", ".jsonl.gz", ".post", ".tar", ".tar.gz", ".tgz"}

func isMeasurementFile(name string) bool {
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "fingerprints_") || strings.HasPrefix(n, ".") {
		return false
	}
	for _, ext := range measurementExts {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// MeasurementFiles expands directories into the measurement files under
// them, in name order; files are taken as given.
func MeasurementFiles(args []string) ([]string, error) {
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
			if !d.IsDir() && isMeasurementFile(d.Name()) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FollowedFile is one file a followed directory yielded.
type FollowedFile struct {
	Path  string
	Stats ImportStats
	Err   error
}

// Follow imports the measurement files that appear in dir until ctx is
// done, feeding them to the stream. The directory is read every interval;
// a file is taken once its size and modification time stayed the same
// over one interval, so that one still being written is not read half.
// Files already there when it starts are taken too (their measurements
// are stored once however often they are read). A file that fails is
// reported and not retried until it changes. Memory holds one file's
// batches in flight and one entry per file in the directory.
func Follow(ctx context.Context, s store.Store, stream *Stream, dir string, interval time.Duration, opts ooni.Options, onFile func(FollowedFile)) error {
	if st, err := os.Stat(dir); err != nil {
		return err
	} else if !st.IsDir() {
		return errors.New(dir + " is not a directory")
	}
	type seen struct {
		size  int64
		mtime time.Time
		done  bool
	}
	files := map[string]*seen{}
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		present := map[string]bool{}
		var ready []string
		for _, e := range entries {
			if e.IsDir() || !isMeasurementFile(e.Name()) {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // gone since the listing
			}
			name := e.Name()
			present[name] = true
			f := files[name]
			switch {
			case f == nil || f.size != info.Size() || !f.mtime.Equal(info.ModTime()):
				files[name] = &seen{size: info.Size(), mtime: info.ModTime()}
			case !f.done:
				ready = append(ready, name)
			}
		}
		for name := range files {
			if !present[name] {
				delete(files, name)
			}
		}
		slices.Sort(ready)
		for _, name := range ready {
			p := filepath.Join(dir, name)
			st, err := ImportOONI(ctx, s, stream, []string{p}, opts)
			if ctx.Err() != nil {
				return nil // stopped: the file is taken again next time
			}
			files[name].done = true
			if onFile != nil {
				onFile(FollowedFile{Path: p, Stats: st, Err: err})
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}
