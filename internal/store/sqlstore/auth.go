package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/candor-observatory/candor/internal/store"
)

func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	var t store.Token
	var created string
	var revoked int
	err := db.read.QueryRowContext(ctx, db.q(`SELECT id, org, role, name, created_at, revoked FROM tokens WHERE hash = ?`), hash).
		Scan(&t.ID, &t.Org, &t.Role, &t.Name, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, wrap("find token", err)
	}
	t.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	t.Revoked = revoked != 0
	return &t, nil
}

func (db *DB) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT at, actor_org, actor_token, action, collection, record_id, version, detail FROM audit WHERE 1=1`
	var args []any
	if q.RecordID != "" {
		query += ` AND record_id = ?`
		args = append(args, q.RecordID)
	}
	if q.ActorOrg != "" {
		query += ` AND actor_org = ?`
		args = append(args, q.ActorOrg)
	}
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("read audit", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at string
		if err := rows.Scan(&at, &e.ActorOrg, &e.ActorToken, &e.Action, &e.Collection, &e.RecordID, &e.Version, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}
