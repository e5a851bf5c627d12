package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/evidence"
	"github.com/candor-observatory/candor/internal/verify"
)

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "verify", "--server URL [--state FILE] [--log-key K] [--witness-key K ... --quorum N] [--full] [[collection/]id[@version] ...]\n"+
		"       candor verify --bundle FILE [--log-key K] [--witness-key K ... --quorum N] [--state FILE]\n"+
		"       candor verify --db DSN [--log-key K]")
	server := fs.String("server", "", "base URL of the Candor server to check")
	db := fs.String("db", "", "check this local database (SQLite file or postgres:// URL) instead of a server")
	state := fs.String("state", "candor-verify.json", "file keeping the last checkpoint verified, to prove the log only grew")
	logKey := fs.String("log-key", "", "the log's verifier key (default: the one in the state file, else the server's, trusted on first use)")
	var witnessKeys []string
	fs.Func("witness-key", "a witness's cosignature verifier key (repeat)", func(s string) error {
		witnessKeys = append(witnessKeys, strings.Fields(s)...)
		return nil
	})
	quorum := fs.Int("quorum", 0, "cosignatures required (default: all witness keys given)")
	sample := fs.Int("sample", 10, "random log entries to check when no record is named")
	full := fs.Bool("full", false, "with --server: check every log entry against the record served, not a sample")
	bundle := fs.String("bundle", "", "check this evidence bundle offline (no network)")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	var err error
	switch {
	case *bundle != "":
		err = verifyBundle(env, *bundle, *state, *logKey, witnessKeys, *quorum)
	case *server != "":
		err = verify.Server(ctx, verify.Options{Server: *server, StateFile: *state, LogKey: *logKey, WitnessKeys: witnessKeys,
			Quorum: *quorum, Records: fs.Args(), Sample: *sample, Full: *full, Out: env.Stdout})
	case *db != "":
		s, oerr := app.OpenStore(ctx, *db)
		if oerr != nil {
			return oerr
		}
		defer s.Close()
		err = verify.DB(ctx, s, *logKey, env.Stdout)
	default:
		return errors.New("give --server URL to check a server, --bundle FILE to check an evidence bundle, or --db DSN to check a local database")
	}
	return failed(err)
}

// verifyBundle checks an evidence bundle offline, against the keys given
// and, when the state file of an earlier verify --server holds a checkpoint
// of the same log, against that checkpoint.
func verifyBundle(env *Env, path, state, logKey string, witnessKeys []string, quorum int) error {
	file, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	key, err := verifierKeyOf(logKey)
	if err != nil {
		return err
	}
	o := evidence.Options{LogKey: key, WitnessKeys: witnessKeys, Quorum: quorum}
	if st, err := verify.LoadState(state); err == nil && st.Checkpoint != "" {
		o.Known = &st
	}
	res, err := evidence.Verify(file, o)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, res.Summary())
	fmt.Fprintf(env.Stdout, "OK: %s verifies: its %d records are in the signed log, unaltered\n", path, len(res.Records))
	return nil
}
