package cli

import (
	"flag"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/app"
)

// LedgerFlags adds the log's flags to fs.
func LedgerFlags(fs *flag.FlagSet) *app.LedgerConfig {
	c := &app.LedgerConfig{}
	fs.StringVar(&c.Key, "log-key", "", "the log's signing key (PRIVATE+KEY+...) or a file holding it; default: created on first start beside the database, mode 0600")
	fs.StringVar(&c.KeyFile, "log-key-file", "", "where to create the log key when --log-key is not given (default: candor-log.key beside the SQLite file)")
	fs.StringVar(&c.Origin, "log-origin", "", "checkpoint origin (and key name) for a new log key (default: <addr>/log)")
	fs.Func("witness", "a witness to send checkpoints to, as URL=verifier-key (repeat, or separate with spaces)", func(s string) error {
		c.Witnesses = append(c.Witnesses, strings.Fields(s)...)
		return nil
	})
	fs.IntVar(&c.Quorum, "witness-quorum", 1, "cosignatures needed for a checkpoint to count as witnessed")
	fs.DurationVar(&c.Interval, "sign-interval", time.Minute, "sign a checkpoint at least this often")
	fs.DurationVar(&c.Delay, "sign-delay", 200*time.Millisecond, "after a write, wait this long so concurrent writes share a checkpoint")
	fs.DurationVar(&c.Timeout, "witness-timeout", 10*time.Second, "how long to wait for each witness")
	return c
}
