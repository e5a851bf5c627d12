package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const (
	// TileHeight is the height of every tile: 2^8 = 256 hashes wide.
	TileHeight = 8
	// TileWidth is the number of hashes (or entries) in a full tile.
	TileWidth = 1 << TileHeight
	// EntriesLevel stands for the entry bundles (tile/entries/...).
	EntriesLevel = -1
)

// TileRef names a tile or entry bundle. Width is TileWidth for a full tile.
type TileRef struct {
	Level int // EntriesLevel for entry bundles
	Index int64
	Width int
}

// Path returns the tile's path below the log prefix, per c2sp.org/tlog-tiles,
// e.g. "tile/0/x001/x234/067.p/8" or "tile/entries/000".
func (t TileRef) Path() string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.Level == EntriesLevel {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.Level))
	}
	b.WriteString("/")
	b.WriteString(encodeIndex(t.Index))
	if t.Width < TileWidth {
		b.WriteString(".p/" + strconv.Itoa(t.Width))
	}
	return b.String()
}

// encodeIndex writes n as zero-padded 3-digit path elements, all but the
// last prefixed with x: 1234067 → x001/x234/067.
func encodeIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

// ParseTilePath parses a path such as "tile/0/x001/234.p/5" (without the log prefix).
func ParseTilePath(path string) (TileRef, error) {
	var t TileRef
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return t, errors.New("not a tile path")
	}
	levelStr, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return t, errors.New("missing tile index")
	}
	if levelStr == "entries" {
		t.Level = EntriesLevel
	} else {
		l, err := strconv.Atoi(levelStr)
		if err != nil || l < 0 || l > 63 || strconv.Itoa(l) != levelStr {
			return t, fmt.Errorf("bad tile level %q", levelStr)
		}
		t.Level = l
	}
	t.Width = TileWidth
	if i := strings.Index(rest, ".p/"); i >= 0 {
		w := rest[i+3:]
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > TileWidth-1 || strconv.Itoa(n) != w {
			return t, fmt.Errorf("bad partial tile width %q", w)
		}
		t.Width = n
		rest = rest[:i]
	}
	elems := strings.Split(rest, "/")
	var n int64
	for i, e := range elems {
		last := i == len(elems)-1
		if !last {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return t, fmt.Errorf("bad tile index element %q: all but the last start with x", elems[i])
			}
		}
		if len(e) != 3 || strings.Trim(e, "0123456789") != "" {
			return t, fmt.Errorf("bad tile index element %q", elems[i])
		}
		d, _ := strconv.Atoi(e)
		if n > (1<<62)/1000 {
			return t, errors.New("tile index too large")
		}
		n = n*1000 + int64(d)
	}
	if len(elems) > 1 && strings.TrimPrefix(elems[0], "x") == "000" {
		return t, errors.New("tile index has leading zero elements")
	}
	t.Index = n
	return t, nil
}
