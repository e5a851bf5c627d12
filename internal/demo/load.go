package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
)

// Stats says what a load did.
type Stats struct {
	Created, Updated, Unchanged int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", s.Created, s.Updated, s.Unchanged)
}

// Load writes the demo records through the registry as the operator, all
// in one transaction. The ids are fixed, so a second load finds every record
// unchanged and writes nothing; a record edited in the file becomes a new
// version. An organisation already in the store under the same slug (an
// importer's "google") is kept, and the demo records refer to it.
func Load(ctx context.Context, reg *registry.Registry) (Stats, error) {
	recs, err := Records()
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	err = reg.InTx(ctx, auth.System, func(w *registry.TxWriter) error {
		recs, kept, err := adoptOrganisations(w, recs)
		if err != nil {
			return err
		}
		st.Unchanged += kept
		levels, err := writeOrder(recs)
		if err != nil {
			return err
		}
		for _, batch := range levels {
			res, err := w.Write(batch, registry.Upsert)
			if err != nil {
				return err
			}
			for _, r := range res {
				switch r.Status {
				case "created":
					st.Created++
				case "updated":
					st.Updated++
				default:
					st.Unchanged++
				}
			}
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("load demo data: %w", err)
	}
	return st, nil
}

// adoptOrganisations drops the demo organisations whose slug is already
// used by another record in the store and points every reference at that
// record instead. It returns the records left to write and how many
// organisations were adopted.
func adoptOrganisations(w *registry.TxWriter, recs []model.Record) ([]model.Record, int, error) {
	remap := map[string]string{}
	var out []model.Record
	for _, r := range recs {
		o, ok := r.(*model.Organisation)
		if !ok {
			out = append(out, r)
			continue
		}
		id, err := w.BySourceID("organisations", o.Slug)
		if err != nil {
			return nil, 0, err
		}
		if id != "" && id != o.ID {
			remap[o.ID] = id
			continue
		}
		out = append(out, r)
	}
	if len(remap) == 0 {
		return out, 0, nil
	}
	for i, r := range out {
		body, err := json.Marshal(r)
		if err != nil {
			return nil, 0, err
		}
		changed := false
		for from, to := range remap {
			if b := bytes.ReplaceAll(body, []byte(`"`+from+`"`), []byte(`"`+to+`"`)); !bytes.Equal(b, body) {
				body, changed = b, true
			}
		}
		if !changed {
			continue
		}
		rec := model.New(r.Collection())
		if err := json.Unmarshal(body, rec); err != nil {
			return nil, 0, err
		}
		out[i] = rec
	}
	return out, len(remap), nil
}

// writeOrder splits recs into batches such that every record refers only to
// records of earlier batches: the registry checks a batch's references
// against what is already written. A record refers to another when the
// other's id appears in its JSON; the file's order is kept within a batch.
func writeOrder(recs []model.Record) ([][]model.Record, error) {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = `"` + r.Base().ID + `"`
	}
	deps := make([][]int, len(recs))
	for i, r := range recs {
		body, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		own := []byte(ids[i])
		body = bytes.Replace(body, own, nil, 1) // its own id, in "id"
		for j, id := range ids {
			if j != i && bytes.Contains(body, []byte(id)) {
				deps[i] = append(deps[i], j)
			}
		}
	}
	level := make([]int, len(recs))
	for i := range level {
		level[i] = -1
	}
	var visit func(i int, path map[int]bool) (int, error)
	visit = func(i int, path map[int]bool) (int, error) {
		if level[i] >= 0 {
			return level[i], nil
		}
		if path[i] {
			return 0, fmt.Errorf("%s: records refer to each other in a cycle through %s", FileName, keyOf(recs[i]))
		}
		path[i] = true
		l := 0
		for _, j := range deps[i] {
			lj, err := visit(j, path)
			if err != nil {
				return 0, err
			}
			l = max(l, lj+1)
		}
		delete(path, i)
		level[i] = l
		return l, nil
	}
	var out [][]model.Record
	for i := range recs {
		l, err := visit(i, map[int]bool{})
		if err != nil {
			return nil, err
		}
		for len(out) <= l {
			out = append(out, nil)
		}
	}
	for i, r := range recs {
		out[level[i]] = append(out[level[i]], r)
	}
	return out, nil
}

// keyOf is a record's demo key.
func keyOf(r model.Record) string {
	if o, ok := r.(*model.Organisation); ok {
		return KeyPrefix + o.Slug
	}
	return r.Index().SourceID
}
