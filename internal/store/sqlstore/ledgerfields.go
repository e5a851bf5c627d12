package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// LeafInTx builds the ledger leaf of a record version inside its write
// transaction and keeps the salts of its personal fields in the same commit.
func (l *Ledger) LeafInTx(ctx context.Context, stx store.Tx, row *store.Row) ([]byte, error) {
	leaf, secrets, err := ledger.BuildLeaf(row.Collection, row.Body, newSalt)
	if err != nil {
		return nil, fmt.Errorf("ledger leaf of %s/%s: %w", row.Collection, row.ID, err)
	}
	if len(leaf) > ledger.MaxEntrySize {
		return nil, model.Invalid("", "record is %d bytes in the ledger, more than the %d allowed", len(leaf), ledger.MaxEntrySize)
	}
	if len(secrets) == 0 {
		return leaf, nil
	}
	tx, ok := stx.(*Tx)
	if !ok {
		return nil, errors.New("ledger: personal-field salts need an SQL transaction")
	}
	// Kept with the transaction and written in bulk before it commits.
	for _, sec := range secrets {
		tx.pendingFields = append(tx.pendingFields, []any{row.Collection, row.ID, row.Version, sec.Field, sec.Salt, sec.Commitment[:]})
	}
	return leaf, nil
}

func newSalt() []byte {
	b := make([]byte, ledger.SaltSize)
	rand.Read(b)
	return b
}

// FieldSecrets returns the salts and commitments of a record version's
// personal fields.
func (l *Ledger) FieldSecrets(ctx context.Context, collection, id string, version int) ([]ledger.FieldSecret, error) {
	rows, err := l.db.read.QueryContext(ctx, l.db.q(`SELECT field, salt, commitment, redacted_at IS NOT NULL FROM ledger_fields
		WHERE collection = ? AND id = ? AND version = ? ORDER BY field`), collection, id, version)
	if err != nil {
		return nil, wrap("ledger: read field secrets", err)
	}
	defer rows.Close()
	var out []ledger.FieldSecret
	for rows.Next() {
		var s ledger.FieldSecret
		var c []byte
		if err := rows.Scan(&s.Field, &s.Salt, &c, &s.Redacted); err != nil {
			return nil, wrap("ledger: read field secrets", err)
		}
		copy(s.Commitment[:], c)
		out = append(out, s)
	}
	return out, wrap("ledger: read field secrets", rows.Err())
}

// Redact erases the cleartext and salts of personal fields from every
// version of a record. The body keeps a list of the erased fields, the
// leaves and their proofs stay valid, and the act is audited.
func (l *Ledger) Redact(ctx context.Context, actor store.AuditEntry, collection, id string, fields []string) (int, error) {
	personal := ledger.PersonalFields[collection]
	for _, f := range fields {
		if !slices.Contains(personal, f) {
			return 0, model.Invalid("field", "%s is not a personal field of %s (personal fields: %v); other fields are in the ledger in clear and cannot be erased", f, collection, personal)
		}
	}
	n := 0
	err := l.db.InTx(ctx, func(stx store.Tx) error {
		tx := stx.(*Tx)
		rows, err := tx.tx.QueryContext(ctx, l.db.q(`SELECT rid, body, search FROM records WHERE collection = ? AND id = ? ORDER BY version`), collection, id)
		if err != nil {
			return wrap("redact: read versions", err)
		}
		type version struct {
			rid          int64
			body, search string
		}
		var versions []version
		for rows.Next() {
			var v version
			if err := rows.Scan(&v.rid, &v.body, &v.search); err != nil {
				rows.Close()
				return err
			}
			versions = append(versions, v)
		}
		rows.Close()
		if len(versions) == 0 {
			return store.ErrNotFound
		}
		for _, v := range versions {
			body, search, err := redactBody(collection, []byte(v.body), fields)
			if err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, l.db.q(`UPDATE records SET body = ?, search = ? WHERE rid = ?`), string(body), search, v.rid); err != nil {
				return wrap("redact: rewrite body", err)
			}
			if drop, add := l.db.d.ReplaceSearch(); drop != "" {
				// The full-text index keeps its own copy of the words.
				if _, err := tx.tx.ExecContext(ctx, drop, v.rid, v.search); err != nil {
					return wrap("redact: full-text index", err)
				}
				if _, err := tx.tx.ExecContext(ctx, add, v.rid, search); err != nil {
					return wrap("redact: full-text index", err)
				}
			}
			n++
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for _, f := range fields {
			if _, err := tx.tx.ExecContext(ctx, l.db.q(`UPDATE ledger_fields SET salt = NULL, redacted_at = ?
				WHERE collection = ? AND id = ? AND field = ? AND redacted_at IS NULL`), now, collection, id, f); err != nil {
				return wrap("redact: erase salts", err)
			}
		}
		actor.Action = collection + ".redact"
		actor.Collection, actor.RecordID, actor.Detail = collection, id, fmt.Sprintf("erased %v", fields)
		actor.At = time.Now().UTC()
		return tx.AddAudit(ctx, []store.AuditEntry{actor})
	})
	return n, err
}

// redactBody drops fields from a canonical body, lists them under
// ledger.RedactedKey and recomputes the folded search text.
func redactBody(collection string, body []byte, fields []string) ([]byte, string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, "", err
	}
	var redacted []string
	if r, ok := m[ledger.RedactedKey]; ok {
		json.Unmarshal(r, &redacted)
	}
	for _, f := range fields {
		if _, ok := m[f]; ok {
			delete(m, f)
			if !slices.Contains(redacted, f) {
				redacted = append(redacted, f)
			}
		}
	}
	slices.Sort(redacted)
	if len(redacted) > 0 {
		b, _ := json.Marshal(redacted)
		m[ledger.RedactedKey] = b
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, "", err
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, "", err
	}
	rec := model.New(collection)
	if rec == nil {
		return nil, "", fmt.Errorf("unknown collection %s", collection)
	}
	if err := json.Unmarshal(out, rec); err != nil {
		return nil, "", err
	}
	return out, SearchText(rec.Index().Text), nil
}

// LeafInTx builds ledger leaves for the registry (see Ledger.LeafInTx).
func (db *DB) LeafInTx(ctx context.Context, tx store.Tx, row *store.Row) ([]byte, error) {
	return db.Ledger().LeafInTx(ctx, tx, row)
}

// flushFields writes the field salts gathered by LeafInTx.
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
			args = append(args, f...)
		}
		s, err := t.stmt(ctx, query)
		if err != nil {
			return wrap("ledger: keep field salts", err)
		}
		if _, err := s.ExecContext(ctx, args...); err != nil {
			return wrap("ledger: keep field salts", err)
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
		coll[i], id[i], field[i] = f[0].(string), f[1].(string), f[3].(string)
		version[i] = int64(f[2].(int))
		salt[i], commitment[i] = f[4].([]byte), f[5].([]byte)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ledger_fields (collection, id, version, field, salt, commitment)
		SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bytea[], $6::bytea[])`,
		coll, id, version, field, salt, commitment)
	if err != nil {
		return wrap("ledger: keep field salts", err)
	}
	t.pendingFields = nil
	return nil
}
