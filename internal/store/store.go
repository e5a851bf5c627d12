// Package store defines what Candor keeps and how it is read and written;
// sqlite and postgres implement it over the same SQL.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

var (
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a unique key (such as a source_id) exists.
	ErrConflict = errors.New("conflict")
)

// ConflictError carries the id of the record that already holds the key.
type ConflictError struct {
	Collection, ID, SourceID string
}

func (e *ConflictError) Error() string {
	return "source_id " + e.SourceID + " already used by " + e.Collection + "/" + e.ID
}

func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Store is the read side plus the entry into write transactions.
type Store interface {
	// InTx runs fn in one write transaction; fn's error rolls it back.
	InTx(ctx context.Context, fn func(Tx) error) error

	Get(ctx context.Context, collection, id string, version int) (*Row, error)
	Versions(ctx context.Context, collection, id string) ([]VersionInfo, error)
	List(ctx context.Context, q Query) (*Page, error)
	Compliance(ctx context.Context, q ComplianceQuery) ([]ComplianceRow, error)

	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)

	// LogSize is the number of leaves committed to the ledger.
	LogSize(ctx context.Context) (int64, error)
	// LogEntries returns the leaves [from, from+n).
	LogEntries(ctx context.Context, from, n int64) ([][]byte, error)

	Close() error
}

// Tx is one write transaction.
type Tx interface {
	// Current returns the latest version of a record.
	Current(ctx context.Context, collection, id string) (*Row, error)
	// BySourceID finds the current record with that source_id written by org.
	BySourceID(ctx context.Context, collection, submittedBy, sourceID string) (*Row, error)
	// CurrentMany returns the current versions of the ids that exist.
	CurrentMany(ctx context.Context, collection string, ids []string) (map[string]*Row, error)
	// BySourceIDs returns, by source_id, the current records that org wrote with them.
	BySourceIDs(ctx context.Context, collection, submittedBy string, sourceIDs []string) (map[string]*Row, error)
	// Put writes new record versions; earlier versions stop being current.
	Put(ctx context.Context, rows []*Row) error
	// AppendLeaves adds ledger leaves in order and returns the first index.
	AppendLeaves(ctx context.Context, leaves [][]byte) (int64, error)
	AddAudit(ctx context.Context, entries []AuditEntry) error
	CreateToken(ctx context.Context, t Token, hash []byte) error
}

// Row is one version of one record as stored.
type Row struct {
	Collection  string
	ID          string
	Version     int
	Visibility  model.Visibility
	SubmittedBy string
	Index       model.Index
	Body        []byte // RFC 8785 canonical JSON of the version
	CreatedAt   time.Time
	UpdatedAt   time.Time
	LeafIndex   *int64
}

// VersionInfo summarises one version of a record.
type VersionInfo struct {
	Version     int       `json:"version"`
	UpdatedAt   time.Time `json:"updated_at"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	LeafIndex   *int64    `json:"leaf_index,omitempty"`
	Visibility  string    `json:"visibility"`
}

// Query filters a list of current records.
type Query struct {
	// Collection "" lists every collection at once.
	Collection string
	// Visibility lists what the caller may read; empty means public only.
	Visibility []model.Visibility
	// Owner, if set, also admits non-public records owned by this organisation.
	Owner    string
	Country  string
	Platform string
	Types    []string // any of
	Ref      string
	SourceID string
	// Granularity filters demands: individual or aggregate.
	Granularity string
	From, To    *time.Time
	Q           string // full text, folded by the store
	Cursor      string
	Limit       int
	// Oldest sorts ascending by time instead of newest first.
	Oldest bool
}

// Page is a slice of a list and the cursor of the next one.
type Page struct {
	Rows       []*Row
	NextCursor string
}

// ComplianceQuery selects demands and groups them.
type ComplianceQuery struct {
	GroupBy       []string // country, platform, period, reason, authority_type, granularity
	Country       string
	Platform      string
	Reason        string
	AuthorityType string
	From, To      *time.Time
	Visibility    []model.Visibility
}

// ComplianceGroupKeys are the allowed GroupBy values.
var ComplianceGroupKeys = model.NewEnum("country", "platform", "period", "reason", "authority_type", "granularity")

// ComplianceRow is one group's figures; counts keep their kinds.
type ComplianceRow struct {
	Group          map[string]string `json:"group"`
	Records        int64             `json:"records"`
	Demands        *model.Count      `json:"demands"`
	ItemsRequested *model.Count      `json:"items_requested"`
	Responded      int64             `json:"responded_records"`
	RespondedItems *model.Count      `json:"items_requested_responded"`
	ItemsActioned  *model.Count      `json:"items_actioned"`
	ComplianceRate *float64          `json:"compliance_rate"`
	RateMin        *float64          `json:"compliance_rate_min,omitempty"`
	RateMax        *float64          `json:"compliance_rate_max,omitempty"`
}

// Token is an API token's public part; the secret is stored hashed.
type Token struct {
	ID        string    `json:"id"`
	Org       string    `json:"org"`
	Role      string    `json:"role"`
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked"`
}

// AuditEntry records who did what, when. It never holds an IP address.
type AuditEntry struct {
	At         time.Time `json:"at"`
	ActorOrg   string    `json:"actor_org,omitempty"`
	ActorToken string    `json:"actor_token,omitempty"`
	Action     string    `json:"action"`
	Collection string    `json:"collection,omitempty"`
	RecordID   string    `json:"record_id,omitempty"`
	Version    int       `json:"version,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	RecordID string
	ActorOrg string
	Limit    int
}
