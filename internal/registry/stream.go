package registry

import (
	"context"
	"errors"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// TxWriter writes batches of records inside one transaction, so that a
// file streamed in batches is written all or nothing.
type TxWriter struct {
	r      *Registry
	ctx    context.Context
	tx     store.Tx
	a      auth.Actor
	leaves int
}

// InTx runs fn with a TxWriter; fn's error rolls everything back.
func (r *Registry) InTx(ctx context.Context, a auth.Actor, fn func(w *TxWriter) error) error {
	var w *TxWriter
	err := r.Store.InTx(ctx, func(tx store.Tx) error {
		w = &TxWriter{r: r, ctx: ctx, tx: tx, a: a}
		return fn(w)
	})
	if err != nil {
		return err
	}
	r.committedLeaves(w.leaves)
	return nil
}

// Write writes one batch like Registry.Write; a *BatchError names the bad
// items by their index in recs.
func (w *TxWriter) Write(recs []model.Record, mode Mode) ([]*Result, error) {
	res, err := w.r.writeTx(w.ctx, w.tx, w.a, recs, mode)
	if err != nil {
		return nil, err
	}
	for _, x := range res {
		if x != nil && x.Row != nil && x.Row.LeafIndex != nil {
			w.leaves++
		}
	}
	return res, nil
}

// BySourceID returns the id of the current record with that source_id
// written by the actor's organisation, or "" when there is none.
func (w *TxWriter) BySourceID(collection, sourceID string) (string, error) {
	row, err := w.tx.BySourceID(w.ctx, collection, submitter(w.a), sourceID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return row.ID, nil
}
