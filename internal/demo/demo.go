// Package demo holds the demonstration records that `candor serve --demo`
// loads: laws, authorities, platforms, demands and responses typed from
// public sources (see docs/design/demo-data.md).
//
// demo.ndjson has one {"collection": ..., "record": {...}} object a line.
// Each record names itself with a "demo:<slug>" key (its source_id; an
// organisation's key is demo: and its plain slug) and refers to others by
// their keys; Records replaces every key with an id derived from it, so the
// same file always yields the same ids.
package demo

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/importers/ndjson"
	"github.com/candor-observatory/candor/internal/model"
)

//go:embed demo.ndjson
var data []byte

// FileName is how errors name the embedded file.
const FileName = "demo.ndjson"

// KeyPrefix marks a demo key and a reference to one.
const KeyPrefix = "demo:"

// idTime is the timestamp part of every demo id; a fixed instant keeps ids
// stable across runs and machines.
var idTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// ID derives the record id of a demo key: a ULID with a fixed timestamp
// and the first 80 bits of SHA-256(key) as entropy.
func ID(key string) string {
	sum := sha256.Sum256([]byte(key))
	id, err := ulid.New(ulid.Timestamp(idTime), bytes.NewReader(sum[:10]))
	if err != nil {
		panic(err) // cannot happen: the timestamp is in range and the reader has 10 bytes
	}
	return id.String()
}

// Records parses the embedded file.
func Records() ([]model.Record, error) { return Parse(bytes.NewReader(data)) }

// line is one line of the file.
type line struct {
	Collection string          `json:"collection"`
	Record     json.RawMessage `json:"record"`
}

// Parse reads demo records from r: strictly (unknown fields are errors),
// with every "demo:" reference resolved to an id and every record validated.
// Errors name the line and the field.
func Parse(r io.Reader) ([]model.Record, error) {
	var lines []parsedLine
	keys := map[string]int{} // key -> line number
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		pl, err := parseLine(text)
		if err != nil {
			return nil, lineErr(n, err)
		}
		pl.line = n
		if prev, dup := keys[pl.key]; dup {
			return nil, lineErr(n, fmt.Errorf("record.%s: key %q already used on line %d", pl.keyField, pl.key, prev))
		}
		keys[pl.key] = n
		lines = append(lines, pl)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", FileName, err)
	}

	out := make([]model.Record, 0, len(lines))
	for _, pl := range lines {
		rec, err := pl.build(keys)
		if err != nil {
			return nil, lineErr(pl.line, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// parsedLine is a line whose envelope and key have been checked.
type parsedLine struct {
	line       int
	collection string
	key        string // "demo:<slug>"
	keyField   string // "source_id", or "slug" (which holds the plain slug) for organisations
	body       map[string]any
}

func parseLine(text []byte) (parsedLine, error) {
	var l line
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return parsedLine{}, jsonErr("", err)
	}
	if dec.More() {
		return parsedLine{}, errors.New("more than one JSON value on the line")
	}
	if l.Collection == "" {
		return parsedLine{}, errors.New("collection: is required")
	}
	if model.New(l.Collection) == nil {
		return parsedLine{}, fmt.Errorf("collection: %q is not one of %s", l.Collection, strings.Join(model.Collections(), ", "))
	}
	if len(l.Record) == 0 {
		return parsedLine{}, errors.New("record: is required")
	}
	var body map[string]any
	dec = json.NewDecoder(bytes.NewReader(l.Record))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return parsedLine{}, jsonErr("record", err)
	}
	if body == nil {
		return parsedLine{}, errors.New("record: must be an object")
	}
	if id, ok := body["id"]; ok && id != "" {
		return parsedLine{}, errors.New("record.id: must not be set; it is derived from the key")
	}
	keyField := "source_id"
	if l.Collection == "organisations" {
		keyField = "slug"
	}
	val, _ := body[keyField].(string)
	key := val
	if keyField == "slug" {
		// An organisation keeps the plain slug the importers use ("google"),
		// so that a store holding both shares one record; its key is
		// demo:<slug>.
		if val == "" || strings.HasPrefix(val, KeyPrefix) {
			return parsedLine{}, errors.New("record.slug: must be a plain slug such as \"google\"; other records refer to it as demo:<slug>")
		}
		key = KeyPrefix + val
	} else if !strings.HasPrefix(val, KeyPrefix) || len(val) == len(KeyPrefix) {
		return parsedLine{}, fmt.Errorf("record.%s: must be a key of the form %s<slug>", keyField, KeyPrefix)
	}
	return parsedLine{collection: l.Collection, key: key, keyField: keyField, body: body}, nil
}

// build resolves references, decodes the record into its model type and
// validates it.
func (pl parsedLine) build(keys map[string]int) (model.Record, error) {
	body := make(map[string]any, len(pl.body))
	for k, v := range pl.body {
		if k == pl.keyField {
			body[k] = v // the record's own key stays as its source_id or slug
			continue
		}
		rv, err := resolve(v, "record."+k, keys)
		if err != nil {
			return nil, err
		}
		body[k] = rv
	}
	body["id"] = ID(pl.key)
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	rec := model.New(pl.collection)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return nil, decodeErr(pl.collection, body, err)
	}
	if err := checkSources(rec.Base().Sources); err != nil {
		return nil, err
	}
	v := &model.Validator{}
	rec.Validate(v)
	if err := v.Err(); err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			parts := make([]string, len(ve.Errors))
			for i, fe := range ve.Errors {
				parts[i] = "record." + fe.Field + ": " + fe.Message
			}
			return nil, errors.New(strings.Join(parts, "; "))
		}
		return nil, err
	}
	return rec, nil
}

// resolve replaces every "demo:" string in v with the id of that key.
func resolve(v any, path string, keys map[string]int) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, KeyPrefix) {
			return x, nil
		}
		if _, ok := keys[x]; !ok {
			return nil, fmt.Errorf("%s: reference %q names no record in the file", path, x)
		}
		return ID(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := resolve(e, fmt.Sprintf("%s[%d]", path, i), keys)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names) // the first error reported is the same on every run
		for _, k := range names {
			r, err := resolve(x[k], path+"."+k, keys)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

// decodeErr names the field of a decoding error. Errors such as a bad date
// come without a field name; then each top-level field is decoded alone to
// find the one at fault.
func decodeErr(collection string, body map[string]any, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) || strings.HasPrefix(err.Error(), "json: unknown field ") {
		return jsonErr("record", err)
	}
	names := make([]string, 0, len(body))
	for k := range body {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		one, _ := json.Marshal(map[string]any{k: body[k]})
		if e := json.Unmarshal(one, model.New(collection)); e != nil {
			return fmt.Errorf("record.%s: %v", k, e)
		}
	}
	return jsonErr("record", err)
}

// checkSources holds the file to its promise: every record cites at least
// one public source by URL.
func checkSources(sources []model.Source) error {
	for _, s := range sources {
		if strings.HasPrefix(s.URL, "https://") || strings.HasPrefix(s.URL, "http://") {
			return nil
		}
	}
	return errors.New("record.sources: needs at least one source with an http(s) url")
}

func lineErr(n int, err error) error { return fmt.Errorf("%s:%d: %w", FileName, n, err) }

// jsonErr turns decoder errors into "field: message" form.
func jsonErr(prefix string, err error) error {
	field, problem := ndjson.JSONProblem(prefix, err)
	if field == "" {
		return problem
	}
	return fmt.Errorf("%s: %w", field, problem)
}
