package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/fold"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

const recordInsertColumns = `collection, id, version, current, visibility, owner, submitted_by, country, platform,
	types, t, t_end, source_id, ref, granularity, reason, authority_type, period,
	requests_lo, requests_hi, requests_kind, requested_lo, requested_hi, requested_kind,
	actioned_lo, actioned_hi, actioned_kind, search, body, created_at, updated_at, leaf_index`

const recordInsertWidth = 32

const recordSelectColumns = `collection, id, version, visibility, submitted_by, owner, country, platform, types,
	t, t_end, source_id, ref, body, created_at, updated_at, leaf_index, requested_lo, requested_hi, requested_kind`

// kindRank orders Count kinds so that MAX() gives the weakest.
var kindRank = map[string]int{model.Exact: 0, model.Range: 1, model.LowerBound: 2, model.Suppressed: 3}
var rankKind = []string{model.Exact, model.Range, model.LowerBound, model.Suppressed}

func micros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMicro()
}

func countArgs(c *model.Count, present bool) []any {
	if !present {
		return []any{nil, nil, nil}
	}
	if c == nil {
		return []any{int64(0), nil, kindRank[model.Suppressed]}
	}
	var hi any
	if h, ok := c.Hi(); ok {
		hi = h
	}
	return []any{c.Lo(), hi, kindRank[c.Kind]}
}

// SearchText folds the record's text for the index.
func SearchText(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fold.String(p))
	}
	return b.String()
}

