package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/gowebpki/jcs"

	"github.com/candor-observatory/candor/internal/store"
)

// A leaf is the RFC 8785 canonical JSON
//
//	{"collection":"<collection>","record":<record version>}
//
// where fields that may hold personal data enter the record only as
// commitments {"commitment":"<hex SHA-256("candor-field/v1\n" || salt || value)>"},
// value being the canonical JSON of the field. Salt and cleartext stay outside
// the log, so erasing them later leaves every proof valid.

// PersonalFields lists, per collection, the top-level fields that may hold
// personal data.
var PersonalFields = map[string][]string{
	"demands":   {"summary"},
	"responses": {"statement"},
}

// RedactedKey is added to a record body whose personal fields were erased;
// it lists the erased fields.
const RedactedKey = "redacted_fields"

// SaltSize is the size of a field salt.
const SaltSize = 32

// FieldSecret is what a leaf commits to for one personal field. Salt is nil
// once the field is redacted.
type FieldSecret struct {
	Field      string `json:"field"`
	Salt       []byte `json:"salt,omitempty"`
	Commitment Hash   `json:"-"`
	Redacted   bool   `json:"redacted,omitempty"`
}

// MarshalJSON writes the commitment in hex, as in the leaf.
func (s FieldSecret) MarshalJSON() ([]byte, error) {
	type plain FieldSecret
	return json.Marshal(struct {
		plain
		Commitment string `json:"commitment"`
	}{plain(s), fmt.Sprintf("%x", s.Commitment[:])})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *FieldSecret) UnmarshalJSON(b []byte) error {
	type plain FieldSecret
	var v struct {
		plain
		Commitment string `json:"commitment"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = FieldSecret(v.plain)
	return decodeHex(v.Commitment, s.Commitment[:])
}

// FieldCommitment is SHA-256("candor-field/v1\n" || salt || value).
func FieldCommitment(salt, value []byte) Hash {
	h := sha256.New()
	h.Write([]byte("candor-field/v1\n"))
	h.Write(salt)
	h.Write(value)
	var out Hash
	h.Sum(out[:0])
	return out
}

// BuildLeaf returns the leaf of a record version (its canonical JSON) and
// the secrets of its personal fields, salted with newSalt.
func BuildLeaf(collection string, body []byte, newSalt func() []byte) ([]byte, []FieldSecret, error) {
	fields := PersonalFields[collection]
	if !mentions(body, fields) {
		return envelope(collection, body), nil, nil
	}
	// The body is canonical, so swapping a value for its (canonical)
	// commitment keeps the leaf canonical without re-sorting anything.
	var secrets []FieldSecret
	out := make([]byte, 0, len(body)+64)
	last := 0
	err := topLevel(body, func(key []byte, start, end int) {
		if !slices.Contains(fields, string(key)) || string(body[start:end]) == "null" {
			return
		}
		salt := newSalt()
		c := FieldCommitment(salt, body[start:end])
		out = append(out, body[last:start]...)
		out = append(out, commitmentJSON(c)...)
		last = end
		secrets = append(secrets, FieldSecret{Field: string(key), Salt: salt, Commitment: c})
	})
	if err != nil {
		return nil, nil, err
	}
	out = append(out, body[last:]...)
	return envelope(collection, out), secrets, nil
}

// RebuildLeaf recomputes the leaf of a stored (possibly redacted) record
// version from its body and the secrets of its personal fields. Fields still
// present are committed afresh from their salt and value; erased ones
// contribute the commitment kept for them.
func RebuildLeaf(collection string, body []byte, secrets []FieldSecret) ([]byte, error) {
	fields := PersonalFields[collection]
	if len(secrets) == 0 && !mentions(body, append(fields, RedactedKey)) {
		return envelope(collection, body), nil
	}
	m, err := object(body)
	if err != nil {
		return nil, err
	}
	var redacted []string
	if r, ok := m[RedactedKey]; ok {
		if err := json.Unmarshal(r, &redacted); err != nil {
			return nil, fmt.Errorf("%s: %w", RedactedKey, err)
		}
		delete(m, RedactedKey)
	}
	byField := map[string]FieldSecret{}
	for _, s := range secrets {
		byField[s.Field] = s
	}
	for _, f := range fields {
		s, have := byField[f]
		if v, ok := m[f]; ok && string(v) != "null" {
			if !have || s.Salt == nil {
				return nil, fmt.Errorf("field %s: no salt to recompute its commitment", f)
			}
			m[f] = commitmentJSON(FieldCommitment(s.Salt, v))
			continue
		}
		if slices.Contains(redacted, f) {
			if !have {
				return nil, fmt.Errorf("field %s was redacted but its commitment is missing", f)
			}
			m[f] = commitmentJSON(s.Commitment)
		}
	}
	rec, err := canonical(m)
	if err != nil {
		return nil, err
	}
	return envelope(collection, rec), nil
}

// LeafRecord splits a leaf into its collection and record.
func LeafRecord(leaf []byte) (collection string, record json.RawMessage, err error) {
	var v struct {
		Collection string          `json:"collection"`
		Record     json.RawMessage `json:"record"`
	}
	if err := json.Unmarshal(leaf, &v); err != nil {
		return "", nil, fmt.Errorf("leaf is not a Candor leaf: %w", err)
	}
	if v.Collection == "" || len(v.Record) == 0 {
		return "", nil, errors.New("leaf is not a Candor leaf: no collection or record")
	}
	return v.Collection, v.Record, nil
}

func envelope(collection string, record []byte) []byte {
	b := make([]byte, 0, len(record)+len(collection)+30)
	b = append(b, `{"collection":`...)
	b = strconv.AppendQuote(b, collection) // collection names are plain ASCII
	b = append(b, `,"record":`...)
	b = append(b, record...)
	return append(b, '}')
}

func mentions(body []byte, fields []string) bool {
	for _, f := range fields {
		if bytes.Contains(body, []byte(`"`+f+`":`)) {
			return true
		}
	}
	return false
}

func object(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("record body: %w", err)
	}
	return m, nil
}

// canonical writes an object whose values are already canonical JSON. With
// plain ASCII keys, sorting the keys is all RFC 8785 asks; anything else
// goes through the full transform.
func canonical(m map[string]json.RawMessage) ([]byte, error) {
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		if !plainKey(k) {
			raw, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			return jcs.Transform(raw)
		}
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		b = append(b, m[k]...)
	}
	return append(b, '}'), nil
}

func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func commitmentJSON(c Hash) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"commitment":"%x"}`, c[:]))
}

