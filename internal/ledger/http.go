package ledger

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MaxEntrySize is the largest entry an entry bundle can carry (uint16 length).
const MaxEntrySize = 1<<16 - 1

// Cache headers: tiles and bundles never change once served; the checkpoint does.
const (
	immutable = "public, max-age=31536000, immutable"
	mutable   = "no-cache"
)

// Register mounts the log's read API on mux, under /log/:
//
//	GET /log/checkpoint                 the latest signed checkpoint
//	GET /log/key                        the verifier key of the log
//	GET /log/tile/<L>/<N>[.p/<W>]       hash tiles
//	GET /log/tile/entries/<N>[.p/<W>]   entry bundles
//
// as c2sp.org/tlog-tiles with prefix <server>/log.
func (l *Log) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /log/checkpoint", public(l.serveCheckpoint))
	mux.HandleFunc("GET /log/key", public(l.serveKey))
	mux.HandleFunc("GET /log/tile/", public(l.serveTile))
}

// public lets monitors and verifiers on any origin, browsers included,
// read the log: it is public by design.
func public(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		h(w, r)
	}
}

// Handler returns an http.Handler serving only the log's read API.
func (l *Log) Handler() http.Handler {
	mux := http.NewServeMux()
	l.Register(mux)
	return mux
}

func (l *Log) serveCheckpoint(w http.ResponseWriter, r *http.Request) {
	signed, err := l.st.ReadCheckpoint(r.Context())
	if err != nil {
		l.serverError(w, err)
		return
	}
	w.Header().Set("Cache-Control", mutable)
	if signed == nil {
		http.Error(w, "no checkpoint signed yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(signed)
}

func (l *Log) serveKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(l.vkey + "\n"))
}

func (l *Log) serveTile(w http.ResponseWriter, r *http.Request) {
	t, err := ParseTilePath(strings.TrimPrefix(r.URL.Path, "/log/"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if t.Level == EntriesLevel {
		l.serveEntries(w, r, t)
		return
	}
	data, err := l.st.ReadTile(r.Context(), t.Level, t.Index)
	if err != nil {
		l.serverError(w, err)
		return
	}
	if len(data) < t.Width*32 {
		http.Error(w, "tile not available", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", immutable)
	w.Write(data[:t.Width*32])
}

func (l *Log) serveEntries(w http.ResponseWriter, r *http.Request, t TileRef) {
	size, err := l.st.TreeSize(r.Context())
	if err != nil {
		l.serverError(w, err)
		return
	}
	if t.Index > size/TileWidth { // also keeps start from overflowing
		http.Error(w, "entry bundle not available", http.StatusNotFound)
		return
	}
	start := t.Index * TileWidth
	end := start + int64(t.Width)
	if end > size {
		http.Error(w, "entry bundle not available", http.StatusNotFound)
		return
	}
	entries, err := l.st.ReadEntries(r.Context(), start, end)
	if err != nil {
		l.serverError(w, err)
		return
	}
	bundle, err := EncodeBundle(entries)
	if err != nil {
		l.serverError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", immutable)
	w.Header().Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(bundle)
		zw.Close()
		return
	}
	w.Write(bundle)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(coding) == "gzip" && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func (l *Log) serverError(w http.ResponseWriter, err error) {
	l.logf("ledger: http: %v", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// EncodeBundle writes entries as big-endian uint16 length-prefixed records.
func EncodeBundle(entries [][]byte) ([]byte, error) {
	n := 0
	for _, e := range entries {
		n += 2 + len(e)
	}
	out := make([]byte, 0, n)
	for i, e := range entries {
		if len(e) > MaxEntrySize {
			return nil, fmt.Errorf("entry %d is %d bytes, more than %d", i, len(e), MaxEntrySize)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}

// DecodeBundle splits an entry bundle into its entries.
func DecodeBundle(b []byte) ([][]byte, error) {
	var entries [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("entry bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, errors.New("entry bundle: truncated entry")
		}
		entries = append(entries, b[2:2+n])
		b = b[2+n:]
	}
	return entries, nil
}
