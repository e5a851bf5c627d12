package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/client"
	"github.com/candor-observatory/candor/internal/evidence"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/verify"
	"github.com/candor-observatory/candor/internal/witness"
)

func runEvidence(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "evidence", "[--server URL | --db DSN] [--out FILE] collection/id[@version] ...")
	server := fs.String("server", "", "base URL of the Candor server to fetch the bundle from")
	db := fs.String("db", "", "build the bundle from this local database (SQLite file or postgres:// URL) instead")
	out := fs.String("out", "candor-evidence.json", "file to write (- for standard output)")
	trust := trustFlags(fs)
	local := localLogFlags(fs)
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("name the records to bundle, e.g. candor evidence demands/01J…")
	}
	var refs []evidence.Ref
	for _, a := range fs.Args() {
		r, err := evidence.ParseRef(a)
		if err != nil {
			return err
		}
		refs = append(refs, r)
	}
	var file []byte
	var err error
	var l *ledger.Log
	switch {
	case *server != "":
		file, err = fetchBundle(ctx, *server, fs.Args())
	case *db != "":
		var s store.Store
		s, err = app.OpenStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		if l, err = local.open(s, *db, *trust.logKey); err != nil {
			return err
		}
		b := evidence.Builder{Store: s, Log: l}
		file, err = b.Build(ctx, refs)
	default:
		return errors.New("give --server URL to fetch the bundle from a server, or --db DSN to build it from a local database")
	}
	if err != nil {
		return err
	}
	// Never hand on a bundle that does not verify.
	opts, err := trust.options()
	if err != nil {
		return err
	}
	if opts.LogKey == "" && *db != "" {
		opts.LogKey = l.VerifierKey()
	}
	res, err := evidence.Verify(file, opts)
	if err != nil {
		return failed(err)
	}
	if *out == "-" {
		_, err = env.Stdout.Write(file)
		return err
	}
	if err := os.WriteFile(*out, file, 0o644); err != nil {
		return err
	}
	fmt.Fprint(env.Stderr, res.Summary())
	fmt.Fprintf(env.Stderr, "wrote %s (%d records, %d bytes); check it anywhere with: candor verify --bundle %s\n", *out, len(res.Records), len(file), *out)
	return nil
}

func fetchBundle(ctx context.Context, server string, refs []string) ([]byte, error) {
	c, err := client.New(server, client.WithHTTPClient(&http.Client{Timeout: 5 * time.Minute}))
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	return c.Evidence(ctx, refs...)
}

// trust are the keys a verifier holds.
type trust struct {
	logKey      *string
	witnessKeys []string
	quorum      *int
}

func trustFlags(fs *flag.FlagSet) *trust {
	t := &trust{}
	t.logKey = fs.String("log-key", "", "the log's verifier key you trust, or (with --db) its signing key or key file (default: the one the bundle names, with a warning)")
	fs.Func("witness-key", "a witness's cosignature verifier key you trust (repeat)", func(s string) error {
		t.witnessKeys = append(t.witnessKeys, strings.Fields(s)...)
		return nil
	})
	t.quorum = fs.Int("quorum", 0, "cosignatures required (default: all witness keys given)")
	return t
}

func (t *trust) options() (evidence.Options, error) {
	key, err := verifierKeyOf(*t.logKey)
	return evidence.Options{LogKey: key, WitnessKeys: t.witnessKeys, Quorum: *t.quorum}, err
}

// verifierKeyOf reads a log key given as a verifier key, a private key
// (CANDOR_LOG_KEY of an operator) or a file holding either.
func verifierKeyOf(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "+") {
		b, err := os.ReadFile(s)
		if err != nil {
			return "", fmt.Errorf("log key: %w", err)
		}
		s = strings.TrimSpace(string(b))
	}
	if strings.HasPrefix(s, "PRIVATE+KEY+") {
		return ledger.VerifierKey(s)
	}
	return s, nil
}

// failed turns a verification failure into exit code 1 with its sentence.
func failed(err error) error {
	var m *verify.Mismatch
	if errors.As(err, &m) {
		return &ExitError{Code: 1, Err: errors.New("VERIFICATION FAILED: " + m.Error())}
	}
	return err
}

// localLog are the flags that open a database's log without serving it:
// the witnesses whose cosignatures count.
type localLog struct {
	witnesses []string
	quorum    int
}

func localLogFlags(fs *flag.FlagSet) *localLog {
	o := &localLog{}
	fs.Func("witness", "with --db: a witness of the log, as URL=verifier-key, whose cosignatures count (repeat)", func(s string) error {
		o.witnesses = append(o.witnesses, strings.Fields(s)...)
		return nil
	})
	fs.IntVar(&o.quorum, "witness-quorum", 1, "with --db: cosignatures that make a checkpoint witnessed")
	return o
}

// open opens the log of s without serving it and never creates a key. The
// key is keyFlag when that is a private key or a file holding one, else
// candor-log.key beside the SQLite file, as candor serve keeps it.
func (o *localLog) open(s store.Store, dsn, keyFlag string) (*ledger.Log, error) {
	value := ""
	if strings.HasPrefix(keyFlag, "PRIVATE+KEY+") {
		value = keyFlag
	} else if keyFlag != "" && !strings.Contains(keyFlag, "+") {
		value = keyFlag // a file
	}
	path := app.LedgerConfig{}.WithDefaults(dsn, "127.0.0.1:8080").KeyFile
	if value == "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no log key at %s: give the one candor serve uses with --log-key or CANDOR_LOG_KEY, or fetch from a server with --server", path)
		}
	}
	skey, _, err := ledger.LoadOrCreateKey(value, path, "")
	if err != nil {
		return nil, err
	}
	l, err := ledger.New(s, skey)
	if err != nil {
		return nil, err
	}
	var ws []*c2sp.CosignatureVerifier
	for _, w := range o.witnesses {
		r, err := witness.ParseRemote(w)
		if err != nil {
			return nil, fmt.Errorf("--witness: %w", err)
		}
		ws = append(ws, r.Verifier)
	}
	l.SetWitnesses(ws, o.quorum)
	return l, nil
}
