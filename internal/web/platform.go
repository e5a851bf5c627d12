package web

import (
	"context"
	"net/http"
	"sort"

	"github.com/candor-observatory/candor/internal/locale"
	"github.com/candor-observatory/candor/internal/model"
)

// completenessSample is how many of a platform's newest demands and
// responses the transparency completeness table looks at.
const completenessSample = 500

type platformData struct {
	Org        *model.Organisation
	Type       string
	Countries  []countryTotal
	Demands    figure
	Rates      figure
	Statements []statement
	Complete   []completeness
	Sampled    string
	SearchURL  string
}

type countryTotal struct {
	CC, Name, Demands, Rate string
}

type statement struct {
	URL, Title, When, Text string
}

type completeness struct {
	Field, Collection string
	Share             float64
	Text              string
}

func (s *Server) platform(w http.ResponseWriter, r *http.Request) {
	l := loc(w, r)
	id := r.PathValue("id")
	platforms, err := s.platformNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	org, ok := platforms[id]
	if !ok {
		for _, o := range platforms {
			if o.Slug != "" && o.Slug == id {
				org, ok = o, true
			}
		}
	}
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.platformData(r.Context(), l, &org)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "platform", org.Name, "platforms", d)
}

func (s *Server) platformData(ctx context.Context, l *locale.Locale, org *model.Organisation) (*platformData, error) {
	d := &platformData{Org: org, Type: l.Label("platform_type", org.PlatformType), SearchURL: "/search?platform=" + org.ID}
	comp, err := s.r.Compliance(ctx, ComplianceQuery{Platform: org.ID, ByCountry: true, ByPeriod: true})
	if err != nil {
		return nil, err
	}
	d.Demands, d.Rates = complianceFigures(l, comp, func(c ComplianceRow) string { return l.Country(c.Country) }, "platform")
	type tot struct{ dem, req, act *model.Count }
	by := map[string]*tot{}
	for _, c := range comp {
		t := by[c.Country]
		if t == nil {
			t = &tot{}
			by[c.Country] = t
		}
		t.dem, t.req, t.act = t.dem.Add(c.Demands), t.req.Add(c.Requested), t.act.Add(c.Actioned)
	}
	for _, cc := range sortedKeys(by) {
		t := by[cc]
		ct := countryTotal{CC: cc, Name: l.Country(cc), Demands: countText(l, t.dem), Rate: "—"}
		if rate, ok := (ComplianceRow{Requested: t.req, Actioned: t.act}).Rate(); ok {
			ct.Rate = l.Percent(rate)
		}
		d.Countries = append(d.Countries, ct)
	}
	sort.SliceStable(d.Countries, func(i, j int) bool { return by[d.Countries[i].CC].dem.Lo() > by[d.Countries[j].CC].dem.Lo() })

	dp, err := s.r.List(ctx, Query{Collection: "demands", Platform: org.ID, Limit: completenessSample})
	if err != nil {
		return nil, err
	}
	rp, err := s.r.List(ctx, Query{Collection: "responses", Platform: org.ID, Limit: completenessSample})
	if err != nil {
		return nil, err
	}
	platforms := map[string]model.Organisation{org.ID: *org}
	for _, rec := range rp.Records {
		rs := rec.(*model.Response)
		if rs.Statement == "" || len(d.Statements) >= 20 {
			continue
		}
		d.Statements = append(d.Statements, statement{URL: recordURL(rs), Title: title(l, rs, platforms) + " · " + l.Country(rs.Country),
			When: l.Date(when(rs)), Text: rs.Statement})
	}
	d.Complete = completenessOf(l, dp.Records, rp.Records)
	d.Sampled = l.T("platform.sampled", "Demands", l.Int(int64(len(dp.Records))), "Responses", l.Int(int64(len(rp.Records))))
	return d, nil
}

// demandDisclosures and responseDisclosures are the SPEC fields a platform
// can disclose, and how to tell that a record did.
var demandDisclosures = []struct {
	field string
	has   func(*model.Demand) bool
}{
	{"authority", func(d *model.Demand) bool {
		return d.Authority != "" || (d.AuthorityType != "" && d.AuthorityType != "unknown")
	}},
	{"channel", func(d *model.Demand) bool { return d.Channel != "" }},
	{"legal_basis", func(d *model.Demand) bool { return len(d.LegalBasis) > 0 }},
	{"reason", func(d *model.Demand) bool { return d.Reason != "" && d.Reason != "not_specified" }},
	{"targets", func(d *model.Demand) bool {
		return d.Targets.Items != nil || d.Targets.Accounts != nil || d.Targets.URLs != nil
	}},
	{"deadline", func(d *model.Demand) bool { return d.Deadline != nil }},
	{"threats", func(d *model.Demand) bool { return len(d.Threats) > 0 }},
	{"documents", func(d *model.Demand) bool { return len(d.Documents) > 0 }},
}

var responseDisclosures = []struct {
	field string
	has   func(*model.Response) bool
}{
	{"outcome", func(r *model.Response) bool { return r.Outcome != "" && r.Outcome != "pending" }},
	{"decided_at", func(r *model.Response) bool { return r.DecidedAt != nil }},
	{"counts", func(r *model.Response) bool { return r.Actioned() != nil || r.Counts.ItemsNoAction != nil }},
	{"territorial_scope", func(r *model.Response) bool { return len(r.TerritorialScope) > 0 }},
	{"pushback", func(r *model.Response) bool { return len(r.Pushback) > 0 }},
	{"user_notified", func(r *model.Response) bool { return r.UserNotified != "" && r.UserNotified != "unknown" }},
	{"assessment", func(r *model.Response) bool { return r.Assessment != "" }},
	{"statement", func(r *model.Response) bool { return r.Statement != "" }},
}

func completenessOf(l *locale.Locale, demands, responses []model.Record) []completeness {
	var out []completeness
	for _, f := range demandDisclosures {
		n := 0
		for _, rec := range demands {
			if f.has(rec.(*model.Demand)) {
				n++
			}
		}
		out = append(out, share(l, "demands", f.field, n, len(demands)))
	}
	for _, f := range responseDisclosures {
		n := 0
		for _, rec := range responses {
			if f.has(rec.(*model.Response)) {
				n++
			}
		}
		out = append(out, share(l, "responses", f.field, n, len(responses)))
	}
	return out
}

func share(l *locale.Locale, collection, field string, n, total int) completeness {
	c := completeness{Field: l.T("field." + field), Collection: l.T("collection." + collection), Text: "—"}
	if total > 0 {
		c.Share = float64(n) / float64(total)
		c.Text = l.Percent(c.Share)
	}
	return c
}
