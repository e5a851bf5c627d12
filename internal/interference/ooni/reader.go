package ooni

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fastjson"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/rowfile"
)

// LineError is a measurement that could not be read; the import goes on
// without it.
type LineError struct {
	File  string
	Line  int    // 1-based line, or 0 for a whole file
	Entry string // the member of a tar archive, if any
	Err   error
}

func (e *LineError) Error() string {
	where := e.File
	if e.Entry != "" {
		where += "!" + e.Entry
	}
	if e.Line > 0 {
		where += fmt.Sprintf(":%d", e.Line)
	}
	return where + ": " + e.Err.Error()
}

func (e *LineError) Unwrap() error { return e.Err }

// Options tune Ingest.
type Options struct {
	Scorer  *Scorer
	Workers int // parsing goroutines; 0 means GOMAXPROCS
	// OnError receives every malformed measurement; nil ignores them.
	OnError func(*LineError)
	// Progress is told how many bytes of the input files have been read.
	Progress func(read int64)
}

// Stats count what an ingest saw.
type Stats struct {
	Files        int
	Measurements int   // scored and passed to the sink
	Discarded    int   // ignored as the fastpath ignores them
	Malformed    int   // reported through OnError
	Bytes        int64 // bytes of the input files
	JSONBytes    int64 // bytes of JSON after decompression
}

// maxLine bounds one measurement; OONI's largest are a few MiB. A .json
// file larger than maxDocument is read as JSON Lines.
var maxLine = 64 << 20 // a variable so that tests can lower it

const maxDocument = 32 << 20

// batchBytes and batchItems bound the unit of work handed to a parser, and
// with the channel sizes they bound memory whatever the input size.
const (
	batchBytes = 1 << 20
	batchItems = 512
)

type item struct {
	start, end int
	line       int
	entry      string
	uid        string
	tooLong    bool
}

type batch struct {
	seq   int
	file  *fileInfo
	buf   []byte
	items []item
}

type fileInfo struct {
	name   string
	sha256 string
}

type result struct {
	seq       int
	ms        []*model.Measurement
	errs      []*LineError
	discarded int
	jsonBytes int64
}

var batchPool = sync.Pool{New: func() any { return &batch{buf: make([]byte, 0, batchBytes)} }}

// Ingest reads OONI measurements from files (a single JSON measurement, a
// postcan .post, JSON Lines, any of them gzipped, or a tar of them), scores
// them in parallel and hands them to sink in input order, a batch at a time.
// A malformed measurement is reported and skipped; an error from sink or
// from reading a file stops the ingest.
func Ingest(ctx context.Context, paths []string, opts Options, sink func([]*model.Measurement) error) (Stats, error) {
	return ingest(ctx, func(r *splitter, st *Stats) error {
		for _, p := range paths {
			if err := r.file(p); err != nil {
				return err
			}
			st.Files++
		}
		return nil
	}, opts, sink)
}

// IngestBytes is Ingest for measurements held in memory, such as a request
// body: one JSON measurement or an array of them when name ends in .json,
// else JSON Lines. They are sourced to name and the SHA-256 of data.
func IngestBytes(ctx context.Context, name string, data []byte, opts Options, sink func([]*model.Measurement) error) (Stats, error) {
	return ingest(ctx, func(r *splitter, st *Stats) error {
		sum := sha256.Sum256(data)
		if err := r.send(); err != nil {
			return err
		}
		r.current = &fileInfo{name: name, sha256: hex.EncodeToString(sum[:])}
		r.read += int64(len(data))
		st.Files++
		return r.stream(bytes.NewReader(data), name, "", name)
	}, opts, sink)
}

func ingest(ctx context.Context, feed func(*splitter, *Stats) error, opts Options, sink func([]*model.Measurement) error) (Stats, error) {
	var st Stats
	if opts.Scorer == nil {
		opts.Scorer = &Scorer{}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan *batch, workers)
	results := make(chan *result, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p fastjson.Parser
			for b := range batches {
				r := parseBatch(&p, opts.Scorer, b)
				b.buf, b.items = b.buf[:0], b.items[:0]
				if cap(b.buf) <= 4*batchBytes { // let buffers grown for huge lines go
					batchPool.Put(b)
				}
				select {
				case results <- r:
				case <-ctx.Done():
				}
			}
		}()
	}

	readErr := make(chan error, 1)
	go func() {
		r := &splitter{ctx: ctx, out: batches, progress: opts.Progress}
		err := feed(r, &st)
		r.flush()
		close(batches)
		st.Bytes = r.read
		readErr <- err
		wg.Wait()
		close(results)
	}()

	pending := map[int]*result{}
	next := 0
	var sinkErr error
	for r := range results {
		pending[r.seq] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			st.Discarded += r.discarded
			st.JSONBytes += r.jsonBytes
			for _, e := range r.errs {
				st.Malformed++
				if opts.OnError != nil {
					opts.OnError(e)
				}
			}
			if sinkErr == nil && len(r.ms) > 0 {
				st.Measurements += len(r.ms)
				if sinkErr = sink(r.ms); sinkErr != nil {
					cancel()
				}
			}
		}
	}
	err := <-readErr
	if sinkErr != nil {
		return st, sinkErr
	}
	if err != nil {
		return st, err
	}
	return st, ctx.Err()
}

