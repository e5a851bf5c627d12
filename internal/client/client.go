// Package client is the typed client of Candor's HTTP API and log: what
// `candor case`, `candor verify` and the tests use to talk to a server.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
)

// maxAnswer bounds what the client reads of one answer.
const maxAnswer = 64 << 20

// Client talks to one Candor server.
type Client struct {
	base  string // scheme://host[/prefix], without a trailing slash
	token string
	http  *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken authenticates every request with an API token.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sends requests through hc.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// New returns a client of the server at base, an http(s) URL.
func New(base string, opts ...Option) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", base)
	}
	c := &Client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 60 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Error is an answer other than success: the status and the server's RFC
// 9457 problem, if it sent one.
type Error struct {
	Method, Path string
	Status       int
	Title        string             `json:"title"`
	Detail       string             `json:"detail"`
	Errors       []model.FieldError `json:"errors"`
}

func (e *Error) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), msg)
}

// Validation returns the field errors of a 4xx answer as a
// *model.ValidationError, or nil when there are none.
func (e *Error) Validation() *model.ValidationError {
	if len(e.Errors) == 0 {
		return nil
	}
	return &model.ValidationError{Errors: e.Errors}
}

// IsStatus says whether err is an answer with that status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// Raw sends a request and returns the answer's status and body, whatever
// the status. body, if not nil, is sent as JSON.
func (c *Client) Raw(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	return res.StatusCode, b, err
}

// Do sends a request and decodes a successful JSON answer into out (when
// not nil); any other answer is an *Error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	status, b, err := c.Raw(ctx, method, path, body)
	if err != nil {
		return err
	}
	if status >= 300 {
		e := &Error{Method: method, Path: path, Status: status}
		if json.Unmarshal(b, e) != nil || (e.Title == "" && e.Detail == "") {
			e.Detail = strings.TrimSpace(string(b))
		}
		e.Method, e.Path, e.Status = method, path, status
		return e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
		}
	}
	return nil
}

// get fetches a path and returns its body; any status but 200 is an *Error.
func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	status, b, err := c.Raw(ctx, "GET", path, nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, &Error{Method: "GET", Path: path, Status: status, Detail: strings.TrimSpace(string(b))}
	}
	return b, nil
}

// The verifiable log.

// LogKey returns the log's verifier key as the server publishes it.
func (c *Client) LogKey(ctx context.Context) (string, error) {
	b, err := c.get(ctx, "/log/key")
	return strings.TrimSpace(string(b)), err
}

// Checkpoint returns the log's latest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "/log/checkpoint")
}

// Tile returns a hash tile or an entry bundle of the log.
func (c *Client) Tile(ctx context.Context, t ledger.TileRef) ([]byte, error) {
	return c.get(ctx, "/log/"+t.Path())
}

// Evidence returns the evidence bundle of the record versions refs name
// (collection/id or collection/id@version), all proved against one checkpoint.
func (c *Client) Evidence(ctx context.Context, refs ...string) ([]byte, error) {
	q := url.Values{}
	for _, r := range refs {
		q.Add("record", r)
	}
	return c.get(ctx, "/api/v1/evidence?"+q.Encode())
}

// Records.

func recordPath(collection, id string) string {
	return "/api/v1/" + url.PathEscape(collection) + "/" + url.PathEscape(id)
}

func versionQuery(version int) string {
	if version <= 0 {
		return ""
	}
	return "?version=" + strconv.Itoa(version)
}

// Record returns the canonical JSON of a record version (0: the current one).
func (c *Client) Record(ctx context.Context, collection, id string, version int) ([]byte, error) {
	return c.get(ctx, recordPath(collection, id)+versionQuery(version))
}

// Proof returns where a record version is in the log, with its proof.
func (c *Client) Proof(ctx context.Context, collection, id string, version int) (*ledger.RecordProof, error) {
	var p ledger.RecordProof
	if err := c.Do(ctx, "GET", recordPath(collection, id)+"/proof"+versionQuery(version), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// VersionInfo summarises one version of a record.
type VersionInfo struct {
	Version    int    `json:"version"`
	Visibility string `json:"visibility"`
	LeafIndex  *int64 `json:"leaf_index,omitempty"`
}

// Versions lists a record's versions.
func (c *Client) Versions(ctx context.Context, collection, id string) ([]VersionInfo, error) {
	var out struct {
		Versions []VersionInfo `json:"versions"`
	}
	if err := c.Do(ctx, "GET", recordPath(collection, id)+"/versions", nil, &out); err != nil {
		return nil, err
	}
	return out.Versions, nil
}

// Written is a record as the server stored it.
type Written struct {
	Collection string
	ID         string
	Version    int
	// Body is the stored version's canonical JSON.
	Body json.RawMessage
}

// Create writes one record (its JSON, as the API takes it) and returns
// the version the server stored.
func (c *Client) Create(ctx context.Context, collection string, record any) (*Written, error) {
	var body json.RawMessage
	if err := c.Do(ctx, "POST", "/api/v1/"+url.PathEscape(collection), record, &body); err != nil {
		return nil, err
	}
	var meta struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(body, &meta); err != nil {
		return nil, fmt.Errorf("POST %s: unexpected answer: %w", collection, err)
	}
	return &Written{Collection: collection, ID: meta.ID, Version: meta.Version, Body: body}, nil
}

// Cases.

// CaseRecipients returns the keys a case to a platform (id or slug) may be
// sealed to.
func (c *Client) CaseRecipients(ctx context.Context, platform string) (*cases.Keys, error) {
	var k cases.Keys
	if err := c.Do(ctx, "GET", "/api/v1/cases/recipients?to="+url.QueryEscape(platform), nil, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// FileCase files a sealed case.
func (c *Client) FileCase(ctx context.Context, req cases.FileRequest) (*cases.View, error) {
	var v cases.View
	if err := c.Do(ctx, "POST", "/api/v1/cases", req, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Cases lists every case the caller's organisation filed or received,
// following the pages; status "" lists all.
func (c *Client) Cases(ctx context.Context, status string) ([]cases.View, error) {
	var all []cases.View
	cursor := ""
	for {
		var page struct {
			Cases      []cases.View `json:"cases"`
			NextCursor string       `json:"next_cursor"`
		}
		q := url.Values{"limit": {"1000"}}
		if status != "" {
			q.Set("status", status)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if err := c.Do(ctx, "GET", "/api/v1/cases?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Cases...)
		if cursor = page.NextCursor; cursor == "" {
			return all, nil
		}
	}
}

// Case returns one case, to its parties.
func (c *Client) Case(ctx context.Context, id string) (*cases.View, error) {
	var v cases.View
	if err := c.Do(ctx, "GET", "/api/v1/cases/"+url.PathEscape(id), nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// ReplyCase adds a sealed message to a case.
func (c *Client) ReplyCase(ctx context.Context, id, sealed string) (*cases.View, error) {
	var v cases.View
	if err := c.Do(ctx, "POST", "/api/v1/cases/"+url.PathEscape(id)+"/messages", map[string]string{"sealed": sealed}, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// SetCaseStatus moves a case to another status, with a public outcome
// when it closes.
func (c *Client) SetCaseStatus(ctx context.Context, id, status, outcome string) (*cases.View, error) {
	body := map[string]string{"status": status}
	if outcome != "" {
		body["outcome"] = outcome
	}
	var v cases.View
	if err := c.Do(ctx, "POST", "/api/v1/cases/"+url.PathEscape(id)+"/status", body, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
