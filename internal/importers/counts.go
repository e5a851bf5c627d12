package importers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
)

// ParseCount reads a published figure as a Count without ever imputing a
// value:
//
//	"1,384"             exact 1384
//	"<10"               range 0–9
//	"11,000 - 12,000"   range 11000–12000
//	">5", "5+"          lower bound (6, 5)
//	"-", ""             suppressed (none or not reported)
func ParseCount(s string) (*model.Count, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "-" || s == "–" || s == "—":
		return model.SuppressedCount(), nil
	case strings.HasPrefix(s, "<"):
		n, err := parseInt(s[1:])
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, fmt.Errorf("%q is not a count", s)
		}
		return model.RangeCount(0, n-1), nil
	case strings.HasPrefix(s, ">"):
		n, err := parseInt(s[1:])
		if err != nil {
			return nil, err
		}
		return model.AtLeast(n + 1), nil
	case strings.HasSuffix(s, "+"):
		n, err := parseInt(s[:len(s)-1])
		if err != nil {
			return nil, err
		}
		return model.AtLeast(n), nil
	}
	if lo, hi, ok := strings.Cut(s, " - "); ok {
		a, err := parseInt(lo)
		if err != nil {
			return nil, err
		}
		b, err := parseInt(hi)
		if err != nil {
			return nil, err
		}
		if b < a {
			return nil, fmt.Errorf("%q: range ends below its start", s)
		}
		return model.RangeCount(a, b), nil
	}
	n, err := parseInt(s)
	if err != nil {
		return nil, err
	}
	return model.ExactCount(n), nil
}

// parseInt reads a non-negative whole number with optional thousands
// separators ("1,384").
func parseInt(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.Contains(t, ",") {
		groups := strings.Split(t, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, fmt.Errorf("%q is not a number", s)
			}
		}
		t = strings.Join(groups, "")
	}
	if t == "" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}

// ParseInt reads an exact, non-negative whole number ("1,384").
func ParseInt(s string) (int64, error) { return parseInt(s) }

// Percent is a published percentage kept as the integer Scaled / 10^Decimals.
type Percent struct {
	Scaled   int64
	Decimals int
}

// ParsePercent reads "12%", "47.00%", "0", "100". Zeros after the decimal
// point are dropped: "47.00%" is taken as rounded to the whole percent,
// because reports print rounded figures that way (Facebook's 47.00% of 96
// requests is no whole number of requests, 46.88% would be).
func ParsePercent(s string) (Percent, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(t, ".")
	frac = strings.TrimRight(frac, "0")
	n, err := parseInt(whole + frac)
	if err != nil || strings.Contains(whole, ",") {
		return Percent{}, fmt.Errorf("%q is not a percentage", s)
	}
	p := Percent{Scaled: n, Decimals: len(frac)}
	if p.Scaled > 100*pow10(p.Decimals) {
		return Percent{}, fmt.Errorf("%q is above 100%%", s)
	}
	return p, nil
}

func (p Percent) String() string {
	s := strconv.FormatInt(p.Scaled, 10)
	if p.Decimals > 0 {
		for len(s) <= p.Decimals {
			s = "0" + s
		}
		s = s[:len(s)-p.Decimals] + "." + s[len(s)-p.Decimals:]
	}
	return s + "%"
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Share is how many of total a rounded percentage stands for, as the range
// of whole numbers k with k/total inside the rounding interval
// [p-½ulp, p+½ulp]; exact when only one number fits. A suppressed total
// gives a suppressed share.
func Share(total *model.Count, p Percent) *model.Count {
	if total == nil || total.Kind == model.Suppressed {
		return model.SuppressedCount()
	}
	// k/N in [(2P-1)/D, (2P+1)/D] with D = 200·10^decimals.
	d := 200 * pow10(p.Decimals)
	lo := ceilDiv(total.Lo()*(2*p.Scaled-1), d)
	if lo < 0 {
		lo = 0
	}
	hiN, bounded := total.Hi()
	if !bounded {
		return model.AtLeast(lo)
	}
	hi := (hiN * (2*p.Scaled + 1)) / d
	if hi > hiN {
		hi = hiN
	}
	if lo > hi { // cannot happen for a consistent report; keep it honest
		lo, hi = 0, hiN
	}
	if lo == hi {
		return model.ExactCount(lo)
	}
	return model.RangeCount(lo, hi)
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

// DataOutcome sums up an aggregate answer to data requests from the
// published share of requests where some data was produced.
func DataOutcome(p Percent) string {
	switch {
	case p.Scaled == 0:
		return "no_action"
	case p.Scaled == 100*pow10(p.Decimals):
		return "complied_full"
	}
	return "complied_partial"
}
