// Package registry is the one write path of Candor: every record from the
// API, an importer or the CLI is validated, authorized, given an id and a
// version, turned into canonical JSON and written in one store transaction
// together with its audit entry and its ledger leaf.
package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/canonjson"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// MaxBatch is the largest batch the API accepts.
const MaxBatch = 1000

// Registry writes records.
type Registry struct {
	Store store.Store
	// Now is the clock; tests fix it.
	Now func() time.Time
	// guards decide alone who may write their collection (see Guard).
	guards map[string]Guard
	// committed hooks are told how many leaves each commit added.
	committed []func(leaves int)
}

// Option configures a Registry at construction.
type Option func(*Registry)

// WithGuard makes g the only judge of writes to collection's records.
func WithGuard(collection string, g Guard) Option {
	return func(r *Registry) { r.guards[collection] = g }
}

// OnCommit has fn told, after each commit that added ledger leaves, how
// many it added.
func OnCommit(fn func(leaves int)) Option {
	return func(r *Registry) { r.committed = append(r.committed, fn) }
}

// WithClock sets the clock that stamps versions.
func WithClock(now func() time.Time) Option {
	return func(r *Registry) { r.Now = now }
}

// New returns a registry over s. A collection with a guard in its own
// package (cases) is written only by a registry given that guard: without
// it, the collection is refused.
func New(s store.Store, opts ...Option) *Registry {
	r := &Registry{Store: s, Now: func() time.Time { return time.Now().UTC() }, guards: map[string]Guard{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Result says what happened to one record.
type Result struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Version    int    `json:"version"`
	// Status is "created", "updated" or "unchanged".
	Status string     `json:"status"`
	Row    *store.Row `json:"-"`
	// publicPart is the leaf source of a non-public record that has a public
	// part (model.PublicParter); auditDetail goes into its audit entry.
	publicPart  []byte
	auditDetail string
}

// ItemError is what went wrong with one record of a batch.
type ItemError struct {
	Index  int                `json:"index"`
	Line   int                `json:"line,omitempty"`
	Errors []model.FieldError `json:"errors"`
	// Conflict is set when the item's source_id is already used.
	Conflict *store.ConflictError `json:"-"`
}

// BatchError rejects a whole batch; nothing was written.
type BatchError struct {
	Items []ItemError
}

func (e *BatchError) Error() string {
	if len(e.Items) == 0 {
		return "batch rejected"
	}
	first := e.Items[0]
	msg := fmt.Sprintf("item %d", first.Index)
	if first.Line > 0 {
		msg = fmt.Sprintf("line %d", first.Line)
	}
	if len(first.Errors) > 0 {
		msg += ": " + first.Errors[0].Field + ": " + first.Errors[0].Message
	}
	if len(e.Items) > 1 {
		msg += fmt.Sprintf(" (and %d more items with errors)", len(e.Items)-1)
	}
	return "batch rejected, nothing written: " + msg
}

// ErrForbidden means the actor may not write this record.
var ErrForbidden = errors.New("forbidden")

// ForbiddenError names why.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string        { return e.Reason }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }
func forbidden(format string, a ...any) error  { return &ForbiddenError{fmt.Sprintf(format, a...)} }

// Mode says how existing records are treated.
type Mode int

const (
	// Create refuses a source_id that is already used (409).
	Create Mode = iota
	// Upsert leaves an identical record alone and versions a changed one,
	// so that re-importing a file is idempotent.
	Upsert
)

// Create writes one new record.
func (r *Registry) Create(ctx context.Context, a auth.Actor, rec model.Record) (*Result, error) {
	res, err := r.Write(ctx, a, []model.Record{rec}, Create)
	if err != nil {
		var be *BatchError
		if errors.As(err, &be) && len(be.Items) == 1 {
			return nil, itemErr(be.Items[0])
		}
		return nil, err
	}
	return res[0], nil
}

func itemErr(it ItemError) error {
	if it.Conflict != nil {
		return it.Conflict
	}
	for _, fe := range it.Errors {
		if fe.Field == "" {
			return &ForbiddenError{Reason: fe.Message}
		}
	}
	return &model.ValidationError{Errors: it.Errors}
}

// Update writes version N+1 of an existing record.
func (r *Registry) Update(ctx context.Context, a auth.Actor, id string, rec model.Record) (*Result, error) {
	rec.Base().ID = id
	var res *Result
	err := r.Store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Current(ctx, rec.Collection(), id)
		if err != nil {
			return err
		}
		p, err := r.prepare(ctx, tx, a, rec, &refCache{})
		if err != nil {
			return err
		}
		if g := r.guards[rec.Collection()]; g != nil {
			if err := g(ctx, tx, a, rec, cur); err != nil {
				return err
			}
		} else if a.Role != auth.Admin && cur.Index.Owner != "" && cur.Index.Owner != a.Org && cur.SubmittedBy != a.Org {
			return forbidden("this record belongs to organisation %s", cur.Index.Owner)
		}
		res, err = r.writeVersion(ctx, tx, a, p, cur, r.now())
		if err != nil {
			return err
		}
		return r.flush(ctx, tx, a, []*Result{res})
	})
	if err != nil {
		return nil, err
	}
	r.notify(res)
	return res, nil
}

