package web

import (
	"context"
	"strings"
	"testing"
)

// The record page offers the evidence bundle of a version once a signed
// checkpoint covers it, and not before.
func TestRecordEvidenceLink(t *testing.T) {
	f := newFixture(t)
	id := f.IDs["5651"]
	for _, signed := range []bool{true, false} {
		s := New(&StoreReader{S: f.DB, Coverage: func(ctx context.Context, index int64) (bool, bool, error) {
			return signed, false, nil
		}})
		for _, lang := range []string{"en", "tr", "vi"} {
			body := get(t, s, "/laws/"+id+"?lang="+lang).Body.String()
			link := `href="/api/v1/laws/` + id + `/evidence?version=2" download` // the fixture amends the law once
			if got := strings.Contains(body, link); got != signed {
				t.Errorf("signed=%v, %s: evidence link shown=%v", signed, lang, got)
			}
			if signed && !strings.Contains(body, "candor verify --bundle") {
				t.Errorf("%s: the page does not say how to check the bundle", lang)
			}
		}
	}
}
