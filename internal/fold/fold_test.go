package fold

import (
	"reflect"
	"testing"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"Đà Nẵng":  "da nang",
		"erişim":   "erisim",
		"İSTANBUL": "istanbul",
		"Bilgi Teknolojileri ve İletişim Kurumu": "bilgi teknolojileri ve iletisim kurumu",
		"Bộ Công an":                  "bo cong an",
		"ĞÜŞÖÇ ığüşöç":                "gusoc igusoc",
		"Straße":                      "strasse",
		"Order 17 To REMOVE 42 items": "order 17 to remove 42 items",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// The ASCII shortcut must agree with the full fold on every ASCII byte.
func TestASCIIShortcut(t *testing.T) {
	var all []byte
	for c := byte(0); c < 0x80; c++ {
		all = append(all, c)
	}
	if got, want := String(string(all)), decomposed(string(all)); got != want {
		t.Fatalf("ASCII fold %q, full fold %q", got, want)
	}
}

func TestTerms(t *testing.T) {
	got := Terms("Law No. 5651 — Đà-Nẵng, erişim!")
	want := []string{"law", "no", "5651", "da", "nang", "erisim"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Terms = %q, want %q", got, want)
	}
}
