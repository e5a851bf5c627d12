package sqlstore

import "context"

// Analyze refreshes the planner's statistics of the records table from
// inside the transaction. PostgreSQL plans a long import's lookups from
// statistics taken before the import began (an empty table, on a new
// database) and then scans instead of seeking; ANALYZE in the same
// transaction counts the rows it has written so far. SQLite seeks on its
// indexes without statistics and needs nothing.
func (t *Tx) Analyze(ctx context.Context) error {
	if t.db.d.Name() != "postgres" {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, "ANALYZE records")
	return wrap("analyze", err)
}
