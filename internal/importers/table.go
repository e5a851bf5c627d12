package importers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
)

// Table reads a CSV file whose header must be exactly the one expected;
// every row must have one field per column.
type Table struct {
	file    string
	header  []string
	r       *csv.Reader
	row     []string
	line    int
	columns map[string]int
}

// NewTable checks the header and returns a table ready to read rows. A
// UTF-8 byte order mark at the start is skipped.
func NewTable(r io.Reader, file string, header []string) (*Table, error) {
	t, _, err := NewTableOf(r, file, header)
	return t, err
}

// NewTableOf accepts any of several headers and says which one the file
// has, for formats that come in more than one layout.
func NewTableOf(r io.Reader, file string, headers ...[]string) (*Table, int, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	want := make([]string, len(headers))
	for i, h := range headers {
		want[i] = fmt.Sprintf("%q", strings.Join(h, ","))
	}
	got, err := cr.Read()
	if err == io.EOF {
		return nil, 0, Errorf(file, 1, "", "empty file, want the header %s", strings.Join(want, " or "))
	}
	if err != nil {
		return nil, 0, csvError(file, err)
	}
	for n, header := range headers {
		if !equalFields(got, header) {
			continue
		}
		t := &Table{file: file, header: header, r: cr, columns: map[string]int{}}
		for i, h := range header {
			t.columns[h] = i
		}
		return t, n, nil
	}
	return nil, 0, Errorf(file, 1, "", "header is %q, want %s", strings.Join(got, ","), strings.Join(want, " or "))
}

func equalFields(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimSpace(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// Next reads the next row; it returns io.EOF after the last one.
func (t *Table) Next() error {
	row, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return csvError(t.file, err)
	}
	t.line, _ = t.r.FieldPos(0)
	if len(row) != len(t.header) {
		return Errorf(t.file, t.line, "", "%d fields, want %d (%s)", len(row), len(t.header), strings.Join(t.header, ","))
	}
	t.row = row
	return nil
}

// Line is the line the current row starts on.
func (t *Table) Line() int { return t.line }

// File is the name errors carry.
func (t *Table) File() string { return t.file }

// Get returns a field of the current row by column name, trimmed.
func (t *Table) Get(column string) string {
	i, ok := t.columns[column]
	if !ok {
		panic("importers: no column " + column)
	}
	return strings.TrimSpace(t.row[i])
}

// Text is Get for free text; bytes that are not UTF-8 (some published files
// mix encodings) are replaced so the text stays valid.
func (t *Table) Text(column string) string {
	return strings.ToValidUTF8(t.Get(column), "\uFFFD")
}

// Errorf builds an error located at the current row and a column.
func (t *Table) Errorf(column, format string, args ...any) error {
	return Errorf(t.file, t.line, column, format, args...)
}

// Count reads a column as a Count (see ParseCount).
func (t *Table) Count(column string) (*model.Count, error) {
	c, err := ParseCount(t.Get(column))
	if err != nil {
		return nil, t.Errorf(column, "%v", err)
	}
	return c, nil
}

// Int reads a column that must hold an exact whole number.
func (t *Table) Int(column string) (int64, error) {
	n, err := ParseInt(t.Get(column))
	if err != nil {
		return 0, t.Errorf(column, "%v", err)
	}
	return n, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Errorf(file, pe.Line, fmt.Sprintf("character %d", pe.Column), "%v", pe.Err)
	}
	return fmt.Errorf("%s: %w", file, err)
}
