// Package apptest builds a whole Candor over a test's store, as the
// server does, with a log key of its own.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/store"
)

// New builds and starts an app over s, stopped when the test ends. cfg may
// be nil; its ledger key defaults to a new one in a temporary directory.
func New(tb testing.TB, s store.Store, cfg *app.Config) *app.App {
	tb.Helper()
	c := app.Config{}
	if cfg != nil {
		c = *cfg
	}
	if c.Ledger.Key == "" && c.Ledger.KeyFile == "" {
		c.Ledger.KeyFile = filepath.Join(tb.TempDir(), "log.key")
	}
	if c.Ledger.Origin == "" {
		c.Ledger.Origin = "candor.test/log"
	}
	if c.Ledger.Delay == 0 {
		c.Ledger.Delay = 10 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx := context.Background()
	a, err := app.New(ctx, s, c)
	if err != nil {
		tb.Fatal(err)
	}
	a.Start(ctx)
	tb.Cleanup(a.Close)
	return a
}
