package importers

import (
	"strings"
	"unicode"
)

// Key builds a stable source_id from a file kind and a row's key fields:
// each part is lower-cased with runs of other characters turned into "-",
// and parts are joined with ":". Re-importing a file gives the same keys,
// which is what makes imports idempotent.
func Key(kind string, parts ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, p := range parts {
		b.WriteByte(':')
		dash := false
		n := 0
		for _, r := range strings.ToLower(p) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				if dash && n > 0 {
					b.WriteByte('-')
				}
				b.WriteRune(r)
				dash = false
				n++
			} else {
				dash = true
			}
		}
	}
	return b.String()
}
