// Package monitor follows a Candor log from outside: at every new
// checkpoint it checks the log's signature, the witnesses' quorum and that
// the log only grew, re-checks the records behind new entries and a sample
// of old ones, and says in one plain sentence what went wrong.
package monitor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/candor-observatory/candor/internal/verify"
)

// Options configure a monitor.
type Options struct {
	// Verify names the server, the state file and the keys trusted.
	Verify verify.Options
	// Interval is the time between rounds.
	Interval time.Duration
	// Sample is how many entries published before the last round are
	// re-checked each round, picked at random.
	Sample int
	// MaxNew bounds the new entries checked one by one in a round; past it
	// a random MaxNew of them are.
	MaxNew int
	// MaxAge, when set, is how old the newest trusted cosignature may be:
	// an older one means the log stopped presenting checkpoints to witnesses.
	MaxAge time.Duration
	// Rounds stops after this many rounds; 0 runs until ctx ends.
	Rounds int
	// KeepGoing reports problems and goes on instead of returning the first.
	KeepGoing bool
	// Alert is told of each problem, once.
	Alert Alerter
	Out   io.Writer
	// Now is the clock; tests fix it.
	Now func() time.Time
}

// Problem is what a round found wrong.
type Problem struct {
	Kind verify.Kind `json:"kind"`
	// Sentence says in plain words what went wrong.
	Sentence string    `json:"sentence"`
	Server   string    `json:"server"`
	At       time.Time `json:"at"`
	// Checkpoint is the signed checkpoint the server serves now, and
	// Previous the last one that checked out: together, the evidence.
	Checkpoint string `json:"checkpoint,omitempty"`
	Previous   string `json:"previous_checkpoint,omitempty"`
}

func (p *Problem) Error() string { return p.Sentence }

// Alerter delivers problems.
type Alerter interface {
	Alert(ctx context.Context, p Problem) error
}

// Stale is the kind of problem of a checkpoint whose witnesses have not
// cosigned for longer than MaxAge.
const Stale verify.Kind = "stale"

// Run follows the log until ctx ends, Rounds are done, or (without
// KeepGoing) a problem is found, which it returns as a *Problem.
func Run(ctx context.Context, o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.MaxNew <= 0 {
		o.MaxNew = 1000
	}
	st, err := verify.LoadState(o.Verify.StateFile)
	if err != nil {
		return err
	}
	vo := o.Verify
	vo.Out = io.Discard
	r, err := verify.Connect(ctx, vo, st)
	if err != nil {
		return err
	}
	if vo.LogKey == "" && st.LogKey == "" {
		fmt.Fprintf(o.Out, "trusting the log key the server gave on first use: %s\n", r.LogKey)
	}
	alerted := map[string]bool{}
	for round := 1; ; round++ {
		next, p, err := check(ctx, r, st, o)
		switch {
		case p != nil:
			fmt.Fprintf(o.Out, "PROBLEM (%s): %s\n", p.Kind, p.Sentence)
			if o.Alert != nil && !alerted[p.Sentence] {
				alerted[p.Sentence] = true
				if err := o.Alert.Alert(ctx, *p); err != nil {
					fmt.Fprintf(o.Out, "could not deliver the alert: %v\n", err)
				}
			}
			if !o.KeepGoing {
				return p
			}
		case err != nil:
			// The server did not answer, or not sensibly: nothing is proved
			// either way, so try again next round.
			fmt.Fprintf(o.Out, "could not check the log this round: %v\n", err)
			if o.Rounds == 1 {
				return err
			}
		default:
			st = next
			if o.Verify.StateFile != "" {
				if err := verify.SaveState(o.Verify.StateFile, st); err != nil {
					return err
				}
			}
		}
		if o.Rounds > 0 && round >= o.Rounds {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.Interval):
		}
	}
}

// check runs one round against the last good state st and returns the
// new one, or the problem found.
func check(ctx context.Context, r *verify.Remote, st verify.State, o Options) (verify.State, *Problem, error) {
	problem := func(err error, current []byte) (verify.State, *Problem, error) {
		var m *verify.Mismatch
		if !errors.As(err, &m) {
			return st, nil, err
		}
		return st, &Problem{Kind: m.Kind, Sentence: m.Msg, Server: o.Verify.Server, At: o.Now().UTC(),
			Checkpoint: string(current), Previous: st.Checkpoint}, nil
	}
	h, err := r.Head(ctx)
	if err != nil {
		return problem(err, nil)
	}
	if err := r.Consistent(st, h, o.Verify.StateFile); err != nil {
		return problem(err, h.Signed)
	}
	if o.MaxAge > 0 && len(h.Cosigned) > 0 {
		var newest time.Time
		for _, t := range h.Cosigned {
			if t.After(newest) {
				newest = t
			}
		}
		if age := o.Now().Sub(newest); age > o.MaxAge {
			return st, &Problem{Kind: Stale, Server: o.Verify.Server, At: o.Now().UTC(), Checkpoint: string(h.Signed), Previous: st.Checkpoint,
				Sentence: fmt.Sprintf("The newest witness cosignature is %s old, more than the %s allowed: the log has stopped presenting its checkpoints to witnesses.",
					age.Round(time.Second), o.MaxAge)}, nil
		}
	}

	// New entries one by one (or a sample of them), then a sample of old ones.
	size, from := h.Checkpoint.Size, min(st.Size, h.Checkpoint.Size)
	checked := int64(0)
	if size-from <= int64(o.MaxNew) {
		n, err := r.CheckRange(ctx, h, from, size, nil)
		if err != nil {
			return problem(err, h.Signed)
		}
		checked += n
	} else {
		for range o.MaxNew {
			if err := r.CheckEntry(ctx, h, from+rand.Int64N(size-from)); err != nil {
				return problem(err, h.Signed)
			}
			checked++
		}
	}
	old := 0
	for ; old < o.Sample && from > 0; old++ {
		if err := r.CheckEntry(ctx, h, rand.Int64N(from)); err != nil {
			return problem(err, h.Signed)
		}
	}
	next := r.State(h)
	next.Seen = o.Now().UTC()
	since := ""
	if st.Checkpoint != "" {
		since = fmt.Sprintf(", consistent with the %d seen before", st.Size)
	}
	fmt.Fprintf(o.Out, "%s: checkpoint of %d entries%s, cosigned by %d trusted witnesses; %d new and %d earlier entries match their records\n",
		next.Seen.Format(time.RFC3339), size, since, len(h.Cosigned), checked, old)
	return next, nil, nil
}

// Webhook posts each problem as JSON to a URL. With a secret, the body is
// signed: Candor-Signature: sha256=<hex HMAC-SHA256 of the body>.
type Webhook struct {
	URL    string
	Secret []byte
	HTTP   *http.Client
}

// Alert posts p.
func (w *Webhook) Alert(ctx context.Context, p Problem) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if len(w.Secret) > 0 {
		mac := hmac.New(sha256.New, w.Secret)
		mac.Write(body)
		req.Header.Set("Candor-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	hc := w.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s answered %s", w.URL, resp.Status)
	}
	return nil
}
