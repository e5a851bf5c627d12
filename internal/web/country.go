package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/web/chart"
)

// timelineKinds are what the pressure timeline can show, in filter order.
var timelineKinds = []string{"laws", "demands", "aggregates", "responses", "events", "periods"}

// timelineLimit bounds each kind's share of the timeline; the full lists
// are one link away in search.
const timelineLimit = 60

type timelineItem struct {
	Time   time.Time
	When   string // Time (and Until) written out in the reader's language
	Day    bool   // Time is a calendar day, not an instant
	Kind   string
	Label  string
	Title  string
	URL    string
	Detail string
	Until  time.Time
}

type timelineYear struct {
	Year  int
	Items []timelineItem
}

// figure is a chart with the table that says the same in text.
type figure struct {
	ID      string
	Caption string
	SVG     template.HTML
	Corner  string // the table's top-left header
	Head    []string
	Rows    []figureRow
	Note    string
}

type figureRow struct {
	Label string
	Cells []string
}

type kindChoice struct {
	Key, Label string
	On         bool
}

type lawView struct {
	Law    *model.Law
	Status string
	Steps  []lawStep
	Provs  []provView
}

type lawStep struct{ Status, Date string }

type provView struct {
	Article, Summary string
	Tags             []string
	Params           []string
}

type countryData struct {
	CC, Name     string
	Cards        []card
	Kinds        []kindChoice
	Years        []timelineYear
	More         []card // links to full lists
	Demands      figure
	Rates        figure
	Interference figure
	Platform     string
	Platforms    []option
	Laws         []lawView
}

type card struct{ Value, Label, URL string }

type option struct {
	Value, Label string
	Selected     bool
}

func (s *Server) country(w http.ResponseWriter, r *http.Request) {
	cc := strings.ToUpper(r.PathValue("cc"))
	if !model.IsCountryCode(cc) {
		s.notFound(w, r)
		return
	}
	l := loc(w, r)
	d, err := s.countryData(r.Context(), l, r, cc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "country", d.Name, "home", d)
}

