package ndjson

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

func TestDecode(t *testing.T) {
	rec, err := Decode([]byte(`{"collection":"demands","record":{"platform":"P","country":"TR","granularity":"aggregate",
		"period_start":"2023-01-01","period_end":"2023-06-30","types":["content_removal"],
		"targets":{"items":{"kind":"range","min":0,"max":9}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := rec.(*model.Demand)
	if !ok || d.Country != "TR" || d.Targets.Items.String() != "0–9" {
		t.Fatalf("%#v", rec)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ line, column, msg string }{
		{`{"collection":"demands","record":{"country":"TR","colour":"red"}}`, "record.colour", "unknown field"},
		{`{"collection":"demands","record":{"country":"TR"},"extra":1}`, "extra", "unknown field"},
		{`{"collection":"demands","record":{"country":7}}`, "record.country", "want string, got JSON number"},
		{`{"collection":"demands","record":{"targets":{"items":{"value":"ten"}}}}`, "record.targets.items.value", "want int64"},
		{`{"collection":"widgets","record":{}}`, "collection", `"widgets" is not one of`},
		{`{"record":{}}`, "collection", "is required"},
		{`{"collection":"demands"}`, "record", "is required"},
		{`{"collection":"demands","record":{"country":"TR"}`, "", "cut short"},
		{`{"collection":"demands","record":{}} {}`, "", "more than one JSON value"},
		{`{"collection":"demands","record":{}}}`, "", "more than one JSON value"},
		{`{"collection":"demands","record":{"country":"TR"}},"x":1}`, "", "more than one JSON value"},
		{`{"collection":"demands","record":{"country":"TR"},"x":1}`, "x", "unknown field"},
		{`{"collection":"demands" "record":{}}`, "character 25", "invalid character"},
		{`{"collection":"demands","record":{"period_start":"2023-13-01"}}`, "record", "is not a date"},
	} {
		_, err := Decode([]byte(tc.line))
		var le *importers.LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: err = %v", tc.line, err)
			continue
		}
		if le.Column != tc.column || !strings.Contains(le.Err.Error(), tc.msg) {
			t.Errorf("%s: got %q: %q, want %q: %q", tc.line, le.Column, le.Err, tc.column, tc.msg)
		}
	}
}

func TestReaderLinesAndErrors(t *testing.T) {
	in := `{"collection":"authorities","record":{"country":"TR","name":"BTK","type":"ict_regulator"}}

{"collection":"authorities","record":{"country":"VN","name":"MIC","type":"ministry"}}` + "\r\n" +
		`{"collection":"authorities","record":{"country":"VN","nam":"MPS"}}` + "\n"
	r := New(strings.NewReader(in), importers.File{Name: "a.ndjson"})
	it, err := r.Next()
	if err != nil || it.Line != 1 {
		t.Fatalf("%v %+v", err, it)
	}
	it, err = r.Next()
	if err != nil || it.Line != 3 || it.Record.(*model.Authority).Name != "MIC" {
		t.Fatalf("%v %+v", err, it)
	}
	_, err = r.Next()
	if err == nil || err.Error() != "a.ndjson:4: record.nam: unknown field" {
		t.Fatalf("err = %v", err)
	}
}

func TestLongLine(t *testing.T) {
	long := `{"collection":"authorities","record":{"country":"TR","type":"court","name":"` + strings.Repeat("x", 200_000) + `"}}` + "\n"
	r := New(strings.NewReader(long+long), importers.File{Name: "long.ndjson"})
	for i := 1; i <= 2; i++ {
		it, err := r.Next()
		if err != nil || it.Line != i || len(it.Record.(*model.Authority).Name) != 200_000 {
			t.Fatalf("line %d: %v", i, err)
		}
	}
}

// Generated input reads back as valid records in order.
func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	if err := Generate(&a, 500, 1); err != nil {
		t.Fatal(err)
	}
	Generate(&b, 500, 1)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("Generate is not deterministic")
	}
	items, err := importers.ReadAll(New(&a, importers.File{Name: "gen.ndjson"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 501 {
		t.Fatalf("%d items", len(items))
	}
	org := items[0].Record.(*model.Organisation)
	for _, it := range items {
		if err := importers.Validate(it.Record); err != nil {
			t.Fatalf("line %d: %v", it.Line, err)
		}
		if d, ok := it.Record.(*model.Demand); ok && d.Platform != org.ID {
			t.Fatalf("line %d: platform %q", it.Line, d.Platform)
		}
	}
}
