// Package shareddata finds the public data files that sit beside the
// repository (../shared/data) for tests that read real files.
package shareddata

import (
	"os"
	"path/filepath"
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