func rowArgs(r *store.Row) []any {
	ix := &r.Index
	types := ""
	if len(ix.Types) > 0 {
		types = " " + strings.Join(ix.Types, " ") + " "
	}
	args := []any{r.Collection, r.ID, r.Version, 1, string(r.Visibility), ix.Owner, r.SubmittedBy, ix.Country, ix.Platform,
		types, micros(ix.Start), micros(ix.End), ix.SourceID, ix.Ref}
	f := ix.Facts
	if f != nil {
		period := model.PeriodLabel(ix.Start, ix.End)
		args = append(args, nullStr(f.Granularity), nullStr(f.Reason), nullStr(f.AuthorityType), nullStr(period))
		demand := r.Collection == "demands"
		args = append(args, countArgs(f.Requests, demand)...)
		args = append(args, countArgs(f.Requested, demand)...)
		args = append(args, countArgs(f.Actioned, !demand)...)
	} else {
		args = append(args, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
	}
	var leaf any
	if r.LeafIndex != nil {
		leaf = *r.LeafIndex
	}
	return append(args, SearchText(ix.Text), string(r.Body),
		r.CreatedAt.UTC().Format(time.RFC3339Nano), r.UpdatedAt.UTC().Format(time.RFC3339Nano), leaf)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (*store.Row, error) {
	var r store.Row
	var vis, types, body, created, updated string
	var t, tEnd int64
	var leaf, reqLo, reqHi, reqKind sql.NullInt64
	err := s.Scan(&r.Collection, &r.ID, &r.Version, &vis, &r.SubmittedBy, &r.Index.Owner, &r.Index.Country,
		&r.Index.Platform, &types, &t, &tEnd, &r.Index.SourceID, &r.Index.Ref, &body, &created, &updated, &leaf,
		&reqLo, &reqHi, &reqKind)
	if err != nil {
		return nil, err
	}
	r.Visibility = model.Visibility(vis)
	r.Index.Types = strings.Fields(types)
	if t != 0 {
		tt := time.UnixMicro(t).UTC()
		r.Index.Start = &tt
	}
	if tEnd != 0 {
		tt := time.UnixMicro(tEnd).UTC()
		r.Index.End = &tt
	}
	r.Body = []byte(body)
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	if leaf.Valid {
		v := leaf.Int64
		r.LeafIndex = &v
	}
	// A demand's requested count lets its responses be read against it.
	if reqKind.Valid {
		r.Index.Facts = &model.Facts{Requested: sumCount(reqLo, reqHi, reqKind)}
	}
	return &r, nil
}

func (db *DB) Get(ctx context.Context, collection, id string, version int) (*store.Row, error) {
	var row *sql.Row
	if version > 0 {
		row = db.read.QueryRowContext(ctx, db.q(`SELECT `+recordSelectColumns+` FROM records
			WHERE collection = ? AND id = ? AND version = ?`), collection, id, version)
	} else {
		row = db.read.QueryRowContext(ctx, db.q(`SELECT `+recordSelectColumns+` FROM records
			WHERE collection = ? AND id = ? AND current = 1`), collection, id)
	}
	r, err := scanRow(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return r, wrap("get record", err)
}

func (db *DB) Versions(ctx context.Context, collection, id string) ([]store.VersionInfo, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT version, updated_at, submitted_by, leaf_index, visibility
		FROM records WHERE collection = ? AND id = ? ORDER BY version`), collection, id)
	if err != nil {
		return nil, wrap("list versions", err)
	}
	defer rows.Close()
	var out []store.VersionInfo
	for rows.Next() {
		var v store.VersionInfo
		var updated string
		var leaf sql.NullInt64
		if err := rows.Scan(&v.Version, &updated, &v.SubmittedBy, &leaf, &v.Visibility); err != nil {
			return nil, err
		}
		v.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		if leaf.Valid {
			n := leaf.Int64
			v.LeafIndex = &n
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// visibilityCondition admits the visibilities given, plus records owned by owner.
func visibilityCondition(alias string, vis []model.Visibility, owner string) (string, []any) {
	if len(vis) == 0 {
		vis = []model.Visibility{model.Public}
	}
	var args []any
	for _, v := range vis {
		args = append(args, string(v))
	}
	cond := alias + "visibility IN (" + placeholders(len(vis)) + ")"
	if owner != "" {
		cond = "(" + cond + " OR " + alias + "owner = ?)"
		args = append(args, owner)
	}
	return cond, args
}

func encodeCursor(t int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(t, 10) + ":" + id))
}

// DecodeCursor reads an opaque cursor.
func DecodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", fmt.Errorf("cursor is not valid")
	}
	ts, id, ok := strings.Cut(string(b), ":")
	t, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", fmt.Errorf("cursor is not valid")
	}
	return t, id, nil
}

func (db *DB) List(ctx context.Context, q store.Query) (*store.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	conds := []string{"r.current = 1"}
	var args []any
	if q.Collection != "" {
		conds = append(conds, "r.collection = ?")
		args = append(args, q.Collection)
	}
	vc, va := visibilityCondition("r.", q.Visibility, q.Owner)
	conds = append(conds, vc)
	args = append(args, va...)
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, "r."+col+" = ?")
			args = append(args, v)
		}
	}
	eq("country", q.Country)
	eq("platform", q.Platform)
	eq("granularity", q.Granularity)
	// The ref and source_id indexes are partial; the planner uses them
	// only when the query repeats their condition.
	if q.Ref != "" {
		conds = append(conds, "r.ref = ? AND r.ref <> ''")
		args = append(args, q.Ref)
	}
	if q.SourceID != "" {
		conds = append(conds, "r.source_id = ? AND r.source_id <> ''")
		args = append(args, q.SourceID)
	}
	if len(q.Types) > 0 {
		var ors []string
		for _, t := range q.Types {
			ors = append(ors, "r.types LIKE ?")
			args = append(args, "% "+t+" %")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	// A record overlaps [From, To] when it starts before To and ends after From.
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
	order := "r.t DESC, r.id DESC"
	if q.Oldest {
		order = "r.t ASC, r.id ASC"
	}
	if q.Cursor != "" {
		t, id, err := DecodeCursor(q.Cursor)
		if err != nil {
			return nil, model.Invalid("cursor", "%v", err)
		}
		if q.Oldest {
			conds = append(conds, "(r.t > ? OR (r.t = ? AND r.id > ?))")
		} else {
			conds = append(conds, "(r.t < ? OR (r.t = ? AND r.id < ?))")
		}
		args = append(args, t, t, id)
	}
	query := `SELECT ` + prefixed("r.", recordSelectColumns) + ` FROM records r WHERE ` +
		strings.Join(conds, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("list records", err)
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
		return nil, wrap("list records", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.NextCursor = encodeCursor(micros(last.Index.Start), last.ID)
	}
	return page, nil
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