// Write writes records atomically: all of them or, on any error, none.
func (r *Registry) Write(ctx context.Context, a auth.Actor, recs []model.Record, mode Mode) ([]*Result, error) {
	var out []*Result
	err := r.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = r.writeTx(ctx, tx, a, recs, mode)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.notify(out...)
	return out, nil
}

func (r *Registry) notify(res ...*Result) {
	n := 0
	for _, x := range res {
		if x != nil && x.Row != nil && x.Row.LeafIndex != nil {
			n++
		}
	}
	r.committedLeaves(n)
}

func (r *Registry) committedLeaves(n int) {
	if n == 0 {
		return
	}
	for _, fn := range r.committed {
		fn(n)
	}
}

type prepared struct {
	rec       model.Record
	index     model.Index
	sourceKey string
}

func (r *Registry) writeTx(ctx context.Context, tx store.Tx, a auth.Actor, recs []model.Record, mode Mode) ([]*Result, error) {
	var items []ItemError
	fail := func(i int, err error) error {
		it, ok := asItem(i, err)
		if !ok {
			return err
		}
		items = append(items, it)
		return nil
	}
	refs := &refCache{}
	// Records that bring their own id (an exported file read back) may be
	// referred to by later records of the same batch.
	for _, rec := range recs {
		if id := rec.Base().ID; id != "" {
			refs.put(rec.Collection(), id, rec.Index())
		}
	}
	preps := make([]*prepared, len(recs))
	seen := map[string]int{}
	for i, rec := range recs {
		p, err := r.prepare(ctx, tx, a, rec, refs)
		if err != nil {
			if err := fail(i, err); err != nil {
				return nil, err
			}
			continue
		}
		if p.sourceKey != "" {
			if j, dup := seen[p.sourceKey]; dup {
				items = append(items, ItemError{Index: i, Errors: []model.FieldError{{Field: "source_id",
					Message: fmt.Sprintf("repeats the source_id of item %d", j)}}})
				continue
			}
			seen[p.sourceKey] = i
		}
		preps[i] = p
	}
	existing, err := r.lookupExisting(ctx, tx, a, preps)
	if err != nil {
		return nil, err
	}
	out := make([]*Result, len(recs))
	placed := r.placeAll(ctx, tx, a, preps, existing, mode)
	for i, p := range preps {
		if p == nil {
			continue
		}
		res, err := placed[i].res, placed[i].err
		if err != nil {
			if err := fail(i, err); err != nil {
				return nil, err
			}
			continue
		}
		if res.Row != nil {
			refs.put(res.Collection, res.ID, res.Row.Index)
		}
		out[i] = res
	}
	if len(items) > 0 {
		sort.Slice(items, func(x, y int) bool { return items[x].Index < items[y].Index })
		return nil, &BatchError{Items: items}
	}
	if err := r.flush(ctx, tx, a, out); err != nil {
		return nil, err
	}
	return out, nil
}

