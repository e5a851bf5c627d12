package sqlstore

import (
	"context"
	"strings"

	"github.com/candor-observatory/candor/internal/fold"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// ExplorerQuery is a list query with the filters only the explorer uses:
// every collection at once (Collection ""), and demands by granularity.
type ExplorerQuery struct {
	store.Query
	Granularity string
}

// ExplorerList lists current records like List, newest first, with the
// extra filters of ExplorerQuery.
func (db *DB) ExplorerList(ctx context.Context, q ExplorerQuery) (*store.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var conds []string
	var args []any
	if q.Collection != "" {
		conds = append(conds, "r.collection = ?")
		args = append(args, q.Collection)
	}
	conds = append(conds, "r.current = 1")
	vc, va := visibilityCondition("r.", q.Visibility, q.Owner)
	conds = append(conds, vc)
	args = append(args, va...)
	for _, f := range []struct{ col, v string }{{"country", q.Country}, {"platform", q.Platform}, {"ref", q.Ref},
		{"source_id", q.SourceID}, {"granularity", q.Granularity}} {
		if f.v != "" {
			conds = append(conds, "r."+f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if len(q.Types) > 0 {
		var ors []string
		for _, t := range q.Types {
			ors = append(ors, "r.types LIKE ?")
			args = append(args, "% "+t+" %")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if q.From != nil {
		conds = append(conds, "(CASE WHEN r.t_end > r.t THEN r.t_end ELSE r.t END) >= ?")
		args = append(args, q.From.UnixMicro())
	}
	if q.To != nil {
		conds = append(conds, "r.t <= ?")
		args = append(args, q.To.UnixMicro())
	}
	if terms := fold.Terms(q.Q); len(terms) > 0 {
		c, a := db.d.SearchCondition("r", terms)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q.Cursor != "" {
		t, id, err := DecodeCursor(q.Cursor)
		if err != nil {
			return nil, model.Invalid("cursor", "%v", err)
		}
		conds = append(conds, "(r.t < ? OR (r.t = ? AND r.id < ?))")
		args = append(args, t, t, id)
	}
	query := `SELECT ` + prefixed("r.", recordSelectColumns) + ` FROM records r WHERE ` +
		strings.Join(conds, " AND ") + ` ORDER BY r.t DESC, r.id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("explorer list", err)
	}
	defer rows.Close()
	page := &store.Page{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("explorer list", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.NextCursor = encodeCursor(micros(last.Index.Start), last.ID)
	}
	return page, nil
}