func decodeHex(s string, out []byte) error {
	if len(s) != 2*len(out) {
		return fmt.Errorf("commitment %q: want %d hex digits", s, 2*len(out))
	}
	for i := range out {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return fmt.Errorf("commitment %q: not hex", s)
		}
		out[i] = byte(v)
	}
	return nil
}

// StoredLeaf is the ledger entry of a record version as the store keeps
// it: the leaf, and the fresh salts of its personal fields to keep beside it.
func StoredLeaf(collection, id string, version int, body []byte) (store.Leaf, error) {
	leaf, secrets, err := BuildLeaf(collection, body, newSalt)
	if err != nil {
		return store.Leaf{}, fmt.Errorf("ledger leaf of %s/%s: %w", collection, id, err)
	}
	out := store.Leaf{Data: leaf}
	for _, s := range secrets {
		out.Salts = append(out.Salts, store.FieldSalt{Collection: collection, ID: id, Version: version,
			Field: s.Field, Salt: s.Salt, Commitment: s.Commitment[:]})
	}
	return out, nil
}

func newSalt() []byte {
	b := make([]byte, SaltSize)
	rand.Read(b)
	return b
}

// SecretsOf turns the salts a store keeps into the secrets a leaf is
// rebuilt from.
func SecretsOf(salts []store.FieldSalt) []FieldSecret {
	out := make([]FieldSecret, 0, len(salts))
	for _, s := range salts {
		fs := FieldSecret{Field: s.Field, Salt: s.Salt, Redacted: s.Redacted}
		copy(fs.Commitment[:], s.Commitment)
		out = append(out, fs)
	}
	return out
}

// RedactBody drops fields from a canonical record body and lists them
// under RedactedKey, so that a reader sees what was erased. The result is
// canonical.
func RedactBody(body []byte, fields []string) ([]byte, error) {
	m, err := object(body)
	if err != nil {
		return nil, err
	}
	var redacted []string
	if r, ok := m[RedactedKey]; ok {
		if err := json.Unmarshal(r, &redacted); err != nil {
			return nil, fmt.Errorf("%s: %w", RedactedKey, err)
		}
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
		b, err := json.Marshal(redacted)
		if err != nil {
			return nil, err
		}
		m[RedactedKey] = b
	}
	return canonical(m)
}
