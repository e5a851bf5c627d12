package importers_test

import (
	"context"
	"os"
	"testing"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/importers/google"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func BenchmarkLoadGoogleSample(b *testing.B) {
	path := "/tmp/g2000.csv"
	for b.Loop() {
		db := storetest.OpenSQLite(b)
		file, _ := importers.HashFile(path)
		fh, _ := os.Open(path)
		l := &importers.Loader{Registry: registry.New(db), Actor: auth.System}
		if _, err := l.Load(context.Background(), google.Removals, fh, file); err != nil {
			b.Fatal(err)
		}
		fh.Close()
	}
}
