package importers

import (
	"testing"

	"github.com/candor-observatory/candor/internal/model"
)

func TestParseCount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"}, {"1384", "1384"}, {"1,384", "1384"}, {" 12 ", "12"},
		{"<10", "0–9"}, {"11,000 - 12,000", "11000–12000"}, {"5+", "≥5"}, {">5", "≥6"},
		{"-", "suppressed"}, {"", "suppressed"},
	} {
		c, err := ParseCount(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if c.String() != tc.want {
			t.Errorf("%q = %s, want %s", tc.in, c, tc.want)
		}
		if c.Kind == model.Exact && (c.Value == nil || *c.Value != c.Lo()) {
			t.Errorf("%q: exact count without value", tc.in)
		}
	}
	for _, bad := range []string{"abc", "12a", "1,23", "1,2345", ",123", "<0", "10 - 5", "-5", "1.5", "1*"} {
		if c, err := ParseCount(bad); err == nil {
			t.Errorf("%q parsed as %s", bad, c)
		}
	}
}

func TestShare(t *testing.T) {
	pct := func(s string) Percent {
		p, err := ParsePercent(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		total *model.Count
		pct   string
		want  string
	}{
		{model.ExactCount(554), "0%", "0–2"},   // under 0.5% of 554 is at most 2
		{model.ExactCount(906), "0", "0–4"},    // Google's user-data file has no % sign
		{model.ExactCount(96), "47.00%", "45"}, // 45/96 = 46.9%; 46/96 = 47.9%
		{model.ExactCount(57), "12%", "7"},     // 7/57 = 12.3%
		{model.ExactCount(1), "100%", "1"},     //
		{model.ExactCount(2), "50%", "1"},      //
		{model.ExactCount(6448), "60%", "3837–3901"},
		{model.RangeCount(11000, 12000), "79.00%", "8635–9540"},
		{model.SuppressedCount(), "12%", "suppressed"},
		{model.AtLeast(100), "50%", "≥50"},
		{model.ExactCount(1000), "12.5%", "125"},
		{model.ExactCount(100000), "12.5%", "12450–12550"},
	} {
		got := Share(tc.total, pct(tc.pct))
		if got.String() != tc.want {
			t.Errorf("%s of %s = %s, want %s", tc.pct, tc.total, got, tc.want)
		}
	}
	// The bounds are exactly the smallest and largest whole numbers whose
	// share rounds to the published percentage (or 0–n when none does).
	for n := int64(1); n <= 300; n++ {
		for p := int64(0); p <= 100; p++ {
			lo, hi := int64(-1), int64(-1)
			for k := int64(0); k <= n; k++ {
				if 200*k >= (2*p-1)*n && 200*k <= (2*p+1)*n {
					if lo < 0 {
						lo = k
					}
					hi = k
				}
			}
			if lo < 0 {
				lo, hi = 0, n
			}
			c := Share(model.ExactCount(n), Percent{Scaled: p})
			if h, _ := c.Hi(); c.Lo() != lo || h != hi {
				t.Fatalf("%d%% of %d = %s, want %d–%d", p, n, c, lo, hi)
			}
		}
	}
	for _, bad := range []string{"abc", "101%", "1,000%", "%", "-3%"} {
		if p, err := ParsePercent(bad); err == nil {
			t.Errorf("%q parsed as %s", bad, p)
		}
	}
}

func TestKey(t *testing.T) {
	if got, want := Key("google-removals", "2019-H1", "TR", "Court Order directed at 3rd party", "Web Search: Autocomplete"),
		"google-removals:2019-h1:tr:court-order-directed-at-3rd-party:web-search-autocomplete"; got != want {
		t.Fatalf("Key = %q, want %q", got, want)
	}
	if got := Key("x", " Côte d'Ivoire ", "ответы"); got != "x:côte-d-ivoire:ответы" {
		t.Fatalf("Key = %q", got)
	}
}

func TestHalfYears(t *testing.T) {
	h, err := ParseHalfYearName("July - December 2019")
	if err != nil || h.Start() != "2019-07-01" || h.End() != "2019-12-31" || h.String() != "2019-H2" {
		t.Fatalf("%v %v", h, err)
	}
	h, err = ParseHalfYearEnding("30/6/10", "2/1/06")
	if err != nil || h.Start() != "2010-01-01" || h.End() != "2010-06-30" {
		t.Fatalf("%v %v", h, err)
	}
	for _, bad := range []string{"June - July 2019", "January - June", "January-June 2019", "January - June 19"} {
		if _, err := ParseHalfYearName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseHalfYearEnding("2019-05-31", "2006-01-02"); err == nil {
		t.Error("31 May accepted as the end of a half-year")
	}
}
