// Package ndjson reads Candor's own exchange format (format ndjson): one
// JSON object per line, {"collection": "...", "record": {...}}, the shape
// `candor export` writes. Decoding is strict: an unknown field is an error,
// not something silently dropped.
package ndjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

var Format = importers.Format{
	Name:        "ndjson",
	Description: `Candor's own format, as exported: one {"collection": ..., "record": {...}} per line`,
	Open:        func(r io.Reader, f importers.File) (importers.Reader, error) { return New(r, f), nil },
}

// Line is one line of the format.
type Line struct {
	Collection string          `json:"collection"`
	Record     json.RawMessage `json:"record"`
}

// MaxLine is the longest line accepted (a record with many documents or
// provisions stays far below it).
const MaxLine = 16 << 20

// Reader yields the records of an ndjson stream. Records carry their own
// ids and references; blank lines are skipped.
type Reader struct {
	file importers.File
	br   *bufio.Reader
	line int
}

func New(r io.Reader, f importers.File) *Reader {
	return &Reader{file: f, br: bufio.NewReaderSize(r, 1<<16)}
}

func (nr *Reader) Next() (importers.Item, error) {
	for {
		b, err := nr.readLine()
		if err != nil {
			return importers.Item{}, err
		}
		nr.line++
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		rec, err := Decode(b)
		if err != nil {
			var le *importers.LineError
			if errors.As(err, &le) {
				le.File, le.Line = nr.file.Name, nr.line
				return importers.Item{}, le
			}
			return importers.Item{}, importers.Errorf(nr.file.Name, nr.line, "", "%v", err)
		}
		return importers.Item{Record: rec, Line: nr.line}, nil
	}
}

// readLine returns the next line without its newline; io.EOF at the end.
func (nr *Reader) readLine() ([]byte, error) {
	b, err := nr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull {
			if len(long) > MaxLine {
				return nil, importers.Errorf(nr.file.Name, nr.line+1, "", "line longer than %d bytes", MaxLine)
			}
			b, err = nr.br.ReadSlice('\n')
			long = append(long, b...)
		}
		b = long
	}
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("%s: %w", nr.file.Name, err)
		}
		return nil, err
	}
	return bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r")), nil
}

// Decode reads one line into a record of its collection. Errors are
// *importers.LineError without file and line, naming the field.
func Decode(b []byte) (model.Record, error) {
	if rec, ok := decodeExported(b); ok {
		return rec, nil
	}
	var l Line
	if err := strict(b, &l); err != nil {
		return nil, jsonError("", err)
	}
	if l.Collection == "" {
		return nil, &importers.LineError{Column: "collection", Err: errors.New("is required")}
	}
	rec := model.New(l.Collection)
	if rec == nil {
		return nil, &importers.LineError{Column: "collection",
			Err: fmt.Errorf("%q is not one of %s", l.Collection, strings.Join(model.Collections(), ", "))}
	}
	if len(l.Record) == 0 || string(l.Record) == "null" {
		return nil, &importers.LineError{Column: "record", Err: errors.New("is required")}
	}
	if err := strict(l.Record, rec); err != nil {
		return nil, jsonError("record", err)
	}
	return rec, nil
}

// decodeExported is the fast path for lines exactly as export writes them,
// {"collection":"NAME","record":{...}}: it skips decoding the envelope. Any
// other shape, or any error, goes the general way, which also words the
// errors.
func decodeExported(b []byte) (model.Record, bool) {
	const head, mid = `{"collection":"`, `","record":`
	rest, ok := bytes.CutPrefix(b, []byte(head))
	if !ok {
		return nil, false
	}
	name, body, ok := bytes.Cut(rest, []byte(mid))
	if !ok || bytes.ContainsAny(name, `"\`) {
		return nil, false
	}
	body, ok = bytes.CutSuffix(bytes.TrimRight(body, " \t"), []byte("}"))
	if !ok || len(body) == 0 || body[0] != '{' {
		return nil, false
	}
	rec := model.New(string(name))
	if rec == nil || strict(body, rec) != nil {
		return nil, false
	}
	return rec, true
}

func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

// jsonError turns encoding/json's errors into a located line error.
func jsonError(prefix string, err error) error {
	column, problem := JSONProblem(prefix, err)
	return &importers.LineError{Column: column, Err: problem}
}

// JSONProblem says which field (under prefix) an encoding/json error of a
// strict decode is about, and what is wrong with it.
func JSONProblem(prefix string, err error) (field string, problem error) {
	join := func(f string) string {
		switch {
		case prefix == "":
			return f
		case f == "":
			return prefix
		}
		return prefix + "." + f
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return join(te.Field), fmt.Errorf("want %s, got JSON %s", te.Type, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("character %d", se.Offset), fmt.Errorf("malformed JSON: %s", se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "", errors.New("malformed JSON: the object is cut short")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return join(strings.Trim(f, `"`)), errors.New("unknown field")
	}
	return prefix, errors.New(strings.TrimPrefix(msg, "json: "))
}

// Write writes records in the format, one line each.
func Write(w io.Writer, recs ...model.Record) error {
	for _, rec := range recs {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		line, err := json.Marshal(Line{Collection: rec.Collection(), Record: b})
		if err != nil {
			return err
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return err
		}
	}
	return nil
}
