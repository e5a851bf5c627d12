package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/demo"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "serve", "[--addr HOST:PORT] [--db DSN] [--demo]")
	db := DBFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (binds to loopback unless told otherwise)")
	withDemo := fs.Bool("demo", false, "load the bundled demonstration data (idempotent)")
	lcfg := LedgerFlags(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := app.New(ctx, s, app.Config{Ledger: lcfg.WithDefaults(*db, *addr), Log: log})
	if err != nil {
		return err
	}
	a.Start(ctx)
	defer a.Close()
	if *withDemo {
		st, err := demo.Load(ctx, a.Registry)
		if err != nil {
			return fmt.Errorf("load demonstration data: %w", err)
		}
		log.Info("demonstration data loaded", "new_or_changed_records", st.Created+st.Updated)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
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
