package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/witness"
)

func runWitness(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "serve" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stderr, "Usage: candor witness serve --name NAME --log ORIGIN=VKEY [--addr HOST:PORT] [--key FILE] [--state FILE]")
			return nil
		}
		return errors.New("usage: candor witness serve [flags]")
	}
	fs := NewFlags(env, "witness serve", "--name NAME --log ORIGIN=VKEY [--addr HOST:PORT] [--witness-key KEY|FILE] [--state FILE]")
	addr := fs.String("addr", "127.0.0.1:7380", "address to listen on")
	name := fs.String("name", "", "the witness's name, e.g. witness.example.org/candor (names a new key)")
	key := fs.String("witness-key", "", "the witness's private key (PRIVATE+KEY+...) or a file holding it; default: created in --key-file")
	keyFile := fs.String("key-file", "candor-witness.key", "where the witness key is kept (created with mode 0600 on first start)")
	state := fs.String("state", "candor-witness.json", "file holding the latest cosigned checkpoint of each log")
	logs := map[string][]string{}
	fs.Func("log", "a log to witness, as ORIGIN=VERIFIER-KEY (repeat, or separate with spaces)", func(s string) error {
		for _, one := range strings.Fields(s) {
			origin, vkey, ok := strings.Cut(one, "=")
			if !ok {
				return fmt.Errorf("%q: want ORIGIN=VERIFIER-KEY", one)
			}
			logs[origin] = append(logs[origin], vkey)
		}
		return nil
	})
	if err := Parse(fs, env, args[1:]); err != nil {
		return err
	}
	if len(logs) == 0 {
		return errors.New("--log: name at least one log to witness")
	}
	skey, err := witnessKey(*key, *keyFile, *name)
	if err != nil {
		return err
	}
	srv, err := witness.NewServer(skey, logs, *state)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	srv.Logf = func(format string, a ...any) { log.Warn(fmt.Sprintf(format, a...)) }
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	fmt.Fprintf(env.Stdout, "witness %s on http://%s\nverifier key: %s\n", srv.Verifier().Name(), ln.Addr(), srv.Verifier().Key())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(shut)
	}
}

// witnessKey returns the witness's key: given, read from file, or created there.
func witnessKey(value, file, name string) (string, error) {
	if strings.HasPrefix(value, "PRIVATE+KEY+") {
		return value, nil
	}
	if value != "" {
		file = value
	}
	if b, err := os.ReadFile(file); err == nil {
		if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("witness key %s: readable by others (mode %v); run chmod 600 %s", file, fi.Mode().Perm(), file)
		}
		return strings.TrimSpace(string(b)), nil
	} else if value != "" || !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("witness key: %w", err)
	}
	if name == "" {
		return "", errors.New("--name: a new witness key needs a name")
	}
	skey, _, err := c2sp.GenerateCosignatureKey(rand.Reader, name)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return skey, f.Close()
}
