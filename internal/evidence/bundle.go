// Package evidence writes and checks evidence bundles: one file holding
// record versions, the hashes of their sources, an inclusion proof for each
// (c2sp.org/tlog-proof) and the signed, witnessed checkpoint they lead to,
// so that anyone can check the records offline, without Candor's server.
//
// A bundle is the RFC 8785 canonical JSON of a Bundle followed by one
// newline. It is valid only in that form: every byte is either covered by a
// signature, a hash or a key that verification checks, or fixed by the
// canonical encoding, so changing any byte makes verification fail.
package evidence

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
)

// Format names the bundle format and its version.
const Format = "candor-evidence/v1"

// MaxRecords bounds a bundle.
const MaxRecords = 10000

// Bundle is an evidence bundle.
type Bundle struct {
	Format string `json:"format"`
	Log    Log    `json:"log"`
	// Checkpoint is the signed note every proof leads to, with the
	// witnesses' cosignatures, verbatim.
	Checkpoint string   `json:"checkpoint"`
	Records    []Record `json:"records"`
	// Sources lists the documents the records cite by SHA-256; it is
	// derived from the records and checked against them.
	Sources []Source `json:"sources"`
}

// Log names the keys that sign the checkpoint. A verifier should hold its
// own copies; the bundle's are what the log claims.
type Log struct {
	// Key is the log's signed-note verifier key; its name is the origin.
	Key string `json:"key"`
	// Witnesses are the cosignature/v1 verifier keys of the witnesses that
	// cosigned the checkpoint, one for each cosignature.
	Witnesses []string `json:"witnesses"`
	// Quorum is how many cosignatures the log requires to call a
	// checkpoint witnessed (0 for a log run without witnesses).
	Quorum int `json:"quorum"`
}

// Record is one record version and its proof.
type Record struct {
	Collection string `json:"collection"`
	// Record is the version's canonical JSON, as the API serves it.
	Record json.RawMessage `json:"record"`
	// FieldSecrets are the salts (or, once erased, the commitments) of
	// the version's personal fields, which enter the log only committed.
	FieldSecrets []ledger.FieldSecret `json:"field_secrets"`
	// Proof is a c2sp.org/tlog-proof: the entry index, its inclusion proof
	// and the checkpoint.
	Proof string `json:"proof"`
}

// Source is a document cited with its SHA-256.
type Source struct {
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
	File   string `json:"file"`
	// Records are the refs (collection/id@version) citing it.
	Records []string `json:"records"`
}

// Ref names a record version: collection/id@version.
type Ref struct {
	Collection, ID string
	Version        int // 0: the current one
}

func (r Ref) String() string {
	s := r.Collection + "/" + r.ID
	if r.Version > 0 {
		s += fmt.Sprintf("@%d", r.Version)
	}
	return s
}

// ParseRef reads "collection/id", "collection/id@version" or a bare "id"
// (Collection left empty).
func ParseRef(s string) (Ref, error) {
	var r Ref
	rest := s
	if c, id, ok := strings.Cut(s, "/"); ok {
		r.Collection, rest = c, id
		if model.New(c) == nil {
			return r, fmt.Errorf("record %q: no collection named %q", s, c)
		}
	}
	id, v, hasVersion := strings.Cut(rest, "@")
	r.ID = id
	if hasVersion {
		if _, err := fmt.Sscanf(v, "%d", &r.Version); err != nil || r.Version < 1 || fmt.Sprint(r.Version) != v {
			return r, fmt.Errorf("record %q: version must be a whole number from 1", s)
		}
	}
	if r.ID == "" || strings.ContainsAny(r.ID, "/@ ") {
		return r, fmt.Errorf("record %q: write it as collection/id, collection/id@version or id", s)
	}
	return r, nil
}

// deriveSources lists the documents the records cite by hash, sorted.
func deriveSources(recs []Record) ([]Source, error) {
	byKey := map[string]*Source{}
	for _, r := range recs {
		m, ref, err := r.meta()
		if err != nil {
			return nil, err
		}
		for _, s := range m.Sources {
			if s.SHA256 == "" {
				continue
			}
			k := s.SHA256 + "\x00" + s.URL + "\x00" + s.File
			src := byKey[k]
			if src == nil {
				src = &Source{SHA256: s.SHA256, URL: s.URL, File: s.File}
				byKey[k] = src
			}
			if !slices.Contains(src.Records, ref) {
				src.Records = append(src.Records, ref)
			}
		}
	}
	out := make([]Source, 0, len(byKey))
	for _, s := range byKey {
		slices.Sort(s.Records)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Source) int {
		return cmp.Or(cmp.Compare(a.SHA256, b.SHA256), cmp.Compare(a.URL, b.URL), cmp.Compare(a.File, b.File))
	})
	return out, nil
}

// meta decodes the shared fields of the record and names it.
func (r Record) meta() (*model.Meta, string, error) {
	if model.New(r.Collection) == nil {
		return nil, "", fmt.Errorf("no collection named %q", r.Collection)
	}
	var m model.Meta
	if err := json.Unmarshal(r.Record, &m); err != nil {
		return nil, "", fmt.Errorf("%s record: %w", r.Collection, err)
	}
	if m.ID == "" || m.Version < 1 {
		return nil, "", fmt.Errorf("%s record has no id or version", r.Collection)
	}
	return &m, fmt.Sprintf("%s/%s@%d", r.Collection, m.ID, m.Version), nil
}
