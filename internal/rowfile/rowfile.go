// Package rowfile opens the tabular files importers read: it decompresses
// gzip, strips a UTF-8 byte-order mark and reports the file's SHA-256 so
// that every imported row can name its file, line and hash.
package rowfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// File is an opened data file.
type File struct {
	Name   string // base name, as cited in sources
	SHA256 string
	r      io.Reader
	closer []io.Closer
}

// Open opens path; gzip is recognised by its magic number.
func Open(path string) (*File, error) {
	sum, err := SHA256(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rf := &File{Name: filepath.Base(path), SHA256: sum, closer: []io.Closer{f}}
	br := bufio.NewReader(f)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rf.closer = append(rf.closer, zr)
		br = bufio.NewReader(zr)
	}
	if head, _ := br.Peek(3); bytes.Equal(head, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	rf.r = br
	return rf, nil
}

func (f *File) Read(p []byte) (int, error) { return f.r.Read(p) }

func (f *File) Close() error {
	var first error
	for i := len(f.closer) - 1; i >= 0; i-- {
		if err := f.closer[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// SHA256 is the hex SHA-256 of the file at path, as sources cite it.
func SHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Header maps normalised column names ("other_service_details_(specify)")
// to their index.
type Header map[string]int

// NormName lower-cases a column name, trims it and joins words with "_".
func NormName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimSpace(s))), "_")
}

// NewHeader indexes a header row.
func NewHeader(row []string) Header {
	h := Header{}
	for i, c := range row {
		n := NormName(c)
		if _, dup := h[n]; !dup && n != "" {
			h[n] = i
		}
	}
	return h
}

// Get returns the trimmed cell of the first of names present in the row.
func (h Header) Get(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := h[n]; ok && i < len(row) {
			if v := strings.TrimSpace(row[i]); v != "" {
				return v
			}
		}
	}
	return ""
}

// Has reports whether all names are columns.
func (h Header) Has(names ...string) bool {
	for _, n := range names {
		if _, ok := h[n]; !ok {
			return false
		}
	}
	return true
}

// CSV reads a CSV file row by row with the line each row starts on.
func CSV(f *File, row func(line int, rec []string) error) error {
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", f.Name, line, err)
		}
		if err := row(line, rec); err != nil {
			return err
		}
	}
}
