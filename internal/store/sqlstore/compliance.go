package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// Compliance sums demands and their responses per group. Each sum keeps the
// weakest Count kind among its terms (MAX over kind ranks).
func (db *DB) Compliance(ctx context.Context, q store.ComplianceQuery) ([]store.ComplianceRow, error) {
	for i, g := range q.GroupBy {
		if !store.ComplianceGroupKeys.Has(g) {
			return nil, model.Invalid("group_by", "%q is not one of %s", g, store.ComplianceGroupKeys)
		}
		for _, h := range q.GroupBy[:i] {
			if h == g {
				return nil, model.Invalid("group_by", "%q is given twice", g)
			}
		}
	}
	var cols []string
	for _, g := range q.GroupBy {
		cols = append(cols, "COALESCE(d."+g+", '')")
	}
	conds := []string{"d.collection = 'demands'", "d.current = 1"}
	vc, args := visibilityCondition("d.", q.Visibility, "")
	conds = append(conds, vc)
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, "d."+col+" = ?")
			args = append(args, v)
		}
	}
	eq("country", q.Country)
	eq("platform", q.Platform)
	eq("reason", q.Reason)
	eq("authority_type", q.AuthorityType)
	if q.From != nil {
		conds = append(conds, "d.t >= ?")
		args = append(args, q.From.UnixMicro())
	}
	if q.To != nil {
		conds = append(conds, "d.t <= ?")
		args = append(args, q.To.UnixMicro())
	}
	sel := append([]string{}, cols...)
	sel = append(sel,
		"COUNT(*)",
		"SUM(d.requests_lo)", "SUM(d.requests_hi)", "MAX(d.requests_kind)",
		"SUM(d.requested_lo)", "SUM(d.requested_hi)", "MAX(d.requested_kind)",
		"COALESCE(SUM(CASE WHEN r.rid IS NULL THEN 0 ELSE 1 END), 0)",
		"SUM(CASE WHEN r.rid IS NULL THEN NULL ELSE d.requested_lo END)",
		"SUM(CASE WHEN r.rid IS NULL THEN NULL ELSE d.requested_hi END)",
		"MAX(CASE WHEN r.rid IS NULL THEN NULL ELSE d.requested_kind END)",
		"SUM(r.actioned_lo)", "SUM(r.actioned_hi)", "MAX(r.actioned_kind)")
	query := `SELECT ` + strings.Join(sel, ", ") + ` FROM records d
		LEFT JOIN records r ON r.collection = 'responses' AND r.current = 1 AND r.ref <> '' AND r.ref = d.id
		WHERE ` + strings.Join(conds, " AND ")
	if len(cols) > 0 {
		query += ` GROUP BY ` + strings.Join(cols, ", ") + ` ORDER BY ` + strings.Join(cols, ", ")
	}
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("compliance", err)
	}
	defer rows.Close()
	var out []store.ComplianceRow
	for rows.Next() {
		keys := make([]string, len(cols))
		var n, responded int64
		var c [12]sql.NullInt64
		dest := make([]any, 0, len(cols)+14)
		for i := range keys {
			dest = append(dest, &keys[i])
		}
		dest = append(dest, &n, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &responded, &c[6], &c[7], &c[8], &c[9], &c[10], &c[11])
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		row := store.ComplianceRow{Group: map[string]string{}, Records: n, Responded: responded,
			Demands:        sumCount(c[0], c[1], c[2]),
			ItemsRequested: sumCount(c[3], c[4], c[5]),
			RespondedItems: sumCount(c[6], c[7], c[8]),
			ItemsActioned:  sumCount(c[9], c[10], c[11]),
		}
		for i, g := range q.GroupBy {
			row.Group[g] = keys[i]
		}
		row.ComplianceRate, row.RateMin, row.RateMax = Rate(row.ItemsActioned, row.RespondedItems)
		out = append(out, row)
	}
	return out, rows.Err()
}

func sumCount(lo, hi, kind sql.NullInt64) *model.Count {
	if !kind.Valid {
		return nil
	}
	k := rankKind[kind.Int64]
	l := lo.Int64
	c := &model.Count{Kind: k, Min: &l}
	switch k {
	case model.Exact:
		v := l
		c.Value, c.Max = &v, &v
	case model.Range:
		h := hi.Int64
		c.Max = &h
	}
	return c
}

// Rate is actioned/requested: a single figure when both are exact, and the
// bounds the counts allow otherwise.
func Rate(actioned, requested *model.Count) (rate, lo, hi *float64) {
	if actioned == nil || requested == nil {
		return nil, nil, nil
	}
	if actioned.Kind == model.Exact && requested.Kind == model.Exact {
		if requested.Lo() == 0 {
			return nil, nil, nil
		}
		r := float64(actioned.Lo()) / float64(requested.Lo())
		return &r, nil, nil
	}
	if reqHi, ok := requested.Hi(); ok && reqHi > 0 {
		l := float64(actioned.Lo()) / float64(reqHi)
		lo = &l
	}
	if actHi, ok := actioned.Hi(); ok && requested.Lo() > 0 {
		h := float64(actHi) / float64(requested.Lo())
		if h > 1 {
			h = 1
		}
		hi = &h
	}
	return nil, lo, hi
}
