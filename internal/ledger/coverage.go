package ledger

import (
	"context"
	"errors"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger/c2sp"
)

// Coverage says how far a log entry is vouched for.
type Coverage struct {
	// Signed: a checkpoint signed by the log covers the entry.
	Signed bool `json:"signed"`
	// Witnessed: that checkpoint carries at least Quorum cosignatures from
	// the configured witnesses.
	Witnessed      bool  `json:"witnessed"`
	Cosignatures   int   `json:"cosignatures"`
	CheckpointSize int64 `json:"checkpoint_size"`
}

// SetWitnesses tells the log which cosignatures count and how many make a
// checkpoint witnessed.
func (l *Log) SetWitnesses(witnesses []*c2sp.CosignatureVerifier, quorum int) {
	l.covMu.Lock()
	defer l.covMu.Unlock()
	l.witnesses, l.witnessKeys = nil, nil
	for _, w := range witnesses {
		l.witnesses = append(l.witnesses, w)
		l.witnessKeys = append(l.witnessKeys, w.Key())
	}
	l.quorum = max(1, quorum)
	l.covAt = time.Time{}
}

// WitnessKeys returns the verifier keys of the witnesses whose
// cosignatures count, in the order they were set.
func (l *Log) WitnessKeys() []string {
	l.covMu.Lock()
	defer l.covMu.Unlock()
	return l.witnessKeys
}

// coverageTTL bounds how stale the cached checkpoint view may be; explorer
// pages ask for many records at once.
const coverageTTL = time.Second

// Coverage reports whether entry index is covered by the latest checkpoint,
// and whether that checkpoint is witnessed.
func (l *Log) Coverage(ctx context.Context, index int64) (Coverage, error) {
	l.covMu.Lock()
	defer l.covMu.Unlock()
	if time.Since(l.covAt) > coverageTTL {
		signed, cp, err := l.Checkpoint(ctx)
		if errors.Is(err, ErrNoCheckpoint) {
			return Coverage{}, nil
		}
		if err != nil {
			return Coverage{}, err
		}
		l.cov = Coverage{CheckpointSize: cp.Size}
		if len(l.witnesses) > 0 {
			if n, err := note.Open(signed, note.VerifierList(l.witnesses...)); err == nil {
				l.cov.Cosignatures = len(n.Sigs)
			}
		}
		l.cov.Witnessed = len(l.witnesses) > 0 && l.cov.Cosignatures >= l.quorum
		l.covAt = time.Now()
	}
	c := l.cov
	if index >= c.CheckpointSize {
		return Coverage{CheckpointSize: c.CheckpointSize}, nil
	}
	c.Signed = true
	return c, nil
}

// Witnesses returns the verifiers of the witnesses whose cosignatures count.
func (l *Log) Witnesses() []note.Verifier {
	l.covMu.Lock()
	defer l.covMu.Unlock()
	return l.witnesses
}

// Quorum is how many of them make a checkpoint witnessed.
func (l *Log) Quorum() int {
	l.covMu.Lock()
	defer l.covMu.Unlock()
	return max(1, l.quorum)
}
