package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/store"
)

// Tx is a store.Tx over a database/sql transaction.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt
	// leaves appended in this transaction, from index leavesFirst.
	leaves      [][]byte
	leavesFirst int64
	// pendingFields are the salts of appended leaves, written before commit.
	pendingFields []store.FieldSalt
}

func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(ctx, t.db.q(query))
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = s
	return s, nil
}

func (t *Tx) closeStmts() {
	for _, s := range t.stmts {
		s.Close()
	}
}

func (t *Tx) Current(ctx context.Context, collection, id string) (*store.Row, error) {
	s, err := t.stmt(ctx, `SELECT `+recordSelectColumns+` FROM records WHERE collection = ? AND id = ? AND current = 1`)
	if err != nil {
		return nil, err
	}
	r, err := scanRow(s.QueryRowContext(ctx, collection, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return r, wrap("read current record", err)
}

func (t *Tx) BySourceID(ctx context.Context, collection, submittedBy, sourceID string) (*store.Row, error) {
	s, err := t.stmt(ctx, `SELECT `+recordSelectColumns+` FROM records
		WHERE collection = ? AND submitted_by = ? AND source_id = ? AND current = 1 AND source_id <> ''`)
	if err != nil {
		return nil, err
	}
	r, err := scanRow(s.QueryRowContext(ctx, collection, submittedBy, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return r, wrap("find by source_id", err)
}

func (t *Tx) CurrentMany(ctx context.Context, collection string, ids []string) (map[string]*store.Row, error) {
	// For PostgreSQL the newest version is read and kept if current: only
	// the (collection, id, version) index can serve that, so no partial
	// index of the collection can be picked instead (see many).
	return t.many(ctx, `collection = ? AND current = 1 AND id`,
		`SELECT current, `+recordSelectColumns+` FROM records WHERE collection = ? AND id = k.key ORDER BY version DESC LIMIT 1`,
		[]any{collection}, ids, func(r *store.Row) string { return r.ID })
}

func (t *Tx) BySourceIDs(ctx context.Context, collection, submittedBy string, sourceIDs []string) (map[string]*store.Row, error) {
	return t.many(ctx, `collection = ? AND submitted_by = ? AND current = 1 AND source_id <> '' AND source_id`,
		`SELECT current, `+recordSelectColumns+` FROM records WHERE collection = ? AND submitted_by = ? AND current = 1
			AND source_id <> '' AND source_id = k.key LIMIT 1`,
		[]any{collection, submittedBy}, sourceIDs, func(r *store.Row) string { return r.Index.SourceID })
}

// many finds the current rows whose keyed column (the last one named in
// cond) is one of keys, and maps them by key. With array parameters the
// lookup is one probe per key by lateral, a query over k.key: an IN list
// over a table that this very transaction is filling, and whose
// statistics still say it is empty, gets planned as a scan.
func (t *Tx) many(ctx context.Context, cond, lateral string, args []any, keys []string, key func(*store.Row) string) (map[string]*store.Row, error) {
	out := map[string]*store.Row{}
	per := 500
	if t.db.d.ArrayParams() {
		per = 5000
	}
	for i := 0; i < len(keys); i += per {
		chunk := keys[i:min(i+per, len(keys))]
		var query string
		var a []any
		if t.db.d.ArrayParams() {
			query = `SELECT ` + prefixed("r.", recordSelectColumns) + ` FROM unnest(?::text[]) AS k(key)
				CROSS JOIN LATERAL (` + lateral + `) r WHERE r.current = 1`
			a = append([]any{chunk}, args...)
		} else {
			query = `SELECT ` + recordSelectColumns + ` FROM records WHERE ` + cond + ` IN (` + placeholders(len(chunk)) + `)`
			a = append(append([]any{}, args...), make([]any, len(chunk))...)
			for j, k := range chunk {
				a[len(args)+j] = k
			}
		}
		s, err := t.stmt(ctx, query)
		if err != nil {
			return nil, err
		}
		rows, err := s.QueryContext(ctx, a...)
		if err != nil {
			return nil, wrap("look up records", err)
		}
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[key(r)] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) Put(ctx context.Context, rows []*store.Row) error {
	// Earlier versions stop being current before the new ones go in, so the
	// unique source_id index only ever sees one current row.
	for _, r := range rows {
		if r.Version > 1 {
			s, err := t.stmt(ctx, `UPDATE records SET current = 0 WHERE collection = ? AND id = ? AND current = 1`)
			if err != nil {
				return err
			}
			if _, err := s.ExecContext(ctx, r.Collection, r.ID); err != nil {
				return wrap("retire old version", err)
			}
		}
	}
	per := t.db.d.MaxParams() / recordInsertWidth
	if per > 500 {
		per = 500
	}
	if t.db.d.ArrayParams() {
		// Arrays have no parameter limit; 4,096 rows is about 4 MiB.
		per = 4096
	}
	index := t.db.d.IndexSearch()
	var lastRid int64
	if index != "" {
		s, err := t.stmt(ctx, `SELECT COALESCE(MAX(rid), 0) FROM records`)
		if err != nil {
			return err
		}
		if err := s.QueryRowContext(ctx).Scan(&lastRid); err != nil {
			return wrap("read last rid", err)
		}
	}
	if err := t.insertRecords(ctx, rows, per); err != nil {
		return err
	}
	if index != "" {
		s, err := t.stmt(ctx, index)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, lastRid); err != nil {
			return wrap("index search text", err)
		}
	}
	return t.refreshStats(ctx, len(rows))
}

// refreshStats re-reads table statistics each time the rows this process
// has written double (2,000, 4,000, 8,000…), so that lookups keep using the
// right index while a fresh database fills, be it in one large import
// (ANALYZE sees the transaction's own rows) or in many small batches
// before the server's own autovacuum gets round to the table.
func (t *Tx) refreshStats(ctx context.Context, rows int) error {
	q := t.db.d.RefreshStats()
	if q == "" || !t.db.stats.due(rows) {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, q)
	return wrap("refresh statistics", err)
}

// recordColumnTypes are the PostgreSQL types of recordInsertColumns, in
// order; a "?" marks a column that may be NULL.
var recordColumnTypes = []string{"text", "text", "int", "smallint", "text", "text", "text", "text", "text",
	"text", "bigint", "bigint", "text", "text", "text?", "text?", "text?", "text?",
	"bigint?", "bigint?", "smallint?", "bigint?", "bigint?", "smallint?", "bigint?", "bigint?", "smallint?",
	"text", "text", "text", "text", "bigint?"}

// insertRecordArrays writes rows with one array parameter per column: a
// single statement to parse and plan however large the batch, and far
// fewer bytes on the wire than thousands of scalar parameters. The arrays
// are plain []string and []int64, which the driver encodes without
// reflection; NULL travels as an empty string or -1 (no column stores
// those) and is restored by NULLIF.
func (t *Tx) insertRecordArrays(ctx context.Context, rows []*store.Row) error {
	texts := make([][]string, recordInsertWidth)
	ints := make([][]int64, recordInsertWidth)
	for c, typ := range recordColumnTypes {
		if strings.HasPrefix(typ, "text") {
			texts[c] = make([]string, len(rows))
		} else {
			ints[c] = make([]int64, len(rows))
		}
	}
	for i, r := range rows {
		for c, v := range rowArgs(r) {
			switch x := v.(type) {
			case nil:
				if ints[c] != nil {
					ints[c][i] = -1
				}
			case string:
				texts[c][i] = x
			case int:
				ints[c][i] = int64(x)
			case int64:
				ints[c][i] = x
			default:
				return fmt.Errorf("insert records: column %d has unexpected type %T", c, v)
			}
		}
	}
	cols := make([]any, recordInsertWidth)
	params, names, selects := make([]string, recordInsertWidth), make([]string, recordInsertWidth), make([]string, recordInsertWidth)
	for c, typ := range recordColumnTypes {
		base, nullable := strings.CutSuffix(typ, "?")
		if texts[c] != nil {
			cols[c] = texts[c]
		} else {
			cols[c] = ints[c]
		}
		params[c] = "$" + strconv.Itoa(c+1) + "::" + base + "[]"
		names[c] = "c" + strconv.Itoa(c)
		switch {
		case nullable && base == "text":
			selects[c] = "NULLIF(" + names[c] + ", '')"
		case nullable:
			selects[c] = "NULLIF(" + names[c] + ", -1)"
		default:
			selects[c] = names[c]
		}
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO records (`+recordInsertColumns+`) SELECT `+strings.Join(selects, ", ")+
		` FROM unnest(`+strings.Join(params, ", ")+`) AS u(`+strings.Join(names, ", ")+`)`, cols...)
	if err != nil {
		if isUniqueViolation(err) {
			return store.ErrConflict
		}
		return wrap("insert records", err)
	}
	return nil
}

// insertRecords writes rows in statements of at most per rows. With
// scalar parameters the arguments of the next statement are built on
// another goroutine while the database runs the current one: building them
// is a fifth of a row's cost, and the writer is the bottleneck.
func (t *Tx) insertRecords(ctx context.Context, rows []*store.Row, per int) error {
	if t.db.d.ArrayParams() {
		for len(rows) > 0 {
			n := min(per, len(rows))
			if err := t.insertRecordArrays(ctx, rows[:n]); err != nil {
				return err
			}
			rows = rows[n:]
		}
		return nil
	}
	type chunk struct {
		n    int
		args []any
	}
	chunks := make(chan chunk, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(chunks)
		for len(rows) > 0 {
			n := min(per, len(rows))
			args := make([]any, 0, n*recordInsertWidth)
			for _, r := range rows[:n] {
				args = append(args, rowArgs(r)...)
			}
			select {
			case chunks <- chunk{n, args}:
			case <-done:
				return
			}
			rows = rows[n:]
		}
	}()
	one := "(" + placeholders(recordInsertWidth) + ")"
	for c := range chunks {
		s, err := t.stmt(ctx, `INSERT INTO records (`+recordInsertColumns+`) VALUES `+strings.Repeat(one+",", c.n-1)+one)
		if err != nil {
			return wrap("prepare record insert", err)
		}
		if _, err := s.ExecContext(ctx, c.args...); err != nil {
			if isUniqueViolation(err) {
				return store.ErrConflict
			}
			return wrap("insert records", err)
		}
	}
	return nil
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

func (t *Tx) AppendLeaves(ctx context.Context, entries []store.Leaf) (int64, error) {
	if len(entries) == 0 {
		return -1, nil
	}
	leaves := make([][]byte, len(entries))
	for i, e := range entries {
		leaves[i] = e.Data
		t.pendingFields = append(t.pendingFields, e.Salts...)
	}
	if lock := t.db.d.LockLog(); lock != "" {
		if _, err := t.tx.ExecContext(ctx, lock); err != nil {
			return 0, wrap("lock log", err)
		}
	}
	var next int64
	s, err := t.stmt(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries`)
	if err != nil {
		return 0, err
	}
	if err := s.QueryRowContext(ctx).Scan(&next); err != nil {
		return 0, wrap("read log size", err)
	}
	if t.db.d.ArrayParams() {
		// Two array parameters instead of thousands of scalar ones: one
		// statement to parse and plan however large the batch.
		idx := make([]int64, len(leaves))
		for i := range idx {
			idx[i] = next + int64(i)
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO log_entries (idx, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, idx, leaves); err != nil {
			return 0, wrap("append log entries", err)
		}
		t.keepLeaves(next, leaves)
		return next, nil
	}
	per := min(500, t.db.d.MaxParams()/2)
	for i := 0; i < len(leaves); i += per {
		chunk := leaves[i:min(i+per, len(leaves))]
		query := `INSERT INTO log_entries (idx, data) VALUES ` + strings.Repeat("(?,?),", len(chunk)-1) + "(?,?)"
		args := make([]any, 0, 2*len(chunk))
		for j, l := range chunk {
			args = append(args, next+int64(i+j), l)
		}
		s, err := t.stmt(ctx, query)
		if err != nil {
			return 0, err
		}
		if _, err := s.ExecContext(ctx, args...); err != nil {
			return 0, wrap("append log entries", err)
		}
	}
	t.keepLeaves(next, leaves)
	return next, nil
}

func (t *Tx) keepLeaves(first int64, leaves [][]byte) {
	if len(t.leaves) == 0 {
		t.leavesFirst = first
	}
	t.leaves = append(t.leaves, leaves...)
}

func (t *Tx) AddAudit(ctx context.Context, entries []store.AuditEntry) error {
	if t.db.d.ArrayParams() && len(entries) > 0 {
		return t.addAuditArrays(ctx, entries)
	}
	per := min(500, t.db.d.MaxParams()/8)
	for i := 0; i < len(entries); i += per {
		chunk := entries[i:min(i+per, len(entries))]
		query := `INSERT INTO audit (at, actor_org, actor_token, action, collection, record_id, version, detail) VALUES ` +
			strings.Repeat("(?,?,?,?,?,?,?,?),", len(chunk)-1) + "(?,?,?,?,?,?,?,?)"
		args := make([]any, 0, 8*len(chunk))
		for _, e := range chunk {
			args = append(args, e.At.UTC().Format(time.RFC3339Nano), e.ActorOrg, e.ActorToken, e.Action,
				e.Collection, e.RecordID, e.Version, e.Detail)
		}
		s, err := t.stmt(ctx, query)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, args...); err != nil {
			return wrap("write audit", err)
		}
	}
	return nil
}

// addAuditArrays writes audit entries as one unnest of one array per column.
func (t *Tx) addAuditArrays(ctx context.Context, entries []store.AuditEntry) error {
	n := len(entries)
	at, org, token, action, coll, id, detail := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	version := make([]int64, n)
	for i, e := range entries {
		at[i], org[i], token[i], action[i] = e.At.UTC().Format(time.RFC3339Nano), e.ActorOrg, e.ActorToken, e.Action
		coll[i], id[i], version[i], detail[i] = e.Collection, e.RecordID, int64(e.Version), e.Detail
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO audit (at, actor_org, actor_token, action, collection, record_id, version, detail)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[])`,
		at, org, token, action, coll, id, version, detail)
	return wrap("write audit", err)
}

func (t *Tx) CreateToken(ctx context.Context, tok store.Token, hash []byte) error {
	_, err := t.tx.ExecContext(ctx, t.db.q(`INSERT INTO tokens (id, hash, org, role, name, created_at, revoked)
		VALUES (?, ?, ?, ?, ?, ?, 0)`), tok.ID, hash, tok.Org, tok.Role, tok.Name, tok.CreatedAt.UTC().Format(time.RFC3339Nano))
	return wrap("create token", err)
}
