// Package app is Candor's composition root: it builds every service in one
// order (store, ledger, registry, cases, API, explorer) and hands each its
// dependencies when it is made. Nothing else wires services together.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/api"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/interference"
	"github.com/candor-observatory/candor/internal/interference/detect"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/metrics"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/server"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/postgres"
	"github.com/candor-observatory/candor/internal/store/sqlite"
	"github.com/candor-observatory/candor/internal/web"
	"github.com/candor-observatory/candor/internal/web/casepage"
	"github.com/candor-observatory/candor/internal/witness"
)

// OpenStore opens the store a DSN names (a SQLite file, or a postgres://
// URL) and runs its migrations.
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	if IsPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}

// IsPostgres says whether a DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// NewRegistry is the write path every writer uses (server, importers,
// command line): the cases guard is always installed, so that no path
// writes a case the workflow does not allow.
func NewRegistry(s store.Store, opts ...registry.Option) *registry.Registry {
	return registry.New(s, append([]registry.Option{registry.WithGuard("cases", cases.Guard)}, opts...)...)
}

// LedgerConfig configures the verifiable log of a server.
type LedgerConfig struct {
	// Key is the private key itself or a file holding it.
	Key string
	// KeyFile is where the key is created on first start when Key is empty.
	KeyFile string
	// Origin names a new key and so the checkpoints' origin line.
	Origin string
	// Witnesses are URL=verifier-key pairs to send checkpoints to.
	Witnesses []string
	Quorum    int
	// Interval is how often a checkpoint is signed at least; Delay how long
	// after a write, so that concurrent writes share one.
	Interval, Delay time.Duration
	// Timeout bounds each witness's answer.
	Timeout time.Duration
}

// WithDefaults fills the key file and origin from the database and the
// listen address.
func (c LedgerConfig) WithDefaults(db, addr string) LedgerConfig {
	if c.KeyFile == "" {
		dir := "."
		if !strings.Contains(db, "://") {
			dir = filepath.Dir(db)
		}
		c.KeyFile = filepath.Join(dir, "candor-log.key")
	}
	if c.Origin == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" {
			host, port = "localhost", ""
		}
		c.Origin = host
		if port != "" {
			c.Origin += ":" + port
		}
		c.Origin += "/log"
	}
	if c.Quorum == 0 {
		c.Quorum = 1
	}
	if c.Interval == 0 {
		c.Interval = time.Minute
	}
	if c.Delay == 0 {
		c.Delay = 200 * time.Millisecond
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	return c
}

// Config is what a running Candor is built from.
type Config struct {
	Ledger LedgerConfig
	Log    *slog.Logger
	// Now is the clock of the write path; nil is the system clock.
	Now func() time.Time
	// Entropy, when set, makes ids and salts (golden-file tests).
	Entropy io.Reader
}

// App is a running Candor: its services and the HTTP handler over them.
type App struct {
	Store    store.Store
	Ledger   *ledger.Log
	Registry *registry.Registry
	Cases    *cases.Service
	// Stream runs detection on the measurements submitted to the API.
	Stream   *interference.Stream
	API      *api.Handler
	Explorer *web.Server
	// Metrics are served at /metrics for Prometheus.
	Metrics *metrics.Metrics
	// Handler serves the API, the explorer, the cases pages and the log.
	Handler http.Handler

	log      *slog.Logger
	cfg      Config
	reader   *web.StoreReader
	stopping []func()
}

// caseStatsTTL is how long public case statistics are reused.
const caseStatsTTL = 30 * time.Second

