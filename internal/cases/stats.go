package cases

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// MinGroup is the smallest group whose figures are published: smaller
// groups could point at one activist.
const MinGroup = 5

// Dimensions cases can be grouped by.
var Dimensions = model.NewEnum("platform", "country", "kind", "urgency", "period")

// Grains a period can have.
var Grains = model.NewEnum("month", "quarter", "half", "year")

// StatsQuery chooses the groups and the cases that enter them.
type StatsQuery struct {
	GroupBy []string
	Grain   string // of the period, by filed_at; month by default
	// Filters; empty means all.
	Platform, Country, Kind, Urgency string
	From, To                         time.Time // on filed_at, To exclusive
	// Now is when overdue is judged.
	Now time.Time
}

// Validate names the parameter that is wrong.
func (q *StatsQuery) Validate() error {
	var v model.Validator
	seen := map[string]bool{}
	for i, d := range q.GroupBy {
		v.Enum(v.Index("group_by", i), d, Dimensions)
		if seen[d] {
			v.Add(v.Index("group_by", i), "%q is given twice", d)
		}
		seen[d] = true
	}
	if q.Grain == "" {
		q.Grain = "month"
	}
	v.Enum("grain", q.Grain, Grains)
	v.OptionalEnum("kind", q.Kind, model.CaseKinds)
	v.OptionalEnum("urgency", q.Urgency, model.CaseUrgencies)
	v.Country("country", q.Country, false)
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		v.Add("to", "must be after from")
	}
	return v.Err()
}

// Timing is the distribution of the time from filing to a milestone over
// the cases of a group that reached it. Median and P90 are withheld when
// fewer than MinGroup cases reached it.
type Timing struct {
	Reached       int      `json:"reached"`
	MedianSeconds *float64 `json:"median_seconds"`
	P90Seconds    *float64 `json:"p90_seconds"`
}

// Group is one row of the statistics; its key fields are those grouped by.
type Group struct {
	Platform      string  `json:"platform,omitempty"`
	PlatformName  string  `json:"platform_name,omitempty"`
	Country       string  `json:"country,omitempty"`
	Kind          string  `json:"kind,omitempty"`
	Urgency       string  `json:"urgency,omitempty"`
	Period        string  `json:"period,omitempty"`
	Cases         int     `json:"cases"`
	Acknowledge   Timing  `json:"acknowledge"`
	Respond       Timing  `json:"respond"`
	Resolve       Timing  `json:"resolve"`
	ShareResolved float64 `json:"share_resolved"`
	ShareOverdue  float64 `json:"share_overdue"`
	ShareOpen     float64 `json:"share_open"`
}

// Stats is the answer: groups of MinGroup cases or more, and how many
// smaller groups were left out. The cases of a left-out group are not
// counted anywhere else either, so no total gives them away.
type Stats struct {
	GroupBy          []string  `json:"group_by"`
	Grain            string    `json:"grain,omitempty"`
	AsOf             time.Time `json:"as_of"`
	MinGroup         int       `json:"min_group"`
	Groups           []Group   `json:"groups"`
	SuppressedGroups int       `json:"suppressed_groups"`
}

// Aggregate computes the statistics of the cases q selects; targets gives a
// platform's published targets (nil for the defaults).
func Aggregate(all []*model.Case, q StatsQuery, targets func(platform string) *model.CaseTargets) (*Stats, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if targets == nil {
		targets = func(string) *model.CaseTargets { return nil }
	}
	type acc struct {
		g                         Group
		ack, resp, res            []float64
		resolved, overdue, isOpen int
	}
	groups := map[string]*acc{}
	var order []string
	for _, c := range all {
		if !q.selects(c) {
			continue
		}
		g := q.key(c)
		k := g.Platform + "\x00" + g.Country + "\x00" + g.Kind + "\x00" + g.Urgency + "\x00" + g.Period
		a := groups[k]
		if a == nil {
			a = &acc{g: g}
			groups[k] = a
			order = append(order, k)
		}
		a.g.Cases++
		if c.AcknowledgedAt != nil {
			a.ack = append(a.ack, c.AcknowledgedAt.Sub(c.FiledAt).Seconds())
		}
		if c.FirstResponseAt != nil {
			a.resp = append(a.resp, c.FirstResponseAt.Sub(c.FiledAt).Seconds())
		}
		switch {
		case c.Status == "resolved" && c.ResolvedAt != nil:
			a.res = append(a.res, c.ResolvedAt.Sub(c.FiledAt).Seconds())
			a.resolved++
		case c.ResolvedAt == nil:
			a.isOpen++
		}
		if Overdue(c, targets(c.AddressedTo), q.Now) {
			a.overdue++
		}
	}
	if q.GroupBy == nil {
		q.GroupBy = []string{}
	}
	st := &Stats{GroupBy: q.GroupBy, AsOf: q.Now.UTC(), MinGroup: MinGroup, Groups: []Group{}}
	if slices.Contains(q.GroupBy, "period") {
		st.Grain = q.Grain
	}
	slices.Sort(order)
	for _, k := range order {
		a := groups[k]
		if a.g.Cases < MinGroup {
			st.SuppressedGroups++
			continue
		}
		n := float64(a.g.Cases)
		a.g.Acknowledge, a.g.Respond, a.g.Resolve = timing(a.ack), timing(a.resp), timing(a.res)
		a.g.ShareResolved = round4(float64(a.resolved) / n)
		a.g.ShareOverdue = round4(float64(a.overdue) / n)
		a.g.ShareOpen = round4(float64(a.isOpen) / n)
		st.Groups = append(st.Groups, a.g)
	}
	return st, nil
}

func (q *StatsQuery) selects(c *model.Case) bool {
	switch {
	case q.Platform != "" && c.AddressedTo != q.Platform,
		q.Country != "" && c.Country != q.Country,
		q.Kind != "" && c.Kind != q.Kind,
		q.Urgency != "" && c.Urgency != q.Urgency,
		!q.From.IsZero() && c.FiledAt.Before(q.From),
		!q.To.IsZero() && !c.FiledAt.Before(q.To):
		return false
	}
	return true
}

func (q *StatsQuery) key(c *model.Case) Group {
	var g Group
	for _, d := range q.GroupBy {
		switch d {
		case "platform":
			g.Platform = c.AddressedTo
		case "country":
			g.Country = c.Country
		case "kind":
			g.Kind = c.Kind
		case "urgency":
			g.Urgency = c.Urgency
		case "period":
			g.Period = Period(c.FiledAt, q.Grain)
		}
	}
	return g
}

// Period names the period of a grain that t falls in: 2023-05, 2023-Q2,
// 2023-H1, 2023.
func Period(t time.Time, grain string) string {
	t = t.UTC()
	switch grain {
	case "quarter":
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
	case "half":
		return model.HalfYear(t)
	case "year":
		return fmt.Sprintf("%d", t.Year())
	}
	return t.Format("2006-01")
}

func timing(secs []float64) Timing {
	t := Timing{Reached: len(secs)}
	if len(secs) < MinGroup {
		return t
	}
	slices.Sort(secs)
	m, p := Percentile(secs, 50), Percentile(secs, 90)
	t.MedianSeconds, t.P90Seconds = &m, &p
	return t
}

// Percentile is the nearest-rank percentile of sorted values: the smallest
// value with at least p% of the values at or below it. It is always one of
// the values, never an interpolation.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

// ParseGroupBy splits "platform,country" into dimensions.
func ParseGroupBy(s string) []string {
	var out []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}
