package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/candor-observatory/candor/internal/app"

	"github.com/candor-observatory/candor/internal/verify"
)

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "verify", "--server URL [--state FILE] [--log-key K] [--witness-key K ... --quorum N] [[collection/]id[@version] ...]\n       candor verify --db DSN [--log-key K]")
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
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	var err error
	switch {
	case *server != "":
		err = verify.Server(ctx, verify.Options{Server: *server, StateFile: *state, LogKey: *logKey, WitnessKeys: witnessKeys,
			Quorum: *quorum, Records: fs.Args(), Sample: *sample, Out: env.Stdout})
	case *db != "":
		s, oerr := app.OpenStore(ctx, *db)
		if oerr != nil {
			return oerr
		}
		defer s.Close()
		err = verify.DB(ctx, s, *logKey, env.Stdout)
	default:
		return errors.New("give --server URL to check a server, or --db DSN to check a local database")
	}
	var m *verify.Mismatch
	if errors.As(err, &m) {
		return &ExitError{Code: 1, Err: errors.New("VERIFICATION FAILED: " + m.Msg)}
	}
	return err
}