// lookupExisting finds, in a few queries, the current version of every
// prepared record that names an id or a source_id already stored.
func (r *Registry) lookupExisting(ctx context.Context, tx store.Tx, a auth.Actor, preps []*prepared) ([]*store.Row, error) {
	ids := map[string][]string{}
	sids := map[string][]string{}
	for _, p := range preps {
		if p == nil {
			continue
		}
		c := p.rec.Collection()
		if id := p.rec.Base().ID; id != "" {
			ids[c] = append(ids[c], id)
		}
		if p.index.SourceID != "" {
			sids[c] = append(sids[c], p.index.SourceID)
		}
	}
	byID := map[string]map[string]*store.Row{}
	for c, list := range ids {
		m, err := tx.CurrentMany(ctx, c, list)
		if err != nil {
			return nil, err
		}
		byID[c] = m
	}
	bySource := map[string]map[string]*store.Row{}
	for c, list := range sids {
		m, err := tx.BySourceIDs(ctx, c, submitter(a), list)
		if err != nil {
			return nil, err
		}
		bySource[c] = m
	}
	out := make([]*store.Row, len(preps))
	for i, p := range preps {
		if p == nil {
			continue
		}
		c := p.rec.Collection()
		if id := p.rec.Base().ID; id != "" {
			if row := byID[c][id]; row != nil {
				out[i] = row
				continue
			}
		}
		if p.index.SourceID != "" {
			out[i] = bySource[c][p.index.SourceID]
		}
	}
	return out, nil
}

func asItem(i int, err error) (ItemError, bool) {
	var ve *model.ValidationError
	var ce *store.ConflictError
	var fe *ForbiddenError
	switch {
	case errors.As(err, &ve):
		return ItemError{Index: i, Errors: ve.Errors}, true
	case errors.As(err, &ce):
		msg := "is already used by " + ce.Collection + "/" + ce.ID
		return ItemError{Index: i, Conflict: ce, Errors: []model.FieldError{{Field: "source_id", Message: msg}}}, true
	case errors.As(err, &fe):
		return ItemError{Index: i, Errors: []model.FieldError{{Field: "", Message: fe.Reason}}}, true
	}
	return ItemError{}, false
}

type placement struct {
	res *Result
	err error
}

// placeAll places every prepared record. Placing is Go work (canonical
// JSON above all) unless a collection's guard reads the store, so a large
// unguarded batch is placed by two goroutines while the other core would
// otherwise wait for the writer.
func (r *Registry) placeAll(ctx context.Context, tx store.Tx, a auth.Actor, preps []*prepared, existing []*store.Row, mode Mode) []placement {
	out := make([]placement, len(preps))
	now := r.now()
	one := func(i int) {
		if p := preps[i]; p != nil {
			out[i].res, out[i].err = r.place(ctx, tx, a, p, existing[i], mode, now)
		}
	}
	parallel := len(preps) >= 64
	for _, p := range preps {
		if p != nil && r.guards[p.rec.Collection()] != nil {
			parallel = false
			break
		}
	}
	if !parallel {
		for i := range preps {
			one(i)
		}
		return out
	}
	half := len(preps) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := half; i < len(preps); i++ {
			one(i)
		}
	}()
	for i := 0; i < half; i++ {
		one(i)
	}
	wg.Wait()
	return out
}

// place decides whether a prepared record is new, a new version or
// unchanged, given the current version found for its id or source_id.
func (r *Registry) place(ctx context.Context, tx store.Tx, a auth.Actor, p *prepared, cur *store.Row, mode Mode, now time.Time) (*Result, error) {
	m := p.rec.Base()
	if cur != nil && mode == Create {
		if m.ID != "" && cur.ID == m.ID {
			return nil, model.Invalid("id", "record %s already exists; update it instead", m.ID)
		}
		return nil, &store.ConflictError{Collection: cur.Collection, ID: cur.ID, SourceID: p.index.SourceID}
	}
	if g := r.guards[p.rec.Collection()]; g != nil {
		if err := g(ctx, tx, a, p.rec, cur); err != nil {
			return nil, err
		}
	} else if cur != nil && a.Role != auth.Admin && cur.Index.Owner != "" && cur.Index.Owner != a.Org && cur.SubmittedBy != a.Org {
		return nil, forbidden("record %s belongs to organisation %s", cur.ID, cur.Index.Owner)
	}
	return r.writeVersion(ctx, tx, a, p, cur, now)
}

func submitter(a auth.Actor) string { return a.Org }

// now is the time a write stamps on the versions it makes: one reading of
// the clock per batch, as the batch is one transaction.
func (r *Registry) now() time.Time { return r.Now().UTC().Truncate(time.Microsecond) }