// New builds every service over s. The store stays the caller's: Close
// stops the background work, not the store.
func New(ctx context.Context, s store.Store, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a := &App{Store: s, log: cfg.Log, cfg: cfg}

	l, err := openLedger(s, cfg.Ledger, cfg.Log)
	if err != nil {
		return nil, err
	}
	a.Ledger = l

	a.Metrics = metrics.New(l)
	opts := []registry.Option{registry.OnCommit(func(n int) { a.Metrics.Committed(n); l.Notify() })}
	if cfg.Now != nil {
		opts = append(opts, registry.WithClock(cfg.Now))
	}
	if cfg.Entropy != nil {
		opts = append(opts, registry.WithEntropy(cfg.Entropy))
	}
	a.Registry = NewRegistry(s, opts...)

	a.Cases = cases.NewService(s, a.Registry)
	caseStats := cases.NewStatsCache(caseStatsTTL, a.Cases.Stats)

	// Measurements submitted to the API are scored with OONI's fingerprints
	// when the shared data holds them, and streamed to the detectors.
	sc, _, err := interference.Scorer("")
	if err != nil {
		return nil, err
	}
	a.Stream = interference.NewStream(s, a.Registry, detect.DefaultParams())
	intake := interference.NewIntake(s, a.Stream, sc)

	a.API = api.New(api.Deps{Store: s, Registry: a.Registry, Ledger: l, Cases: a.Cases, CaseStats: caseStats, Intake: intake, Log: cfg.Log,
		Observe: a.Metrics.ObserveAPI})
	a.reader = &web.StoreReader{S: s, Coverage: func(ctx context.Context, index int64) (bool, bool, error) {
		c, err := l.Coverage(ctx, index)
		return c.Signed, c.Witnessed, err
	}}
	a.Explorer = web.New(a.reader)

	mux := http.NewServeMux()
	mux.Handle("/api/", a.API)
	mux.Handle("/cases/", casepage.Handler(caseStats.Stats))
	l.Register(mux)
	mux.Handle("GET /metrics", a.Metrics.Handler())
	mux.Handle("/", a.Explorer)
	a.Handler = server.Handler(mux, cfg.Log)

	// Catch up with entries written while no server ran; with witnesses,
	// sign afresh so that the served checkpoint carries their cosignatures.
	if _, err := l.Sign(ctx, l.Cosigner != nil); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return a, nil
}

// openLedger opens the log kept in s, with its key and witnesses.
func openLedger(s store.Store, c LedgerConfig, log *slog.Logger) (*ledger.Log, error) {
	skey, created, err := ledger.LoadOrCreateKey(c.Key, c.KeyFile, c.Origin)
	if err != nil {
		return nil, err
	}
	l, err := ledger.New(s, skey)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created the log signing key; keep it safe", "file", c.KeyFile, "verifier_key", l.VerifierKey())
	}
	l.Logf = func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) }
	var verifiers []*c2sp.CosignatureVerifier
	if len(c.Witnesses) > 0 {
		wc := &witness.Client{Timeout: c.Timeout}
		for _, w := range c.Witnesses {
			r, err := witness.ParseRemote(w)
			if err != nil {
				return nil, fmt.Errorf("--witness: %w", err)
			}
			wc.Witnesses = append(wc.Witnesses, r)
			verifiers = append(verifiers, r.Verifier)
		}
		l.Cosigner = wc
	}
	quorum := c.Quorum
	if quorum == 0 {
		quorum = 1
	}
	l.SetWitnesses(verifiers, quorum)
	return l, nil
}

// Start runs the background work until ctx ends or Close is called: the
// log's sequencer, and the explorer's warm-up of slow sums.
func (a *App) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	interval, delay := a.cfg.Ledger.Interval, a.cfg.Ledger.Delay
	if interval == 0 {
		interval = time.Minute
	}
	if delay == 0 {
		delay = 200 * time.Millisecond
	}
	go func() {
		a.Ledger.Run(ctx, delay, interval)
		close(done)
	}()
	go func() {
		// Compliance sums over a large store take seconds; have them ready.
		if err := a.reader.Warm(ctx); err != nil && ctx.Err() == nil {
			a.log.Debug("explorer warm-up", "err", err)
		}
	}()
	a.stopping = append(a.stopping, func() { cancel(); <-done })
}

// Close stops the background work.
func (a *App) Close() {
	for _, stop := range a.stopping {
		stop()
	}
	a.stopping = nil
}
