// Package importers holds what the readers of outside formats share: the
// item they yield, the errors they return and the parsing of published
// figures. Each format lives in its own package below this one.
package importers

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/rowfile"
)

// Item is one record read from a file, with what the importer needs to
// link it: records refer to each other by ids the registry assigns, so a
// reader names the records it refers to by their source_id instead.
type Item struct {
	Record model.Record
	// Line is the line the record was read from (0 for a record the reader
	// makes itself, such as the platform organisation).
	Line int
	// Platform is the source_id (slug) of the platform organisation the
	// record belongs to; the importer puts that organisation's id in the
	// record's platform field.
	Platform string
	// Parent is the source_id of the record this one answers: the demand of
	// a response. A parent always comes before its children, and close to
	// them: the loader never ends a batch between the two.
	Parent string
	// KeepExisting marks a record the reader makes up rather than reads (the
	// platform organisation): it is written only when no record with its
	// source_id exists, so edits made to it since are kept.
	KeepExisting bool
}

// Link fills the record's reference fields with the ids the registry gave
// the platform and the parent.
func (it *Item) Link(platformID, parentID string) {
	switch r := it.Record.(type) {
	case *model.Demand:
		if it.Platform != "" {
			r.Platform = platformID
		}
	case *model.Response:
		if it.Platform != "" {
			r.Platform = platformID
		}
		if it.Parent != "" {
			r.Demand = parentID
		}
	}
}

// Reader yields the records of one file in order; Next returns io.EOF
// after the last one. A record's parent and platform always come before it.
type Reader interface {
	Next() (Item, error)
}

// File describes the file being read, for the sources of its records.
type File struct {
	// Name is the file's base name, as written into sources.
	Name   string
	SHA256 string
}

// Format is one outside format: its name on the command line and how to
// read it.
type Format struct {
	Name        string
	Description string
	Open        func(r io.Reader, f File) (Reader, error)
}

// HashFile returns the File of a path: base name and sha256 of the
// content.
func HashFile(path string) (File, error) {
	sum, err := rowfile.SHA256(path)
	if err != nil {
		return File{}, err
	}
	return File{Name: filepath.Base(path), SHA256: sum}, nil
}

// LineError is bad input located in a file: "file:line: column: message".
type LineError struct {
	File   string
	Line   int
	Column string
	Err    error
}

func (e *LineError) Error() string {
	s := fmt.Sprintf("%s:%d: ", e.File, e.Line)
	if e.Column != "" {
		s += e.Column + ": "
	}
	return s + e.Err.Error()
}

func (e *LineError) Unwrap() error { return e.Err }

// Errorf builds a LineError.
func Errorf(file string, line int, column, format string, args ...any) *LineError {
	return &LineError{File: file, Line: line, Column: column, Err: fmt.Errorf(format, args...)}
}

// ReadAll reads a whole file's items; for tests and small files.
func ReadAll(r Reader) ([]Item, error) {
	var out []Item
	for {
		it, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
}

// Validate runs a record's own validation.
func Validate(rec model.Record) error {
	var v model.Validator
	rec.Validate(&v)
	return v.Err()
}
