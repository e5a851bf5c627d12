package evidence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/canonjson"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/verify"
)

// Records is what a Builder reads: record versions and the salts of their
// personal fields.
type Records interface {
	Get(ctx context.Context, collection, id string, version int) (*store.Row, error)
	FieldSalts(ctx context.Context, collection, id string, version int) ([]store.FieldSalt, error)
}

// Builder makes bundles from a store and its log.
type Builder struct {
	Store Records
	Log   *ledger.Log
}

// ErrNotPublic means a record version is not in the log: only public
// versions are.
var ErrNotPublic = errors.New("evidence: only public record versions are in the log")

// Build writes the bundle of the record versions refs name, every proof
// leading to the log's latest checkpoint. It checks the bundle before
// returning it, so it never hands out one that does not verify.
func (b *Builder) Build(ctx context.Context, refs []Ref) ([]byte, error) {
	if len(refs) == 0 {
		return nil, errors.New("evidence: name at least one record")
	}
	if len(refs) > MaxRecords {
		return nil, fmt.Errorf("evidence: %d records, at most %d in one bundle", len(refs), MaxRecords)
	}
	signed, cp, err := b.Log.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	bundle := Bundle{Format: Format, Checkpoint: string(signed), Records: []Record{}}
	bundle.Log, err = b.logKeys(signed)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		row, err := b.get(ctx, ref)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%s/%s@%d", row.Collection, row.ID, row.Version)
		if seen[key] {
			continue
		}
		seen[key] = true
		if row.Visibility != model.Public || row.LeafIndex == nil {
			return nil, fmt.Errorf("%w: %s is %s", ErrNotPublic, key, row.Visibility)
		}
		idx := *row.LeafIndex
		if idx >= cp.Size {
			return nil, fmt.Errorf("%w: %s is entry %d, checkpoint size %d", ledger.ErrNotYetCovered, key, idx, cp.Size)
		}
		hashes, err := b.Log.Tree().InclusionProof(ctx, idx, cp.Size)
		if err != nil {
			return nil, err
		}
		p := c2sp.Proof{Index: idx, Checkpoint: signed}
		for _, h := range hashes {
			p.Hashes = append(p.Hashes, h)
		}
		salts, err := b.Store.FieldSalts(ctx, row.Collection, row.ID, row.Version)
		if err != nil {
			return nil, err
		}
		secrets := append([]ledger.FieldSecret{}, ledger.SecretsOf(salts)...)
		bundle.Records = append(bundle.Records, Record{Collection: row.Collection, Record: row.Body, FieldSecrets: secrets, Proof: string(p.Marshal())})
	}
	slices.SortFunc(bundle.Records, compareRecords)
	if bundle.Sources, err = deriveSources(bundle.Records); err != nil {
		return nil, err
	}
	out, err := encode(bundle)
	if err != nil {
		return nil, err
	}
	// A checkpoint short of its witnesses is what the log has; the
	// verifier says so. Anything else means the store no longer matches
	// its log.
	var m *verify.Mismatch
	if _, err := Verify(out, Options{LogKey: b.Log.VerifierKey()}); err != nil && !(errors.As(err, &m) && m.Kind == verify.QuorumLost) {
		return nil, fmt.Errorf("evidence: the bundle built from this store does not verify: %w", err)
	}
	return out, nil
}

// get reads the row a ref names, trying each collection for a bare id.
func (b *Builder) get(ctx context.Context, ref Ref) (*store.Row, error) {
	collections := []string{ref.Collection}
	if ref.Collection == "" {
		collections = model.Collections()
	}
	for _, c := range collections {
		row, err := b.Store.Get(ctx, c, ref.ID, ref.Version)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return row, nil
	}
	return nil, fmt.Errorf("%w: record %s", store.ErrNotFound, ref)
}

// logKeys names the log key, the keys of the witnesses that cosigned and
// the log's quorum.
func (b *Builder) logKeys(signed []byte) (Log, error) {
	l := Log{Key: b.Log.VerifierKey(), Witnesses: []string{}}
	keys := b.Log.WitnessKeys()
	if len(keys) == 0 {
		return l, nil
	}
	l.Quorum = b.Log.Quorum()
	for _, k := range keys {
		v, err := c2sp.NewCosignatureVerifier(k)
		if err != nil {
			return l, err
		}
		if cosignedBy(signed, v) {
			l.Witnesses = append(l.Witnesses, k)
		}
	}
	return l, nil
}

func compareRecords(a, b Record) int {
	_, ra, _ := a.meta()
	_, rb, _ := b.meta()
	return cmp.Compare(ra, rb)
}

// encode writes the canonical form of a bundle.
func encode(b Bundle) ([]byte, error) {
	out, err := canonjson.Marshal(b)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// cosignedBy says whether the signed note carries v's valid signature.
func cosignedBy(signed []byte, v note.Verifier) bool {
	n, err := note.Open(signed, note.VerifierList(v))
	return err == nil && len(n.Sigs) == 1
}
