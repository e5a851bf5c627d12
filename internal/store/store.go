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

// Store is everything Candor keeps: records and their versions, the audit
// trail, tokens, measurements and the ledger's storage. Both stores
// implement all of it; nothing is discovered at run time.
type Store interface {
	// InTx runs fn in one write transaction; fn's error rolls it back.
	InTx(ctx context.Context, fn func(Tx) error) error

	Get(ctx context.Context, collection, id string, version int) (*Row, error)
	Versions(ctx context.Context, collection, id string) ([]VersionInfo, error)
	List(ctx context.Context, q Query) (*Page, error)
	Compliance(ctx context.Context, q ComplianceQuery) ([]ComplianceRow, error)

	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)

	Measurements
	LogStorage

	// FieldSalts returns the salted commitments of a record version's
	// personal fields, ordered by field.
	FieldSalts(ctx context.Context, collection, id string, version int) ([]FieldSalt, error)
	// EachLoggedVersion calls fn for every record version that has a log
	// entry, in log order, with the salts of its personal fields.
	EachLoggedVersion(ctx context.Context, fn func(row *Row, salts []FieldSalt) error) error
	// UnloggedPublic counts public record versions that have no log entry.
	UnloggedPublic(ctx context.Context) (int64, error)

	// Backup writes a consistent copy of the store to dest while readers and
	// writers go on.
	Backup(ctx context.Context, dest string) error
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
	// AllVersions returns every version of a record, oldest first.
	AllVersions(ctx context.Context, collection, id string) ([]*Row, error)
	// Put writes new record versions; earlier versions stop being current.
	Put(ctx context.Context, rows []*Row) error
	// ReplaceBody rewrites the body and search text of a stored version
	// (row.Index.Text): redaction is the only writer that needs it.
	ReplaceBody(ctx context.Context, row *Row) error
	// AppendLeaves adds ledger leaves in order, with the salts their
	// commitments were made with, and returns the first index.
	AppendLeaves(ctx context.Context, leaves []Leaf) (int64, error)
	// EraseFieldSalts forgets the salts of a record's personal fields in
	// every version; their commitments stay.
	EraseFieldSalts(ctx context.Context, collection, id string, fields []string, at time.Time) error
	AddAudit(ctx context.Context, entries []AuditEntry) error
	CreateToken(ctx context.Context, t Token, hash []byte) error
}

// Leaf is one ledger entry and the salts of the personal fields it commits to.
type Leaf struct {
	Data  []byte
	Salts []FieldSalt
}

// FieldSalt is what a leaf commits to for one personal field of a record
// version: SHA-256 of a salt and the value. Salt is nil once redacted.
type FieldSalt struct {
	Collection string
	ID         string
	Version    int
	Field      string
	Salt       []byte
	Commitment []byte
	Redacted   bool
}

// LogStorage is what the verifiable log keeps: entries are written by the
// registry in the same transaction as the records (Tx.AppendLeaves); the
// integrator turns them into tiles and signs checkpoints.
type LogStorage interface {
	// EntryCount is the number of entries written so far.
	EntryCount(ctx context.Context) (int64, error)
	// ReadEntries returns entries [start, end), all of which must exist.
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	// TreeSize is the number of entries the stored tiles cover.
	TreeSize(ctx context.Context) (int64, error)
	// ReadTile returns the stored hashes of a tile, or nil if it has none.
	ReadTile(ctx context.Context, level int, index int64) ([]byte, error)
	// WriteTiles stores tiles and moves the tree size from oldSize to newSize
	// in one step; it fails with ErrTreeMoved if the tree size is not oldSize.
	WriteTiles(ctx context.Context, oldSize, newSize int64, tiles []Tile) error
	// ReadCheckpoint returns the latest signed checkpoint, or nil.
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	// WriteCheckpoint replaces the latest checkpoint unless a stored one
	// has a larger size (a slow signer must not roll the log back).
	WriteCheckpoint(ctx context.Context, size int64, note []byte) error
}

// ErrTreeMoved is returned by WriteTiles when another integrator moved the
// tree first; the caller reloads and tries again.
var ErrTreeMoved = errors.New("ledger: tree size changed underneath")

// Tile is the stored content of one hash tile: its hashes so far, 32 bytes
// each. A partial tile only grows; its prefix never changes.
type Tile struct {
	Level  int
	Index  int64
	Hashes []byte
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
