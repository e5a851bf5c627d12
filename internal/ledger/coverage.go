package ledger

import (
	"context"
	"encoding/base64"
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

// Cosignatures returns, for each configured witness that cosigned the
// latest checkpoint, the time written in its cosignature.
func (l *Log) Cosignatures(ctx context.Context) (map[string]time.Time, error) {
	signed, _, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	ws := l.Witnesses()
	if len(ws) == 0 {
		return out, nil
	}
	n, err := note.Open(signed, note.VerifierList(ws...))
	if err != nil {
		return out, nil // no witness cosigned it
	}
	for _, s := range n.Sigs {
		b, err := base64.StdEncoding.DecodeString(s.Base64)
		if err != nil || len(b) < 4 {
			continue
		}
		if t, err := c2sp.CosignatureTime(b[4:]); err == nil {
			out[s.Name] = t
		}
	}
	return out, nil
}
