// Package fold turns text into the form both stores index and search, so
// that "Da Nang" finds "Đà Nẵng" and "erisim" finds "erişim".
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// String decomposes s, drops combining marks, maps letters that do not
// decompose (đ, ı, ø, ł, ß…) to their base, and lower-cases the result.
func String(s string) string {
	if ascii(s) {
		return strings.ToLower(s)
	}
	return decomposed(s)
}

func decomposed(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'Đ', 'đ', 'Ð', 'ð':
			r = 'd'
		case 'ı', 'İ':
			r = 'i'
		case 'Ø', 'ø':
			r = 'o'
		case 'Ł', 'ł':
			r = 'l'
		case 'ß':
			b.WriteString("ss")
			continue
		case 'Æ', 'æ':
			b.WriteString("ae")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Terms splits folded text into search terms: letters and digits only.
func Terms(s string) []string {
	return strings.FieldsFunc(String(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// ascii reports whether s is plain ASCII, which folding only lower-cases:
// most record text is, and decomposing it rune by rune is wasted work.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