func parseBatch(p *fastjson.Parser, sc *Scorer, b *batch) *result {
	r := &result{seq: b.seq}
	for _, it := range b.items {
		data := b.buf[it.start:it.end]
		r.jsonBytes += int64(len(data))
		fail := func(err error) {
			r.errs = append(r.errs, &LineError{File: b.file.name, Line: it.line, Entry: it.entry, Err: err})
		}
		if it.tooLong {
			fail(fmt.Errorf("measurement longer than %d bytes", maxLine))
			continue
		}
		v, err := p.ParseBytes(data)
		if err != nil {
			fail(fmt.Errorf("malformed JSON: %v", err))
			continue
		}
		m, err := sc.Normalize(v, it.uid)
		if errors.Is(err, ErrDiscarded) {
			r.discarded++
			continue
		}
		if err != nil {
			fail(err)
			continue
		}
		var val model.Validator
		m.Validate(&val)
		if err := val.Err(); err != nil {
			fail(err)
			continue
		}
		m.Raw = model.Source{File: b.file.name, Line: it.line, SHA256: b.file.sha256}
		if it.entry != "" {
			m.Raw.File += "!" + it.entry
		}
		r.ms = append(r.ms, m)
	}
	return r
}

// splitter cuts files into measurements and groups them into batches.
type splitter struct {
	ctx      context.Context
	out      chan<- *batch
	cur      *batch
	seq      int
	read     int64
	progress func(int64)
	current  *fileInfo
}

func (s *splitter) add(data []byte, line int, entry, uid string) error {
	if s.cur != nil && (len(s.cur.buf)+len(data) > batchBytes && len(s.cur.items) > 0 || len(s.cur.items) >= batchItems) {
		if err := s.send(); err != nil {
			return err
		}
	}
	if s.cur == nil {
		s.cur = batchPool.Get().(*batch)
		s.cur.file = s.current
	}
	start := len(s.cur.buf)
	s.cur.buf = append(s.cur.buf, data...)
	s.cur.items = append(s.cur.items, item{start: start, end: len(s.cur.buf), line: line, entry: entry, uid: uid})
	return nil
}

func (s *splitter) send() error {
	if s.cur == nil || len(s.cur.items) == 0 {
		return nil
	}
	s.cur.seq = s.seq
	s.seq++
	select {
	case s.out <- s.cur:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	s.cur = nil
	return nil
}

func (s *splitter) flush() { _ = s.send() }

// countingReader tells progress as a file is read.
type countingReader struct {
	r io.Reader
	s *splitter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.s.read += int64(n)
	if c.s.progress != nil && n > 0 {
		c.s.progress(c.s.read)
	}
	return n, err
}

func (s *splitter) file(path string) error {
	sum, err := rowfile.SHA256(path)
	if err != nil {
		return err
	}
	if err := s.send(); err != nil { // a batch holds one file's measurements
		return err
	}
	s.current = &fileInfo{name: filepath.Base(path), sha256: sum}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, name, err := decompress(bufio.NewReaderSize(&countingReader{r: f, s: s}, 256<<10), path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tar") {
		return s.tar(r, path)
	}
	return s.stream(r, name, "", path)
}

// decompress peels gzip off, by its magic number rather than its name.
func decompress(br *bufio.Reader, name string) (io.Reader, string, error) {
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", err
		}
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".tgz")
		if strings.HasSuffix(strings.ToLower(name), ".tgz") || strings.HasSuffix(strings.ToLower(name), ".tar") {
			name = strings.TrimSuffix(name, ".tgz") + ".tar"
		}
		return zr, name, nil
	}
	if strings.HasSuffix(strings.ToLower(name), ".tgz") {
		name = strings.TrimSuffix(name, ".tgz") + ".tar"
	}
	return br, name, nil
}

func (s *splitter) tar(r io.Reader, path string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := s.stream(tr, h.Name, h.Name, path); err != nil {
			return err
		}
	}
}

// uidFromName recognises file names that are measurement uids, as OONI
// names its .post files: 20250527233111.802678_ID_webconnectivity_5a37….
func uidFromName(name string) string {
	base := filepath.Base(name)
	if i := strings.IndexByte(base, '.'); i == 14 {
		if j := strings.LastIndexByte(base, '.'); j > i {
			base = base[:j]
		}
		if len(base) > 22 && base[21] == '_' {
			return base
		}
	}
	return ""
}

