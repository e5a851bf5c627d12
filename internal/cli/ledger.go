package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/api"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/witness"
)

// LedgerOptions configure the verifiable log of a server.
type LedgerOptions struct {
	// Key is the private key itself or a file holding it (--log-key, CANDOR_LOG_KEY).
	Key string
	// KeyFile is where the key is created on first start when Key is empty.
	KeyFile string
	// Origin names a new key and so the checkpoints' origin line.
	Origin    string
	Witnesses []string // URL=vkey
	Quorum    int
	Interval  time.Duration
	Delay     time.Duration
	Timeout   time.Duration
}

// LedgerFlags adds the log's flags to fs.
func LedgerFlags(fs *flag.FlagSet) *LedgerOptions {
	o := &LedgerOptions{}
	fs.StringVar(&o.Key, "log-key", "", "the log's signing key (PRIVATE+KEY+...) or a file holding it; default: created on first start beside the database, mode 0600")
	fs.StringVar(&o.KeyFile, "log-key-file", "", "where to create the log key when --log-key is not given (default: candor-log.key beside the SQLite file)")
	fs.StringVar(&o.Origin, "log-origin", "", "checkpoint origin (and key name) for a new log key (default: <addr>/log)")
	fs.Func("witness", "a witness to send checkpoints to, as URL=verifier-key (repeat, or separate with spaces)", func(s string) error {
		o.Witnesses = append(o.Witnesses, strings.Fields(s)...)
		return nil
	})
	fs.IntVar(&o.Quorum, "witness-quorum", 1, "cosignatures needed for a checkpoint to count as witnessed")
	fs.DurationVar(&o.Interval, "sign-interval", time.Minute, "sign a checkpoint at least this often")
	fs.DurationVar(&o.Delay, "sign-delay", 200*time.Millisecond, "after a write, wait this long so concurrent writes share a checkpoint")
	fs.DurationVar(&o.Timeout, "witness-timeout", 10*time.Second, "how long to wait for each witness")
	return o
}

// Defaults fills the key file and origin from the database and address.
func (o *LedgerOptions) Defaults(db, addr string) LedgerOptions {
	out := *o
	if out.KeyFile == "" {
		dir := "."
		if !strings.Contains(db, "://") {
			dir = filepath.Dir(db)
		}
		out.KeyFile = filepath.Join(dir, "candor-log.key")
	}
	if out.Origin == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" {
			host, port = "localhost", ""
		}
		out.Origin = host
		if port != "" {
			out.Origin += ":" + port
		}
		out.Origin += "/log"
	}
	return out
}

// StartLedger opens the log, makes every commit reach it, mounts /log/ and
// the proof endpoint, and signs checkpoints until the app closes.
func (a *App) StartLedger(ctx context.Context, o LedgerOptions) error {
	skey, created, err := ledger.LoadOrCreateKey(o.Key, o.KeyFile, o.Origin)
	if err != nil {
		return err
	}
	l, err := ledger.New(a.Store.Ledger(), skey)
	if err != nil {
		return err
	}
	if created {
		a.Log.Info("created the log signing key; keep it safe", "file", o.KeyFile, "verifier_key", l.VerifierKey())
	}
	l.Logf = func(format string, args ...any) { a.Log.Warn(fmt.Sprintf(format, args...)) }
	var verifiers []*c2sp.CosignatureVerifier
	if len(o.Witnesses) > 0 {
		c := &witness.Client{Timeout: o.Timeout}
		for _, s := range o.Witnesses {
			r, err := witness.ParseRemote(s)
			if err != nil {
				return fmt.Errorf("--witness: %w", err)
			}
			c.Witnesses = append(c.Witnesses, r)
			verifiers = append(verifiers, r.Verifier)
		}
		l.Cosigner = c
	}
	prev := a.Registry.Committed
	a.Registry.Committed = func(n int) {
		if prev != nil {
			prev(n)
		}
		l.Notify()
	}
	l.Register(a.Mux)
	l.SetWitnesses(verifiers, o.Quorum)
	a.API.Ledger = &api.Ledger{Log: l, Secrets: a.Store.Ledger().FieldSecrets}
	a.Ledger = l
	if a.Explorer != nil {
		a.Explorer.Coverage = func(ctx context.Context, index int64) (bool, bool, error) {
			c, err := l.Coverage(ctx, index)
			return c.Signed, c.Witnessed, err
		}
	}
	// Catch up with entries written while no server ran; with witnesses,
	// sign afresh so that the served checkpoint carries their cosignatures.
	if _, err := l.Sign(ctx, l.Cosigner != nil); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		l.Run(ctx, o.Delay, o.Interval)
		close(done)
	}()
	a.closers = append(a.closers, func() { cancel(); <-done })
	return nil
}
