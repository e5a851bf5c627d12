package interference

import (
	"context"
	"fmt"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/interference/ooni"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// Intake takes measurements submitted through the API: it scores them as
// an import does, stores them and feeds them to the stream.
type Intake struct {
	store  store.Store
	stream *Stream
	scorer *ooni.Scorer
}

// NewIntake returns an intake; stream may be nil for no detection.
func NewIntake(s store.Store, stream *Stream, sc *ooni.Scorer) *Intake {
	if sc == nil {
		sc = &ooni.Scorer{}
	}
	return &Intake{store: s, stream: stream, scorer: sc}
}

// SubmitResult says what a submission did.
type SubmitResult struct {
	Received  int `json:"received"`
	New       int `json:"new"`
	Discarded int `json:"discarded"`
}

// SubmitError lists the measurements of a submission that could not be
// read; nothing of the submission was stored.
type SubmitError struct{ Lines []*ooni.LineError }

func (e *SubmitError) Error() string {
	return fmt.Sprintf("%d measurements could not be read, the first: %v; nothing was stored", len(e.Lines), e.Lines[0])
}

// Submit reads measurements from body (one JSON measurement or an array
// of them, or JSON Lines when ndjson), stores them all or, if any is
// malformed, none, writes an audit entry and runs detection on them.
func (in *Intake) Submit(ctx context.Context, a auth.Actor, body []byte, ndjson bool) (SubmitResult, error) {
	name := "api.json"
	if ndjson {
		name = "api.jsonl"
	}
	var res SubmitResult
	var bad []*ooni.LineError
	var ms []*model.Measurement
	st, err := ooni.IngestBytes(ctx, name, body, ooni.Options{Scorer: in.scorer, OnError: func(e *ooni.LineError) { bad = append(bad, e) }},
		func(batch []*model.Measurement) error { ms = append(ms, batch...); return nil })
	if err != nil {
		return res, err
	}
	if len(bad) > 0 {
		return res, &SubmitError{Lines: bad}
	}
	res.Received, res.Discarded = st.Measurements, st.Discarded
	if len(ms) == 0 {
		return res, nil
	}
	tags, err := in.store.AllDomainCategories(ctx)
	if err != nil {
		return res, err
	}
	var is ImportStats
	if err := is.put(ctx, in.store, nil, newCategories(tags), ms); err != nil {
		return res, err
	}
	res.New = is.New
	err = in.store.InTx(ctx, func(tx store.Tx) error {
		return tx.AddAudit(ctx, []store.AuditEntry{{At: time.Now().UTC(), ActorOrg: a.Org, ActorToken: a.TokenID,
			Action: "submit", Collection: "measurements",
			Detail: fmt.Sprintf("%d measurements, %d new, sha256 %s", res.Received, res.New, ms[0].Raw.SHA256)}})
	})
	if err != nil || in.stream == nil {
		return res, err
	}
	in.stream.Stored(ms, res.New > 0)
	return res, in.stream.Advance(ctx)
}
