package importers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// HalfYear is a reporting period of six months.
type HalfYear struct {
	Year int
	Half int // 1 or 2
}

func (h HalfYear) Start() model.Date {
	if h.Half == 1 {
		return model.Date(fmt.Sprintf("%04d-01-01", h.Year))
	}
	return model.Date(fmt.Sprintf("%04d-07-01", h.Year))
}

func (h HalfYear) End() model.Date {
	if h.Half == 1 {
		return model.Date(fmt.Sprintf("%04d-06-30", h.Year))
	}
	return model.Date(fmt.Sprintf("%04d-12-31", h.Year))
}

// String is the form model.HalfYear uses ("2023-H1").
func (h HalfYear) String() string { return fmt.Sprintf("%d-H%d", h.Year, h.Half) }

// ParseHalfYearName reads "January - June 2019" or "July - December 2019".
func ParseHalfYearName(s string) (HalfYear, error) {
	f := strings.Fields(s)
	if len(f) == 4 && f[1] == "-" {
		y, err := strconv.Atoi(f[3])
		if err == nil && y >= 1990 && y <= 2100 {
			switch {
			case f[0] == "January" && f[2] == "June":
				return HalfYear{y, 1}, nil
			case f[0] == "July" && f[2] == "December":
				return HalfYear{y, 2}, nil
			}
		}
	}
	return HalfYear{}, fmt.Errorf("%q is not a half-year (want \"January - June YYYY\" or \"July - December YYYY\")", s)
}

// HalfYearEnding is the half-year that ends on day t (30 June or 31
// December).
func HalfYearEnding(t time.Time) (HalfYear, error) {
	switch {
	case t.Month() == time.June && t.Day() == 30:
		return HalfYear{t.Year(), 1}, nil
	case t.Month() == time.December && t.Day() == 31:
		return HalfYear{t.Year(), 2}, nil
	}
	return HalfYear{}, fmt.Errorf("%s does not end a half-year (30 June or 31 December)", t.Format(time.DateOnly))
}

// ParseHalfYearEnding reads the last day of a half-year in a layout such
// as time.DateOnly ("2011-06-30") or "2/1/06" ("31/12/09").
func ParseHalfYearEnding(s, layout string) (HalfYear, error) {
	t, err := time.Parse(layout, s)
	if err != nil {
		return HalfYear{}, fmt.Errorf("%q is not a date like %q", s, layout)
	}
	return HalfYearEnding(t)
}
