package demo

import (
	"context"
	"fmt"
	"sort"

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

// Load writes the demo records through the registry as the operator, in
// one transaction. The ids are fixed, so a second load finds every record
// unchanged and writes nothing; a record edited in the file becomes a new
// version.
func Load(ctx context.Context, reg *registry.Registry) (Stats, error) {
	recs, err := Records()
	if err != nil {
		return Stats{}, err
	}
	res, err := reg.Write(ctx, auth.System, inWriteOrder(recs), registry.Upsert)
	if err != nil {
		return Stats{}, fmt.Errorf("load demo data: %w", err)
	}
	var st Stats
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
	return st, nil
}

// writeRank puts records that others refer to first; within a collection
// the file's order is kept (a law before the laws that amend it).
var writeRank = map[string]int{"organisations": 0, "authorities": 1, "laws": 2, "demands": 3, "responses": 4}

func inWriteOrder(recs []model.Record) []model.Record {
	out := append([]model.Record(nil), recs...)
	rank := func(r model.Record) int {
		if n, ok := writeRank[r.Collection()]; ok {
			return n
		}
		return len(writeRank) // collections added later refer to the ones above
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}
