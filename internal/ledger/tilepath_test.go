package ledger

import "testing"

func TestTilePath(t *testing.T) {
	for _, c := range []struct {
		ref  TileRef
		path string
	}{
		{TileRef{0, 0, 256}, "tile/0/000"},
		{TileRef{0, 1234067, 256}, "tile/0/x001/x234/067"},
		{TileRef{2, 5, 17}, "tile/2/005.p/17"},
		{TileRef{EntriesLevel, 1000, 1}, "tile/entries/x001/000.p/1"},
		{TileRef{63, 999, 255}, "tile/63/999.p/255"},
	} {
		if got := c.ref.Path(); got != c.path {
			t.Errorf("%+v.Path() = %q, want %q", c.ref, got, c.path)
		}
		got, err := ParseTilePath(c.path)
		if err != nil || got != c.ref {
			t.Errorf("ParseTilePath(%q) = %+v, %v; want %+v", c.path, got, err, c.ref)
		}
	}
	for _, bad := range []string{
		"tile/0/1", "tile/00/001", "tile/64/001", "tile/0/001/002", "tile/0/x001",
		"tile/0/001.p/0", "tile/0/001.p/256", "tile/0/001.p/07", "tile/0/x000/001",
		"tile/entries/01a", "tile/-1/000", "tile/0/", "tiles/0/000",
	} {
		if r, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) = %+v, want an error", bad, r)
		}
	}
}

func TestBundleRoundTrip(t *testing.T) {
	in := [][]byte{[]byte("a"), {}, make([]byte, MaxEntrySize)}
	b, err := EncodeBundle(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeBundle(b)
	if err != nil || len(out) != 3 || string(out[0]) != "a" || len(out[1]) != 0 || len(out[2]) != MaxEntrySize {
		t.Fatalf("round trip: %d entries, %v", len(out), err)
	}
	if _, err := EncodeBundle([][]byte{make([]byte, MaxEntrySize+1)}); err == nil {
		t.Fatal("an entry over 64 KiB was encoded")
	}
	if _, err := DecodeBundle(b[:len(b)-1]); err == nil {
		t.Fatal("a truncated bundle decoded")
	}
}
