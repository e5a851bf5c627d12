// Package shareddata finds the public data files that sit beside the
// repository (../shared/data) for tests that read real files.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns the shared data directory: $CANDOR_SHARED_DATA, or
// ../shared/data next to the module root. ok is false when neither exists.
func Find() (string, bool) {
	if d := os.Getenv("CANDOR_SHARED_DATA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return filepath.Clean(d), true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Path returns the path of a file under the shared data directory, or skips
// the test, saying why, when the directory is not there.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	d, ok := Find()
	if !ok {
		tb.Skip("../shared/data not found beside the repository (set CANDOR_SHARED_DATA): this test reads real public files")
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data file missing: %v", err)
	}
	return p
}