// stream reads one file or archive member: a single JSON document (or an
// array of them) when it is named .json or .post and holds one, else JSON
// Lines.
func (s *splitter) stream(r io.Reader, name, entry, path string) error {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".json") || strings.HasSuffix(lower, ".post") {
		return s.document(r, name, entry, path)
	}
	return s.lines(r, entry, path, 1)
}

// document reads a whole-file measurement. Files too big to be one are
// read as JSON Lines so that memory stays bounded.
func (s *splitter) document(r io.Reader, name, entry, path string) error {
	br := bufio.NewReaderSize(r, 1<<20)
	data, err := readAtMost(br, maxDocument)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) >= maxDocument {
		return s.lines(io.MultiReader(bytes.NewReader(data), br), entry, path, 1)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil
	}
	var p fastjson.Parser
	v, perr := p.ParseBytes(trimmed)
	switch {
	case perr == nil && v.Type() == fastjson.TypeArray:
		for i, el := range v.GetArray() {
			if err := s.add(el.MarshalTo(nil), i+1, entry, ""); err != nil {
				return err
			}
		}
		return nil
	case perr == nil:
		return s.add(trimmed, 0, entry, uidFromName(name))
	case bytes.Count(trimmed, []byte{'\n'}) > 0 && trimmed[0] == '{':
		// Not one document: JSON Lines under a .json name.
		return s.lines(bytes.NewReader(data), entry, path, 1)
	}
	return s.add(trimmed, 0, entry, "") // reported as malformed by the parser
}

func readAtMost(r io.Reader, n int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(r, n))
	return buf.Bytes(), err
}

// lines reads JSON Lines straight into batch buffers: the decompressor
// writes into the buffer a parser will read, lines are found with
// bytes.IndexByte, and only the partial line at the end of a buffer is
// copied, to the start of the next one.
func (s *splitter) lines(r io.Reader, entry, path string, line int) error {
	if err := s.send(); err != nil { // keep input order with earlier documents
		return err
	}
	var carry []byte
	for {
		b := batchPool.Get().(*batch)
		b.file = s.current
		buf := append(b.buf[:0], carry...)
		if cap(buf) < batchBytes {
			buf = append(make([]byte, 0, batchBytes), buf...)
		}
		// Fill the buffer; grow it while it holds no whole line.
		var err error
		for {
			n, e := io.ReadFull(r, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if e == io.EOF || e == io.ErrUnexpectedEOF {
				err = io.EOF
				break
			}
			if e != nil {
				return fmt.Errorf("%s:%d: %w", path, line, e)
			}
			if bytes.IndexByte(buf[len(carry):], '\n') >= 0 || len(carry) == 0 && bytes.IndexByte(buf, '\n') >= 0 {
				break
			}
			if len(buf) >= maxLine {
				// One line larger than any measurement: report it, skip to its end.
				b.items = append(b.items, item{line: line, entry: entry, tooLong: true})
				rest, e := skipLine(r)
				if e != nil && e != io.EOF {
					return fmt.Errorf("%s:%d: %w", path, line, e)
				}
				line++
				buf, carry = append(buf[:0], rest...), carry[:0]
				if e == io.EOF {
					err = io.EOF
					break
				}
				if bytes.IndexByte(buf, '\n') >= 0 {
					break
				}
				continue
			}
			buf = append(buf, make([]byte, len(buf))...)[:len(buf)]
		}
		cut := len(buf)
		if err == nil {
			cut = bytes.LastIndexByte(buf, '\n') + 1
		}
		for off := 0; off < cut; {
			nl := bytes.IndexByte(buf[off:cut], '\n')
			end := cut
			if nl >= 0 {
				end = off + nl
			}
			start, stop := trimSpan(buf, off, end)
			switch {
			case stop-start > maxLine: // read whole into a buffer grown earlier
				b.items = append(b.items, item{line: line, entry: entry, tooLong: true})
			case start < stop:
				b.items = append(b.items, item{start: start, end: stop, line: line, entry: entry})
			}
			line++
			off = end + 1
		}
		if err == nil {
			carry = append(carry[:0], buf[cut:]...)
		}
		b.buf = buf
		if len(b.items) > 0 {
			b.seq = s.seq
			s.seq++
			select {
			case s.out <- b:
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		} else {
			b.buf, b.items = b.buf[:0], b.items[:0]
			batchPool.Put(b)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// trimSpan trims JSON whitespace from both ends of buf[start:end].
func trimSpan(buf []byte, start, end int) (int, int) {
	for start < end && isSpace(buf[start]) {
		start++
	}
	for end > start && isSpace(buf[end-1]) {
		end--
	}
	return start, end
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipLine reads to the end of the current line and returns what follows
// the newline in the last read.
func skipLine(r io.Reader) ([]byte, error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return buf[i+1 : n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}
