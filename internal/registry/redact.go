package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// Redact erases personal fields from every version of a record: the
// bodies lose the fields and list them as redacted, the salts are
// forgotten, and the log entries with their proofs stay valid because
// they hold only commitments. The act is audited with its actor and reason.
func (r *Registry) Redact(ctx context.Context, a auth.Actor, collection, id string, fields []string, reason string) (int, error) {
	if a.Role != auth.Admin {
		return 0, forbidden("only an admin may redact records")
	}
	personal := ledger.PersonalFields[collection]
	v := &model.Validator{}
	if len(fields) == 0 {
		v.Add("field", "name at least one personal field to erase (personal fields of %s: %v)", collection, personal)
	}
	for _, f := range fields {
		if !slices.Contains(personal, f) {
			v.Add("field", "%s is not a personal field of %s (personal fields: %v); other fields are in the ledger in clear and cannot be erased", f, collection, personal)
		}
	}
	if strings.TrimSpace(reason) == "" {
		v.Add("reason", "say why the fields are erased; the reason is kept in the audit log")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := r.Store.InTx(ctx, func(tx store.Tx) error {
		versions, err := tx.AllVersions(ctx, collection, id)
		if err != nil {
			return err
		}
		for _, row := range versions {
			body, err := ledger.RedactBody(row.Body, fields)
			if err != nil {
				return fmt.Errorf("redact %s/%s version %d: %w", collection, id, row.Version, err)
			}
			rec := model.New(collection)
			if rec == nil {
				return fmt.Errorf("unknown collection %s", collection)
			}
			if err := json.Unmarshal(body, rec); err != nil {
				return fmt.Errorf("redact %s/%s version %d: %w", collection, id, row.Version, err)
			}
			row.Body, row.Index = body, rec.Index()
			if err := tx.ReplaceBody(ctx, row); err != nil {
				return err
			}
			n++
		}
		now := r.Now().UTC()
		if err := tx.EraseFieldSalts(ctx, collection, id, fields, now); err != nil {
			return err
		}
		return tx.AddAudit(ctx, []store.AuditEntry{{At: now, ActorOrg: a.Org, ActorToken: a.TokenID,
			Action: collection + ".redact", Collection: collection, RecordID: id,
			Detail: fmt.Sprintf("erased %s: %s", strings.Join(fields, ", "), reason)}})
	})
	return n, err
}
