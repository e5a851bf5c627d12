package ooni

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

// compact returns a real sample as one JSON line.
func compact(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(shareddatatest.Path(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := jsonCompact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func ingestAll(t *testing.T, paths ...string) ([]*model.Measurement, []*LineError, Stats) {
	t.Helper()
	var ms []*model.Measurement
	var errs []*LineError
	st, err := Ingest(context.Background(), paths, Options{Scorer: testScorer(t), Workers: 3,
		OnError: func(e *LineError) { errs = append(errs, e) }},
		func(b []*model.Measurement) error { ms = append(ms, b...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return ms, errs, st
}

func TestJSONLinesGzipWithBadLines(t *testing.T) {
	ir := compact(t, "ooni", "ooni-backend-fastpath", "web_connectivity_ir_fp.json")
	wa := compact(t, "ooni", "ooni-backend-fastpath", "whatsapp.json")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	lines := [][]byte{
		ir,
		[]byte(`{"report_id": "r1", "test_name": "web_connectivity", "probe_cc": "TR", "probe_asn": "AS9121", "measurement_start_time": "2023-02-08 12:00:00", "input": null, "test_keys": null}`),
		[]byte(`{"this is": not json`),
		{},
		wa,
		[]byte(`{"report_id": "r2", "test_name": "web_connectivity", "probe_cc": "ZZ", "probe_asn": "AS1", "measurement_start_time": "2023-02-08 12:00:00"}`),
		[]byte(`{"report_id": "r3", "test_name": "web_connectivity", "probe_cc": "TR", "probe_asn": "AS9121", "measurement_start_time": "yesterday"}`),
		[]byte(`[1,2,3]`),
	}
	zw.Write(bytes.Join(lines, []byte("\n")))
	zw.Close()
	p := filepath.Join(t.TempDir(), "cans.jsonl.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ms, errs, st := ingestAll(t, p)
	if len(ms) != 3 {
		t.Fatalf("got %d measurements, want 3", len(ms))
	}
	if ms[0].Outcome != "confirmed" || ms[0].Raw.Line != 1 || ms[2].TestName != "whatsapp" || ms[2].Raw.Line != 5 {
		t.Errorf("order or lines wrong: %+v / %+v", ms[0].Raw, ms[2].Raw)
	}
	// test_keys null: a measurement that failed, not a malformed line.
	if ms[1].Outcome != "failure" || ms[1].ProbeASN != 9121 {
		t.Errorf("null test_keys: outcome %s asn %d", ms[1].Outcome, ms[1].ProbeASN)
	}
	if st.Discarded != 1 {
		t.Errorf("discarded %d, want 1 (probe_cc ZZ)", st.Discarded)
	}
	want := []string{"cans.jsonl.gz:3: malformed JSON", "cans.jsonl.gz:7: measurement_start_time", "cans.jsonl.gz:8: a measurement must be a JSON object"}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
}

func TestPostcanAndTar(t *testing.T) {
	ir := compact(t, "ooni", "ooni-backend-fastpath", "web_connectivity_ir_fp.json")
	post := append(append([]byte(`{"format":"json","content":`), ir...), '}')
	dir := t.TempDir()
	uid := "20220815190259.123456_IR_webconnectivity_0123456789abcdef"
	p := filepath.Join(dir, uid+".post")
	if err := os.WriteFile(p, post, 0o644); err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	zw := gzip.NewWriter(&tb)
	tw := tar.NewWriter(zw)
	for i, body := range [][]byte{post, []byte(`{"format":"yaml","content":"x"}`)} {
		name := []string{"a.post", "b.post"}[i]
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	tp := filepath.Join(dir, "postcan.tar.gz")
	os.WriteFile(tp, tb.Bytes(), 0o644)

	ms, errs, _ := ingestAll(t, p, tp)
	if len(ms) != 2 {
		t.Fatalf("got %d measurements, want 2; errors %v", len(ms), errs)
	}
	if ms[0].MeasurementUID != uid || ms[0].Outcome != "confirmed" {
		t.Errorf(".post: uid %q outcome %s", ms[0].MeasurementUID, ms[0].Outcome)
	}
	if ms[1].Raw.File != "postcan.tar.gz!a.post" {
		t.Errorf("tar member raw file %q", ms[1].Raw.File)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `postcan.tar.gz!b.post: postcan format "yaml"`) {
		t.Errorf("errors %v", errs)
	}
}

func TestLegacyTopLevelTestKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "old.jsonl")
	line := `{"report_id":"20160101T000000Z_AS9121_x","test_name":"web_connectivity","probe_cc":"TR","probe_asn":"AS9121",` +
		`"measurement_start_time":"2016-01-01 00:00:00","input":"http://twitter.com/","blocking":"dns","accessible":false,"title_match":null}`
	os.WriteFile(p, []byte(line+"\n"), 0o644)
	ms, errs, _ := ingestAll(t, p)
	if len(ms) != 1 || len(errs) != 0 {
		t.Fatalf("got %d measurements, errors %v", len(ms), errs)
	}
	if ms[0].Outcome != "anomaly" || ms[0].BlockingType != "dns" || ms[0].Platform != "x" {
		t.Errorf("legacy measurement: %s %s %s", ms[0].Outcome, ms[0].BlockingType, ms[0].Platform)
	}
	if ms[0].Key() != "20160101T000000Z_AS9121_x http://twitter.com/" {
		t.Errorf("key %q", ms[0].Key())
	}
}

// A measurement larger than the read buffer (big bodies happen) is read
// whole, and the lines after it keep their numbers.
func TestLongLine(t *testing.T) {
	big := `{"report_id":"r","test_name":"web_connectivity","probe_cc":"TR","probe_asn":"AS9121",` +
		`"measurement_start_time":"2023-02-08 10:00:00","input":"https://twitter.com/","test_keys":{"blocking":false,` +
		`"accessible":true,"requests":[{"response":{"body":"` + strings.Repeat("x", 3<<20) + `"}}]}}`
	small := `{"report_id":"r2","test_name":"web_connectivity","probe_cc":"TR","probe_asn":"AS9121",` +
		`"measurement_start_time":"2023-02-08 11:00:00","test_keys":{"blocking":"dns"}}`
	p := filepath.Join(t.TempDir(), "big.jsonl")
	os.WriteFile(p, []byte(big+"\n"+small+"\n"), 0o644)
	ms, errs, _ := ingestAll(t, p)
	if len(errs) != 0 || len(ms) != 2 {
		t.Fatalf("%d measurements, errors %v", len(ms), errs)
	}
	if ms[0].Outcome != "ok" || ms[1].Raw.Line != 2 || ms[1].Outcome != "anomaly" {
		t.Errorf("got %s, line %d %s", ms[0].Outcome, ms[1].Raw.Line, ms[1].Outcome)
	}
}

// A line over the limit is reported and skipped; the next ones are read.
func TestTooLongLine(t *testing.T) {
	defer func(n int) { maxLine = n }(maxLine)
	maxLine = 2 << 20
	small := `{"report_id":"r2","test_name":"web_connectivity","probe_cc":"TR","probe_asn":"AS9121",` +
		`"measurement_start_time":"2023-02-08 11:00:00","test_keys":{"blocking":"dns"}}`
	p := filepath.Join(t.TempDir(), "huge.jsonl")
	os.WriteFile(p, []byte(small+"\n"+`{"x":"`+strings.Repeat("y", 5<<20)+`"}`+"\n"+small+"\n"+small), 0o644)
	ms, errs, _ := ingestAll(t, p)
	if len(ms) != 3 || ms[0].Raw.Line != 1 || ms[1].Raw.Line != 3 || ms[2].Raw.Line != 4 {
		t.Fatalf("%d measurements %v", len(ms), errs)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "huge.jsonl:2: measurement longer than") {
		t.Errorf("errors %v", errs)
	}
}
