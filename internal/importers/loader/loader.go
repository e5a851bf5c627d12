// Package loader writes what the readers of outside formats yield through
// the registry, one file per transaction.
package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
)

// DefaultBatch is how many records go to the registry at a time.
const DefaultBatch = 1000

// Summary says what a load did.
type Summary struct {
	File      string
	Read      int // records read from the file
	Created   int
	Updated   int
	Unchanged int
}

func (s *Summary) count(res []*registry.Result) {
	for _, r := range res {
		switch r.Status {
		case "created":
			s.Created++
		case "updated":
			s.Updated++
		default:
			s.Unchanged++
		}
	}
}

// Loader writes what a reader yields through the registry, one file per
// transaction: a file is imported whole or, on any error, not at all.
// Records are upserted by source_id, so loading a file again changes
// nothing.
type Loader struct {
	Registry *registry.Registry
	Actor    auth.Actor
	// Batch is the number of records per registry call (DefaultBatch if 0).
	Batch int
}

// Load reads r, the content of file, in the given format.
func (l *Loader) Load(ctx context.Context, format importers.Format, r io.Reader, file importers.File) (*Summary, error) {
	sum := &Summary{File: file.Name}
	err := l.Registry.InTx(ctx, l.Actor, func(w *registry.TxWriter) error {
		rd, err := format.Open(r, file)
		if err != nil {
			return err
		}
		ld := &load{w: w, file: file, sum: sum, platforms: map[string]string{}}
		size := l.Batch
		if size <= 0 {
			size = DefaultBatch
		}
		var batch []importers.Item
		collection := "" // of the batch's last record that answers no other
		items, stop := readAhead(rd)
		defer stop()
		for {
			next, ok := <-items
			if !ok {
				break
			}
			it, err := next.it, next.err
			if err != nil {
				return err
			}
			sum.Read++
			if it.KeepExisting {
				if err := ld.ensure(it); err != nil {
					return err
				}
				continue
			}
			// A batch ends before a record of another collection (records
			// refer to those of collections written before them, and the
			// registry resolves references against what is already
			// written), but never between a parent and its children.
			if len(batch) > 0 && it.Parent == "" &&
				(len(batch) >= size || it.Record.Collection() != collection) {
				if err := ld.flush(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
			batch = append(batch, it)
			if it.Parent == "" {
				collection = it.Record.Collection()
			}
		}
		return ld.flush(batch)
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

type load struct {
	w    *registry.TxWriter
	file importers.File
	sum  *Summary
	// platforms maps organisation source_ids (slugs) to ids.
	platforms map[string]string
}

// ensure writes a reader-made record unless one with its source_id exists.
func (ld *load) ensure(it importers.Item) error {
	rec := it.Record
	sid := rec.Index().SourceID
	id, err := ld.w.BySourceID(rec.Collection(), sid)
	if err != nil {
		return err
	}
	if id == "" {
		res, err := ld.w.Write([]model.Record{rec}, registry.Create)
		if err != nil {
			return ld.located([]importers.Item{it}, err)
		}
		id = res[0].ID
		ld.sum.count(res)
	} else {
		ld.sum.Unchanged++
	}
	if _, ok := rec.(*model.Organisation); ok {
		ld.platforms[sid] = id
	}
	return nil
}

// flush writes a batch: first the records that answer no other, then,
// with their parents' ids filled in, the ones that do.
func (ld *load) flush(batch []importers.Item) error {
	if len(batch) == 0 {
		return nil
	}
	var parents, children []importers.Item
	for _, it := range batch {
		if it.Parent == "" {
			parents = append(parents, it)
		} else {
			children = append(children, it)
		}
	}
	ids := map[string]string{}
	if err := ld.write(parents, ids, len(children) > 0); err != nil {
		return err
	}
	return ld.write(children, ids, false)
}

// write writes items whose parents' ids are in ids, and, when keep is set,
// adds the ids of the written records there.
func (ld *load) write(items []importers.Item, ids map[string]string, keep bool) error {
	if len(items) == 0 {
		return nil
	}
	recs := make([]model.Record, len(items))
	for i := range items {
		it := &items[i]
		var platformID, parentID string
		if it.Platform != "" {
			var ok bool
			if platformID, ok = ld.platforms[it.Platform]; !ok {
				return importers.Errorf(ld.file.Name, it.Line, "platform", "platform %q was not read before this record", it.Platform)
			}
		}
		if it.Parent != "" {
			var ok bool
			if parentID, ok = ids[it.Parent]; !ok {
				return importers.Errorf(ld.file.Name, it.Line, "", "refers to %q, which does not come just before it in the file", it.Parent)
			}
		}
		it.Link(platformID, parentID)
		recs[i] = it.Record
	}
	res, err := ld.w.Write(recs, registry.Upsert)
	if err != nil {
		return ld.located(items, err)
	}
	ld.sum.count(res)
	if keep {
		for i, r := range res {
			if sid := recs[i].Index().SourceID; sid != "" {
				ids[sid] = r.ID
			}
		}
	}
	return nil
}

// located turns the registry's per-item errors into file:line errors.
func (ld *load) located(items []importers.Item, err error) error {
	var be *registry.BatchError
	if !errors.As(err, &be) || len(be.Items) == 0 {
		return fmt.Errorf("%s: %w", ld.file.Name, err)
	}
	first := be.Items[0]
	le := &importers.LineError{File: ld.file.Name, Err: errors.New("rejected")}
	if first.Index >= 0 && first.Index < len(items) {
		le.Line = items[first.Index].Line
	}
	if len(first.Errors) > 0 {
		le.Column, le.Err = first.Errors[0].Field, errors.New(first.Errors[0].Message)
	}
	if n := len(be.Items) - 1; n > 0 {
		le.Err = fmt.Errorf("%w (and %d more records with errors in the same batch)", le.Err, n)
	}
	return &LoadError{LineError: le, Items: be.Items}
}

// LoadError is a rejected import: the first bad record located in the
// file, and all the registry's per-item errors of its batch.
type LoadError struct {
	*importers.LineError
	Items []registry.ItemError
}

func (e *LoadError) Unwrap() error { return e.LineError }

type readItem struct {
	it  importers.Item
	err error
}

// readAhead decodes items on another goroutine while the caller writes
// the previous ones, so that parsing and writing use both cores. The
// channel closes after the last item or the first error; stop ends the
// reader early.
func readAhead(rd importers.Reader) (<-chan readItem, func()) {
	out := make(chan readItem, 4096)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for {
			it, err := rd.Next()
			if err == io.EOF {
				return
			}
			select {
			case out <- readItem{it, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(done) })
		for range out {
		}
	}
}