// writeVersion fills the meta fields and canonicalises the record; an
// Upsert of an identical record is reported unchanged and writes nothing.
func (r *Registry) writeVersion(ctx context.Context, tx store.Tx, a auth.Actor, p *prepared, cur *store.Row, now time.Time) (*Result, error) {
	m := p.rec.Base()
	if cur == nil {
		if m.ID == "" {
			m.ID = ulid.Make().String()
		} else if _, err := ulid.ParseStrict(m.ID); err != nil {
			return nil, model.Invalid("id", "must be a ULID")
		}
		m.Version, m.CreatedAt, m.UpdatedAt = 1, now, now
	} else {
		var old model.Meta
		if err := json.Unmarshal(cur.Body, &old); err != nil {
			return nil, fmt.Errorf("read stored %s/%s: %w", cur.Collection, cur.ID, err)
		}
		m.ID, m.Version, m.CreatedAt, m.UpdatedAt = cur.ID, old.Version, old.CreatedAt, old.UpdatedAt
		m.SubmittedBy = old.SubmittedBy
		same, err := Canonical(p.rec)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(same, cur.Body) {
			return &Result{Collection: cur.Collection, ID: cur.ID, Version: cur.Version, Status: "unchanged"}, nil
		}
		m.Version, m.UpdatedAt = old.Version+1, now
	}
	m.SubmittedBy = submitter(a)
	// The index is taken again now that the id is known (an organisation
	// indexes itself as a platform by its own id).
	p.index = p.rec.Index()
	body, err := Canonical(p.rec)
	if err != nil {
		return nil, err
	}
	row := &store.Row{Collection: p.rec.Collection(), ID: m.ID, Version: m.Version, Visibility: m.Visibility,
		SubmittedBy: m.SubmittedBy, Index: p.index, Body: body, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	status := "created"
	if m.Version > 1 {
		status = "updated"
	}
	res := &Result{Collection: row.Collection, ID: row.ID, Version: row.Version, Status: status, Row: row}
	if pp, ok := p.rec.(model.PublicParter); ok && row.Visibility != model.Public {
		if res.publicPart, err = Canonical(pp.PublicPart()); err != nil {
			return nil, err
		}
	}
	if d, ok := p.rec.(model.AuditDetailer); ok {
		res.auditDetail = d.AuditDetail()
	}
	return res, nil
}

// flush writes the new versions, their leaves and audit entries.
func (r *Registry) flush(ctx context.Context, tx store.Tx, a auth.Actor, res []*Result) error {
	var rows []*store.Row
	var leaves []store.Leaf
	var leafRows []*store.Row
	var audit []store.AuditEntry
	now := r.Now().UTC()
	for _, x := range res {
		if x == nil || x.Row == nil {
			continue
		}
		rows = append(rows, x.Row)
		leaf, publish := x.Row.Body, x.Row.Visibility == model.Public
		src := x.Row
		if x.publicPart != nil {
			// A sealed record enters the log by its public part only.
			cp := *x.Row
			cp.Body = x.publicPart
			leaf, publish, src = x.publicPart, true, &cp
		}
		if publish {
			l, err := ledger.StoredLeaf(src.Collection, src.ID, src.Version, leaf)
			if err != nil {
				return err
			}
			if len(l.Data) > ledger.MaxEntrySize {
				return model.Invalid("", "record is %d bytes in the ledger, more than the %d allowed", len(l.Data), ledger.MaxEntrySize)
			}
			leaves = append(leaves, l)
			leafRows = append(leafRows, x.Row)
		}
		action := "create"
		if x.Version > 1 {
			action = "update"
		}
		audit = append(audit, store.AuditEntry{At: now, ActorOrg: a.Org, ActorToken: a.TokenID,
			Action: x.Collection + "." + action, Collection: x.Collection, RecordID: x.ID, Version: x.Version,
			Detail: x.auditDetail})
	}
	if len(rows) == 0 {
		return nil
	}
	first, err := tx.AppendLeaves(ctx, leaves)
	if err != nil {
		return err
	}
	for i, row := range leafRows {
		n := first + int64(i)
		row.LeafIndex = &n
	}
	if err := tx.Put(ctx, rows); err != nil {
		return err
	}
	return tx.AddAudit(ctx, audit)
}

// Canonical is the RFC 8785 form of a record: what the ledger hashes, what
// ?version=N returns and what export writes.
func Canonical(rec model.Record) ([]byte, error) {
	return canonjson.Marshal(rec)
}
