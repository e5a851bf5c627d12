package cli

import (
	"context"
	"errors"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/candor-observatory/candor/internal/monitor"
	"github.com/candor-observatory/candor/internal/verify"
)

func runMonitor(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "monitor", "--server URL [--state FILE] [--log-key K] [--witness-key K ... --quorum N] [--interval D] [--once] [--keep-going --webhook URL]")
	server := fs.String("server", "", "base URL of the Candor server whose log to follow")
	state := fs.String("state", "candor-monitor.json", "file keeping the last checkpoint verified; on a problem it keeps the last good one, as evidence")
	logKey := fs.String("log-key", "", "the log's verifier key (default: the one in the state file, else the server's, trusted on first use)")
	var witnessKeys []string
	fs.Func("witness-key", "a witness's cosignature verifier key you trust (repeat)", func(s string) error {
		witnessKeys = append(witnessKeys, strings.Fields(s)...)
		return nil
	})
	quorum := fs.Int("quorum", 0, "cosignatures required (default: all witness keys given)")
	interval := fs.Duration("interval", time.Minute, "time between checks")
	sample := fs.Int("sample", 20, "earlier entries re-checked against their records each round")
	maxNew := fs.Int("max-new", 1000, "new entries checked one by one each round; past it, a random sample of that many")
	maxAge := fs.Duration("max-age", 0, "alert when the newest trusted witness cosignature is older than this (0: never)")
	once := fs.Bool("once", false, "check once and exit")
	keepGoing := fs.Bool("keep-going", false, "report problems (and alert) but keep following instead of exiting")
	webhook := fs.String("webhook", "", "POST each problem as JSON to this URL")
	secret := fs.String("webhook-secret", "", "sign webhook bodies with HMAC-SHA256 under this secret (Candor-Signature header)")
	if err := Parse(fs, env, args); err != nil {
		return err
	}
	if *server == "" {
		return errors.New("give --server URL: the Candor server whose log to follow")
	}
	o := monitor.Options{
		Verify:   verify.Options{Server: *server, StateFile: *state, LogKey: *logKey, WitnessKeys: witnessKeys, Quorum: *quorum},
		Interval: *interval, Sample: *sample, MaxNew: *maxNew, MaxAge: *maxAge, KeepGoing: *keepGoing, Out: env.Stdout,
	}
	if *once {
		o.Rounds = 1
	}
	if *webhook != "" {
		o.Alert = &monitor.Webhook{URL: *webhook, Secret: []byte(*secret)}
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := monitor.Run(ctx, o)
	var p *monitor.Problem
	if errors.As(err, &p) {
		return &ExitError{Code: 1, Err: errors.New("LOG PROBLEM: " + p.Sentence)}
	}
	return err
}
