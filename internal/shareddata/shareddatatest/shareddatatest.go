// Package shareddatatest gives tests the real public data files beside the
// repository, skipping (and saying why) when they are not there.
package shareddatatest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/candor-observatory/candor/internal/shareddata"
)

// Path returns the path of a file under the shared data directory, or skips
// the test, saying why, when the directory is not there.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	d, ok := shareddata.Find()
	if !ok {
		tb.Skip("../shared/data not found beside the repository (set CANDOR_SHARED_DATA): this test reads real public files")
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data file missing: %v", err)
	}
	return p
}