func (s *Server) countryData(ctx context.Context, l *locale.Locale, r *http.Request, cc string) (*countryData, error) {
	d := &countryData{CC: cc, Name: l.Country(cc), Platform: r.URL.Query().Get("platform")}
	platforms, err := s.platformNames(ctx)
	if err != nil {
		return nil, err
	}
	show := r.URL.Query()["show"]
	for _, k := range timelineKinds {
		on := len(show) == 0 || slices.Contains(show, k)
		d.Kinds = append(d.Kinds, kindChoice{Key: k, Label: l.T("timeline.kind." + k), On: on})
	}
	on := func(k string) bool { return len(show) == 0 || slices.Contains(show, k) }

	comp, err := s.r.Compliance(ctx, ComplianceQuery{Country: cc, ByPlatform: true, ByPeriod: true})
	if err != nil {
		return nil, err
	}
	var items []timelineItem
	add := func(it timelineItem) {
		it.Label = l.T("timeline.kind." + it.Kind)
		items = append(items, it)
	}

	// Laws are few; all of them feed the timeline and the law list.
	var laws []*model.Law
	if err := s.each(ctx, Query{Collection: "laws", Country: cc}, func(rec model.Record) {
		if law, ok := rec.(*model.Law); ok {
			laws = append(laws, law)
		}
	}); err != nil {
		return nil, err
	}
	today := model.DateOf(s.Now())
	sort.Slice(laws, func(i, j int) bool { return firstDate(laws[i]) < firstDate(laws[j]) })
	pressureLaws := 0
	for _, law := range laws {
		lv := lawView{Law: law, Status: law.Status(today)}
		if lv.Status == "in_force" || lv.Status == "amended" {
			pressureLaws++
		}
		for _, st := range law.Timeline {
			lv.Steps = append(lv.Steps, lawStep{Status: l.Label("law_status", st.Status), Date: l.Date(st.Date.Time())})
			if on("laws") {
				add(timelineItem{Time: st.Date.Time(), Day: true, Kind: "laws", URL: recordURL(law),
					Title: lawName(law) + ": " + l.Label("law_status", st.Status)})
			}
		}
		for _, p := range law.Provisions {
			pv := provView{Article: p.Article, Summary: p.Summary}
			for _, t := range p.Tags {
				pv.Tags = append(pv.Tags, l.Label("tag", t))
			}
			pv.Params = provisionParams(l, p.Params)
			lv.Provs = append(lv.Provs, pv)
		}
		d.Laws = append(d.Laws, lv)
	}

	if on("demands") {
		p, err := s.r.List(ctx, Query{Collection: "demands", Country: cc, Granularity: "individual", Limit: timelineLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range p.Records {
			dm := rec.(*model.Demand)
			it := timelineItem{Time: dm.When(), Kind: "demands", URL: recordURL(dm), Title: title(l, dm, platforms), Detail: dm.Summary}
			if n := dm.Targets.Items; n != nil {
				it.Detail = strings.TrimSpace(l.T("demand.items", "Count", countText(l, n)) + " " + it.Detail)
			}
			add(it)
		}
	}
	if on("aggregates") {
		// The newest reported totals; older ones are in the charts' tables.
		recent := append([]ComplianceRow(nil), comp...)
		sort.SliceStable(recent, func(i, j int) bool { return recent[i].Period > recent[j].Period })
		if len(recent) > timelineLimit {
			recent = recent[:timelineLimit]
		}
		for _, c := range recent {
			start, end, ok := halfYearSpan(c.Period)
			if !ok || c.Demands == nil {
				continue
			}
			detail := l.T("aggregate.demands", "Count", countText(l, c.Demands))
			if rate, ok := c.Rate(); ok {
				detail += " · " + l.T("aggregate.rate", "Rate", l.Percent(rate))
			}
			add(timelineItem{Time: start, Until: end.Add(-24 * time.Hour), Day: true, Kind: "aggregates",
				Title: platformName(platforms, c.Platform) + " · " + l.Period(c.Period), Detail: detail,
				URL: "/search?" + searchQuery("demands", cc, c.Platform, start, end)})
		}
	}
	if on("responses") {
		p, err := s.r.List(ctx, Query{Collection: "responses", Country: cc, Limit: timelineLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range p.Records {
			rs := rec.(*model.Response)
			if when(rs).IsZero() {
				continue
			}
			add(timelineItem{Time: when(rs), Kind: "responses", URL: recordURL(rs), Title: title(l, rs, platforms), Detail: clip(rs.Statement, 240)})
		}
	}
	activeEvents := 0
	for _, k := range []string{"events", "periods"} {
		p, err := s.r.List(ctx, Query{Collection: k, Country: cc, Limit: timelineLimit * 2})
		if err != nil {
			return nil, err
		}
		for _, rec := range p.Records {
			ix := rec.Index()
			if k == "events" && ix.End == nil {
				activeEvents++
			}
			if !on(k) || ix.Start == nil {
				continue
			}
			it := timelineItem{Time: *ix.Start, Kind: k, URL: recordURL(rec), Title: title(l, rec, platforms), Day: k == "periods"}
			if ix.End != nil && !ix.End.Equal(*ix.Start) {
				it.Until = *ix.End
			} else if ix.End == nil && k == "events" {
				it.Detail = l.T("event.ongoing")
			}
			add(it)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Time.After(items[j].Time) })
	for _, it := range items {
		it.When = l.Date(it.Time)
		if !it.Until.IsZero() {
			it.When += " – " + l.Date(it.Until)
		}
		y := it.Time.Year()
		if n := len(d.Years); n == 0 || d.Years[n-1].Year != y {
			d.Years = append(d.Years, timelineYear{Year: y})
		}
		d.Years[len(d.Years)-1].Items = append(d.Years[len(d.Years)-1].Items, it)
	}

	d.Demands, d.Rates = complianceFigures(l, comp, func(c ComplianceRow) string { return platformName(platforms, c.Platform) }, "country")
	var last ComplianceRow
	var total *model.Count
	for _, c := range comp {
		if c.Period > last.Period {
			last = c
		}
	}
	for _, c := range comp {
		if c.Period == last.Period {
			total = total.Add(c.Demands)
		}
	}
	if total != nil {
		d.Cards = append(d.Cards, card{Value: countText(l, total), Label: l.T("country.card.demands", "Period", l.Period(last.Period))})
		var req, act *model.Count
		for _, c := range comp {
			if c.Period == last.Period {
				req, act = req.Add(c.Requested), act.Add(c.Actioned)
			}
		}
		if rate, ok := (ComplianceRow{Requested: req, Actioned: act}).Rate(); ok {
			d.Cards = append(d.Cards, card{Value: l.Percent(rate), Label: l.T("country.card.rate", "Period", l.Period(last.Period))})
		}
	}
	d.Cards = append(d.Cards,
		card{Value: l.Int(int64(activeEvents)), Label: l.T("country.card.events")},
		card{Value: l.Int(int64(pressureLaws)), Label: l.T("country.card.laws")})
	for _, k := range []string{"demands", "responses", "events", "measurements", "laws", "periods"} {
		d.More = append(d.More, card{Label: l.T("collection." + k), URL: "/search?collection=" + k + "&country=" + cc})
	}

	d.Interference, d.Platforms, err = s.interferenceFigure(ctx, l, cc, d.Platform, platforms)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func firstDate(law *model.Law) model.Date {
	var first model.Date = "9999-12-31"
	for _, s := range law.Timeline {
		if s.Date < first {
			first = s.Date
		}
	}
	return first
}

func lawName(law *model.Law) string {
	if law.ShortName != "" {
		return law.ShortName
	}
	return law.Title
}

func provisionParams(l *locale.Locale, p *model.ProvisionParams) []string {
	if p == nil {
		return nil
	}
	var out []string
	if p.DeadlineHours != nil {
		out = append(out, l.N("param.deadline_hours", int(*p.DeadlineHours)))
	}
	if p.ThrottlePercent != nil {
		out = append(out, l.T("param.throttle_percent", "Percent", l.Percent(*p.ThrottlePercent/100)))
	}
	if p.FineAmount != nil {
		out = append(out, l.T("param.fine", "Amount", l.Decimal(*p.FineAmount, 2), "Currency", p.Currency))
	}
	if p.PrisonYearsMax != nil {
		out = append(out, l.N("param.prison_years_max", int(*p.PrisonYearsMax)))
	}
	if p.UserThreshold != nil {
		out = append(out, l.T("param.user_threshold", "Users", l.Int(*p.UserThreshold)))
	}
	return out
}

func halfYearSpan(p string) (start, end time.Time, ok bool) {
	var y, h int
	if _, err := fmt.Sscanf(p, "%d-H%d", &y, &h); err != nil || h < 1 || h > 2 {
		return start, end, false
	}
	start = time.Date(y, time.Month(1+6*(h-1)), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 6, 0), true
}

func searchQuery(collection, cc, platform string, from, to time.Time) string {
	v := []string{"collection=" + collection}
	if cc != "" {
		v = append(v, "country="+cc)
	}
	if platform != "" {
		v = append(v, "platform="+platform)
	}
	if !from.IsZero() {
		v = append(v, "from="+from.Format(time.DateOnly), "to="+to.Add(-24*time.Hour).Format(time.DateOnly))
	}
	return strings.Join(v, "&")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// complianceFigures draws demands and compliance rate per series (platforms
// on a country page, countries on a platform page) over half-years. At most
// six series are drawn; the rest are summed as "others".
func complianceFigures(l *locale.Locale, rows []ComplianceRow, name func(ComplianceRow) string, id string) (demands, rates figure) {
	periodSet := map[string]bool{}
	type acc struct{ dem, req, act *model.Count }
	cells := map[string]map[string]*acc{}
	totals := map[string]int64{}
	for _, c := range rows {
		n := name(c)
		periodSet[c.Period] = true
		if cells[n] == nil {
			cells[n] = map[string]*acc{}
		}
		a := cells[n][c.Period]
		if a == nil {
			a = &acc{}
			cells[n][c.Period] = a
		}
		a.dem, a.req, a.act = a.dem.Add(c.Demands), a.req.Add(c.Requested), a.act.Add(c.Actioned)
		totals[n] += c.Demands.Lo()
	}
	periods := sortedKeys(periodSet)
	names := sortedKeys(cells)
	sort.SliceStable(names, func(i, j int) bool { return totals[names[i]] > totals[names[j]] })
	if len(names) > 6 {
		others := map[string]*acc{}
		for _, n := range names[5:] {
			for p, a := range cells[n] {
				o := others[p]
				if o == nil {
					o = &acc{}
					others[p] = o
				}
				o.dem, o.req, o.act = o.dem.Add(a.dem), o.req.Add(a.req), o.act.Add(a.act)
			}
		}
		names = append(names[:5], l.T("chart.others"))
		cells[names[5]] = others
	}
	labels := make([]string, len(periods))
	for i, p := range periods {
		labels[i] = l.Period(p)
	}
	demands = figure{ID: id + "-demands", Caption: l.T("chart.demands.title"), Corner: l.T("chart.period"), Head: labels}
	rates = figure{ID: id + "-rates", Caption: l.T("chart.rate.title"), Corner: l.T("chart.period"), Head: labels, Note: l.T("chart.rate.note")}
	dc := chart.Chart{ID: demands.ID, Title: demands.Caption, Desc: l.T("chart.demands.desc"), Labels: labels,
		Format: func(v float64) string { return l.Decimal(v, 1) }}
	rc := chart.Chart{ID: rates.ID, Title: rates.Caption, Desc: l.T("chart.rate.desc"), Labels: labels, Line: true, Max: 1,
		Format: func(v float64) string { return l.Percent(v) }}
	for _, n := range names {
		ds := chart.Series{Name: n}
		rs := chart.Series{Name: n}
		dr := figureRow{Label: n}
		rr := figureRow{Label: n}
		for _, p := range periods {
			a := cells[n][p]
			if a == nil {
				ds.Values = append(ds.Values, math.NaN())
				rs.Values = append(rs.Values, math.NaN())
				dr.Cells = append(dr.Cells, "—")
				rr.Cells = append(rr.Cells, "—")
				continue
			}
			ds.Values = append(ds.Values, float64(a.dem.Lo()))
			dr.Cells = append(dr.Cells, countText(l, a.dem))
			if rate, ok := (ComplianceRow{Requested: a.req, Actioned: a.act}).Rate(); ok {
				rs.Values = append(rs.Values, rate)
				rr.Cells = append(rr.Cells, l.Percent(rate))
			} else {
				rs.Values = append(rs.Values, math.NaN())
				rr.Cells = append(rr.Cells, "—")
			}
		}
		dc.Series, rc.Series = append(dc.Series, ds), append(rc.Series, rs)
		demands.Rows, rates.Rows = append(demands.Rows, dr), append(rates.Rows, rr)
	}
	if len(periods) > 0 {
		demands.SVG, rates.SVG = dc.SVG(), rc.SVG()
	}
	return demands, rates
}

var outcomes = []string{"ok", "anomaly", "confirmed", "failure"}

// interferenceFigure stacks measurements by outcome per month, like OONI
// Explorer's charts; its table breaks them down by platform.
func (s *Server) interferenceFigure(ctx context.Context, l *locale.Locale, cc, platform string, platforms map[string]model.Organisation) (figure, []option, error) {
	f := figure{ID: "interference", Caption: l.T("chart.interference.title"), Corner: l.T("chart.month")}
	rows, err := s.r.Interference(ctx, InterferenceQuery{Country: cc, Grain: "month"})
	if err != nil {
		return f, nil, err
	}
	seen := map[string]bool{}
	months := map[time.Time]*InterferenceRow{}
	type key struct {
		m time.Time
		p string
	}
	per := map[key]*InterferenceRow{}
	for _, r := range rows {
		seen[r.Platform] = true
		if platform != "" && r.Platform != platform {
			continue
		}
		m := months[r.Period]
		if m == nil {
			m = &InterferenceRow{Period: r.Period}
			months[r.Period] = m
		}
		m.Total, m.OK, m.Anomaly, m.Confirmed, m.Failure = m.Total+r.Total, m.OK+r.OK, m.Anomaly+r.Anomaly, m.Confirmed+r.Confirmed, m.Failure+r.Failure
		pk := key{r.Period, r.Platform}
		if per[pk] == nil {
			per[pk] = &InterferenceRow{Period: r.Period, Platform: r.Platform}
		}
		p := per[pk]
		p.Total, p.Anomaly, p.Confirmed = p.Total+r.Total, p.Anomaly+r.Anomaly, p.Confirmed+r.Confirmed
	}
	opts := []option{{Value: "", Label: l.T("chart.all_platforms"), Selected: platform == ""}}
	for _, p := range sortedKeys(seen) {
		opts = append(opts, option{Value: p, Label: platformName(platforms, p), Selected: p == platform})
	}
	var ts []time.Time
	for t := range months {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	if len(ts) > 36 {
		ts = ts[len(ts)-36:]
	}
	if len(ts) == 0 {
		return f, opts, nil
	}
	c := chart.Chart{ID: f.ID, Title: f.Caption, Desc: l.T("chart.interference.desc"), Stacked: true,
		Format: func(v float64) string { return l.Decimal(v, 1) }}
	for _, t := range ts {
		label := l.MonthYear(t)
		c.Labels = append(c.Labels, label)
		f.Head = append(f.Head, label)
	}
	for _, o := range outcomes {
		sr := chart.Series{Name: l.Label("measurement_outcome", o), Class: "o-" + o}
		fr := figureRow{Label: sr.Name}
		for _, t := range ts {
			m := months[t]
			v := map[string]int64{"ok": m.OK, "anomaly": m.Anomaly, "confirmed": m.Confirmed, "failure": m.Failure}[o]
			sr.Values = append(sr.Values, float64(v))
			fr.Cells = append(fr.Cells, l.Int(v))
		}
		c.Series = append(c.Series, sr)
		f.Rows = append(f.Rows, fr)
	}
	// One row per platform: the share of its measurements that were anomalous or confirmed.
	for _, p := range sortedKeys(seen) {
		if platform != "" && p != platform {
			continue
		}
		fr := figureRow{Label: l.T("chart.interference.platform_share", "Platform", platformName(platforms, p))}
		for _, t := range ts {
			r := per[key{t, p}]
			if r == nil || r.Total == 0 {
				fr.Cells = append(fr.Cells, "—")
				continue
			}
			fr.Cells = append(fr.Cells, l.Percent(float64(r.Anomaly+r.Confirmed)/float64(r.Total)))
		}
		f.Rows = append(f.Rows, fr)
	}
	f.SVG = c.SVG()
	return f, opts, nil
}
