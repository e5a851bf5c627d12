// Package model holds the records Candor keeps (SPEC §4), their enums and
// their validation. It imports nothing of Candor's own.
package model

import "time"

// Visibility says who may read a record.
type Visibility string

const (
	Public  Visibility = "public"
	Members Visibility = "members"
	Sealed  Visibility = "sealed"
)

var visibilities = NewEnum("public", "members", "sealed")

// Meta is carried by every record.
type Meta struct {
	ID         string     `json:"id"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Visibility Visibility `json:"visibility"`
	// SubmittedBy is the organisation whose token wrote this version.
	SubmittedBy string   `json:"submitted_by,omitempty"`
	Sources     []Source `json:"sources"`
}

// Base gives access to the shared fields of any record.
func (m *Meta) Base() *Meta { return m }

// Source is the provenance of a record or of a figure in it.
type Source struct {
	URL         string     `json:"url,omitempty"`
	Publisher   string     `json:"publisher,omitempty"`
	Title       string     `json:"title,omitempty"`
	PublishedAt *Date      `json:"published_at,omitempty"`
	RetrievedAt *time.Time `json:"retrieved_at,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
	Claim       string     `json:"claim,omitempty"`
	// File and Line locate an imported row in the file whose SHA256 is given.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

var claims = NewEnum("platform_attested", "government_published", "third_party_reported", "corroborated")

func validateMeta(v *Validator, m *Meta) {
	if m.Visibility == "" {
		m.Visibility = Public
	}
	v.Enum("visibility", string(m.Visibility), visibilities)
	for i, s := range m.Sources {
		f := v.Index("sources", i)
		if s.URL == "" && s.File == "" && s.Title == "" {
			v.Add(f+".url", "a source needs a url, a title or a file")
		}
		v.OptionalEnum(f+".claim", s.Claim, claims)
		if s.SHA256 != "" && !isHex(s.SHA256, 64) {
			v.Add(f+".sha256", "must be 64 lowercase hex digits")
		}
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
