package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/candor-observatory/candor/internal/api"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/interference"
	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/server"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/web"
	"github.com/candor-observatory/candor/internal/web/casepage"
)

func init() {
	Register(Command{Name: "serve", Summary: "run the API and the explorer (--demo loads demonstration data)", Run: runServe})
}

// ServeOptions are serve's settings.
type ServeOptions struct {
	Addr string
	Demo bool
}

// App is a running Candor: its store, write path and HTTP handler.
type App struct {
	Store    *sqlstore.DB
	Registry *registry.Registry
	Handler  http.Handler
	Log      *slog.Logger
	// API and Mux let optional parts (the ledger) join after NewApp.
	API *api.Handler
	Mux *http.ServeMux
	// Explorer reads the store for the pages; StartLedger tells it about the log.
	Explorer *web.StoreReader
	// Stream runs detection on measurements submitted to the API.
	Stream *interference.Stream
	// Ledger is the verifiable log, once StartLedger ran.
	Ledger *ledger.Log
	// Background work started with the app (ledger sequencer, …) stops with ctx.
	closers []func()
}

// Close stops background work and closes the store.
func (a *App) Close() {
	for _, c := range a.closers {
		c()
	}
	a.Store.Close()
}

// demoLoader loads the demonstration data; set by the demo wiring.
var demoLoader func(ctx context.Context, reg *registry.Registry) (int, error)

// NewApp wires the store into the registry, the API and the pages.
func NewApp(ctx context.Context, s *sqlstore.DB, log *slog.Logger) (*App, error) {
	reg := registry.New(s)
	app := &App{Store: s, Registry: reg, Log: log}
	mux := http.NewServeMux()
	app.API = api.New(s, reg, log)
	// Measurements submitted to the API are scored with OONI's fingerprints
	// when the shared data holds them, and streamed to the detectors.
	sc, _, err := interference.Scorer("")
	if err != nil {
		return nil, err
	}
	app.Stream = interference.NewStream(s, reg, detect.DefaultParams())
	app.API.Intake = interference.NewIntake(s, app.Stream, sc)
	app.Mux = mux
	mux.Handle("/api/", app.API)
	mux.Handle("/cases/", casepage.Handler(cases.NewStatsCache(30*time.Second, cases.NewService(s, reg).Stats).Stats))
	explorer := &web.StoreReader{S: s, Measurements: web.MeasurementsFrom(s)}
	app.Explorer = explorer
	mux.Handle("/", web.New(explorer))
	go func() {
		// Compliance sums over a large store take seconds; have them ready.
		if err := explorer.Warm(ctx); err != nil {
			log.Debug("explorer warm-up", "err", err)
		}
	}()
	app.Handler = server.Handler(mux, log)
	return app, nil
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "serve", "[--addr HOST:PORT] [--db DSN] [--demo]")
	db := DBFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (binds to loopback unless told otherwise)")
	demo := fs.Bool("demo", false, "load the bundled demonstration data (idempotent)")
	lopts := LedgerFlags(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	app, err := NewApp(ctx, s, log)
	if err != nil {
		s.Close()
		return err
	}
	defer app.Close()
	if err := app.StartLedger(ctx, lopts.Defaults(*db, *addr)); err != nil {
		return err
	}
	if *demo {
		if demoLoader == nil {
			return errors.New("--demo: this build has no demonstration data")
		}
		n, err := demoLoader(ctx, app.Registry)
		if err != nil {
			return fmt.Errorf("load demonstration data: %w", err)
		}
		log.Info("demonstration data loaded", "new_or_changed_records", n)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(env.Stdout, "Candor is serving on http://%s (database %s)\n", ln.Addr(), *db)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}
