package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/candor-observatory/candor/internal/store"

	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"golang.org/x/mod/sumdb/note"
)

// Cosigner gathers witness cosignatures on a freshly signed checkpoint.
// prove returns the consistency proof from an older size to the new one.
// It returns the checkpoint with whatever cosignatures it obtained.
type Cosigner interface {
	Cosign(ctx context.Context, signed []byte, prove func(ctx context.Context, oldSize int64) ([]Hash, error)) ([]byte, error)
}

// Log is one verifiable log: its storage, its signing key and its witnesses.
type Log struct {
	st       store.LogStorage
	tree     *TreeReader
	signer   note.Signer
	verifier note.Verifier
	vkey     string

	// Cosigner, when set, sends each new checkpoint to witnesses.
	Cosigner Cosigner
	// Batch bounds the entries integrated in one step.
	Batch int64
	// Logf reports background errors; silent when nil.
	Logf func(format string, args ...any)

	signMu   sync.Mutex
	signedAt atomic.Int64 // unix nanoseconds of the last checkpoint published
	notify   chan struct{}

	covMu       sync.Mutex
	witnesses   []note.Verifier
	witnessKeys []string
	quorum      int
	cov         Coverage
	covAt       time.Time
}

// New returns the log kept in st and signed with skey; the key name is the
// checkpoint origin.
func New(st store.LogStorage, skey string) (*Log, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return &Log{st: st, tree: NewTreeReader(st), signer: signer, verifier: verifier, vkey: vkey,
		notify: make(chan struct{}, 1)}, nil
}

// Origin is the checkpoint origin line, which is also the log key's name.
func (l *Log) Origin() string { return l.signer.Name() }

// VerifierKey is the public key that checks the log's checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// Verifier checks the log's signature on a checkpoint.
func (l *Log) Verifier() note.Verifier { return l.verifier }

// Storage returns the log's storage.
func (l *Log) Storage() store.LogStorage { return l.st }

// Tree returns the reader that computes hashes and proofs.
func (l *Log) Tree() *TreeReader { return l.tree }

// Integrate extends the tiles over newly written entries.
func (l *Log) Integrate(ctx context.Context) (int64, error) {
	return Integrate(ctx, l.st, l.Batch)
}

// Sign integrates pending entries and, if the tree grew since the last
// checkpoint (or force is set), signs a new checkpoint, gathers
// cosignatures and publishes it. It returns the published checkpoint.
func (l *Log) Sign(ctx context.Context, force bool) ([]byte, error) {
	l.signMu.Lock()
	defer l.signMu.Unlock()
	size, err := l.Integrate(ctx)
	if err != nil {
		return nil, err
	}
	old, cp, err := l.Checkpoint(ctx)
	if err != nil && !errors.Is(err, ErrNoCheckpoint) {
		return nil, err
	}
	if old != nil && cp.Size == size && !force {
		return old, nil
	}
	if old != nil && cp.Size > size {
		return nil, fmt.Errorf("ledger: published checkpoint has size %d but the tree only %d", cp.Size, size)
	}
	root, err := l.tree.TreeHash(ctx, size)
	if err != nil {
		return nil, err
	}
	body := c2sp.Checkpoint{Origin: l.Origin(), Size: size, Hash: root}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, l.signer)
	if err != nil {
		return nil, err
	}
	if l.Cosigner != nil {
		prove := func(ctx context.Context, oldSize int64) ([]Hash, error) {
			return l.tree.ConsistencyProof(ctx, oldSize, size)
		}
		cosigned, err := l.Cosigner.Cosign(ctx, signed, prove)
		if err != nil {
			l.logf("ledger: witnesses: %v", err)
		}
		if cosigned != nil {
			signed = cosigned
		}
	}
	if err := l.st.WriteCheckpoint(ctx, size, signed); err != nil {
		return nil, err
	}
	l.signedAt.Store(time.Now().UnixNano())
	return signed, nil
}

// SignedAt is when this process last published a checkpoint; zero before
// the first.
func (l *Log) SignedAt() time.Time {
	ns := l.signedAt.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// ErrNoCheckpoint means the log has not signed a checkpoint yet.
var ErrNoCheckpoint = errors.New("ledger: no checkpoint signed yet")

// Checkpoint returns the latest published checkpoint, checked against the
// log key, and its parsed body.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, c2sp.Checkpoint, error) {
	signed, err := l.st.ReadCheckpoint(ctx)
	if err != nil {
		return nil, c2sp.Checkpoint{}, err
	}
	if signed == nil {
		return nil, c2sp.Checkpoint{}, ErrNoCheckpoint
	}
	n, err := note.Open(signed, note.VerifierList(l.verifier))
	if err != nil {
		return nil, c2sp.Checkpoint{}, fmt.Errorf("ledger: stored checkpoint: %w", err)
	}
	cp, err := c2sp.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return nil, cp, fmt.Errorf("ledger: stored checkpoint: %w", err)
	}
	return signed, cp, nil
}

// Receipt returns a c2sp.org/tlog-proof for entry index against the latest
// checkpoint.
func (l *Log) Receipt(ctx context.Context, index int64) (c2sp.Proof, error) {
	signed, cp, err := l.Checkpoint(ctx)
	if err != nil {
		return c2sp.Proof{}, err
	}
	if index >= cp.Size {
		return c2sp.Proof{}, fmt.Errorf("%w: entry %d, checkpoint size %d", ErrNotYetCovered, index, cp.Size)
	}
	proof, err := l.tree.InclusionProof(ctx, index, cp.Size)
	if err != nil {
		return c2sp.Proof{}, err
	}
	p := c2sp.Proof{Index: index, Checkpoint: signed}
	for _, h := range proof {
		p.Hashes = append(p.Hashes, h)
	}
	return p, nil
}

// ErrNotYetCovered means an entry is not yet in any signed checkpoint.
var ErrNotYetCovered = errors.New("ledger: entry not yet covered by a checkpoint")

// Notify asks the sequencer to integrate and sign soon; call it after a
// commit that wrote entries. It never blocks.
func (l *Log) Notify() {
	select {
	case l.notify <- struct{}{}:
	default:
	}
}

// Run integrates and signs when notified (after a short delay that lets
// concurrent commits join the same checkpoint) and every interval, until
// ctx ends.
func (l *Log) Run(ctx context.Context, delay, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-l.notify:
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
		case <-tick.C:
			// A scheduled signature also refreshes the witnesses' cosignatures.
			force = true
		}
		if _, err := l.Sign(ctx, force); err != nil && ctx.Err() == nil {
			l.logf("ledger: sign: %v", err)
		}
	}
}

func (l *Log) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}
