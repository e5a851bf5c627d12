package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/store"
)

// The salts of personal fields live in ledger_fields, beside the log entry
// that commits to them, so that a field can be erased later while the
// entry and its proofs stay valid.

func (db *DB) FieldSalts(ctx context.Context, collection, id string, version int) ([]store.FieldSalt, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT collection, id, version, field, salt, commitment, redacted_at IS NOT NULL
		FROM ledger_fields WHERE collection = ? AND id = ? AND version = ? ORDER BY field`), collection, id, version)
	if err != nil {
		return nil, wrap("read field salts", err)
	}
	defer rows.Close()
	var out []store.FieldSalt
	for rows.Next() {
		var s store.FieldSalt
		if err := rows.Scan(&s.Collection, &s.ID, &s.Version, &s.Field, &s.Salt, &s.Commitment, &s.Redacted); err != nil {
			return nil, wrap("read field salts", err)
		}
		out = append(out, s)
	}
	return out, wrap("read field salts", rows.Err())
}

func (db *DB) EachLoggedVersion(ctx context.Context, fn func(*store.Row, []store.FieldSalt) error) error {
	salts := map[string][]store.FieldSalt{}
	srows, err := db.read.QueryContext(ctx, `SELECT collection, id, version, field, salt, commitment, redacted_at IS NOT NULL
		FROM ledger_fields ORDER BY collection, id, version, field`)
	if err != nil {
		return wrap("read field salts", err)
	}
	for srows.Next() {
		var s store.FieldSalt
		if err := srows.Scan(&s.Collection, &s.ID, &s.Version, &s.Field, &s.Salt, &s.Commitment, &s.Redacted); err != nil {
			srows.Close()
			return wrap("read field salts", err)
		}
		k := saltKey(s.Collection, s.ID, s.Version)
		salts[k] = append(salts[k], s)
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return wrap("read field salts", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordSelectColumns+` FROM records WHERE leaf_index IS NOT NULL ORDER BY leaf_index`)
	if err != nil {
		return wrap("read logged versions", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return wrap("read logged versions", err)
		}
		if err := fn(r, salts[saltKey(r.Collection, r.ID, r.Version)]); err != nil {
			return err
		}
	}
	return wrap("read logged versions", rows.Err())
}

func saltKey(collection, id string, version int) string {
	return fmt.Sprintf("%s/%s/%d", collection, id, version)
}

func (db *DB) UnloggedPublic(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM records WHERE visibility = 'public' AND leaf_index IS NULL`).Scan(&n)
	return n, wrap("count unlogged public versions", err)
}

func (t *Tx) AllVersions(ctx context.Context, collection, id string) ([]*store.Row, error) {
	rows, err := t.tx.QueryContext(ctx, t.db.q(`SELECT `+recordSelectColumns+` FROM records WHERE collection = ? AND id = ? ORDER BY version`), collection, id)
	if err != nil {
		return nil, wrap("read versions", err)
	}
	defer rows.Close()
	var out []*store.Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, wrap("read versions", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read versions", err)
	}
	if len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out, nil
}

func (t *Tx) ReplaceBody(ctx context.Context, row *store.Row) error {
	var rid int64
	var old string
	err := t.tx.QueryRowContext(ctx, t.db.q(`SELECT rid, search FROM records WHERE collection = ? AND id = ? AND version = ?`),
		row.Collection, row.ID, row.Version).Scan(&rid, &old)
	if err != nil {
		return wrap("replace body: find version", err)
	}
	search := SearchText(row.Index.Text)
	if _, err := t.tx.ExecContext(ctx, t.db.q(`UPDATE records SET body = ?, search = ? WHERE rid = ?`), string(row.Body), search, rid); err != nil {
		return wrap("replace body", err)
	}
	if drop, add := t.db.d.ReplaceSearch(); drop != "" {
		// The full-text index keeps its own copy of the words.
		if _, err := t.tx.ExecContext(ctx, drop, rid, old); err != nil {
			return wrap("replace body: full-text index", err)
		}
		if _, err := t.tx.ExecContext(ctx, add, rid, search); err != nil {
			return wrap("replace body: full-text index", err)
		}
	}
	return nil
}

func (t *Tx) EraseFieldSalts(ctx context.Context, collection, id string, fields []string, at time.Time) error {
	for _, f := range fields {
		if _, err := t.tx.ExecContext(ctx, t.db.q(`UPDATE ledger_fields SET salt = NULL, redacted_at = ?
			WHERE collection = ? AND id = ? AND field = ? AND redacted_at IS NULL`), at.UTC().Format(time.RFC3339Nano), collection, id, f); err != nil {
			return wrap("erase field salts", err)
		}
	}
	return nil
}

// flushFields writes the field salts of the leaves appended in the
// transaction, in bulk, before it commits.
func (t *Tx) flushFields(ctx context.Context) error {
	if t.db.d.ArrayParams() && len(t.pendingFields) > 0 {
		return t.flushFieldArrays(ctx)
	}
	const width = 6
	per := min(500, t.db.d.MaxParams()/width)
	for len(t.pendingFields) > 0 {
		chunk := t.pendingFields[:min(per, len(t.pendingFields))]
		one := "(" + placeholders(width) + ")"
		query := `INSERT INTO ledger_fields (collection, id, version, field, salt, commitment) VALUES ` +
			strings.Repeat(one+",", len(chunk)-1) + one
		args := make([]any, 0, width*len(chunk))
		for _, f := range chunk {
			args = append(args, f.Collection, f.ID, f.Version, f.Field, f.Salt, f.Commitment)
		}
		s, err := t.stmt(ctx, query)
		if err != nil {
			return wrap("keep field salts", err)
		}
		if _, err := s.ExecContext(ctx, args...); err != nil {
			return wrap("keep field salts", err)
		}
		t.pendingFields = t.pendingFields[len(chunk):]
	}
	return nil
}

// flushFieldArrays writes the pending salts as one unnest of one array per
// column.
func (t *Tx) flushFieldArrays(ctx context.Context) error {
	n := len(t.pendingFields)
	coll, id, field := make([]string, n), make([]string, n), make([]string, n)
	version := make([]int64, n)
	salt, commitment := make([][]byte, n), make([][]byte, n)
	for i, f := range t.pendingFields {
		coll[i], id[i], field[i] = f.Collection, f.ID, f.Field
		version[i] = int64(f.Version)
		salt[i], commitment[i] = f.Salt, f.Commitment
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ledger_fields (collection, id, version, field, salt, commitment)
		SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bytea[], $6::bytea[])`,
		coll, id, version, field, salt, commitment)
	if err != nil {
		return wrap("keep field salts", err)
	}
	t.pendingFields = nil
	return nil
}
