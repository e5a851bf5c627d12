package cases

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// fixture: platform "alpha" gets 6 emergency cases in Turkey in May 2023,
// acknowledged after 10, 20, ... 60 minutes; "beta" gets 4 in Vietnam; and
// "alpha" 5 routine cases in Vietnam in June, none acknowledged.
func statsFixture() []*model.Case {
	var out []*model.Case
	for i := 1; i <= 6; i++ {
		c := &model.Case{AddressedTo: "alpha", FiledBy: "cso", Country: "TR", Kind: "account_suspension",
			Urgency: "emergency", Status: "acknowledged", FiledAt: t0.Add(time.Duration(i) * time.Hour)}
		c.AcknowledgedAt = ptr(c.FiledAt.Add(time.Duration(10*i) * time.Minute))
		if i <= 3 { // responded after 2, 4, 6 hours; resolved after 24h by the filer
			c.FirstResponseAt = ptr(c.FiledAt.Add(time.Duration(2*i) * time.Hour))
			c.ResolvedAt = ptr(c.FiledAt.Add(24 * time.Hour))
			c.Status = "resolved"
		}
		out = append(out, c)
	}
	for i := 0; i < 4; i++ {
		out = append(out, &model.Case{AddressedTo: "beta", FiledBy: "cso", Country: "VN", Kind: "troll_campaign",
			Urgency: "urgent", Status: "filed", FiledAt: t0.Add(time.Duration(i) * time.Hour)})
	}
	for i := 0; i < 5; i++ {
		out = append(out, &model.Case{AddressedTo: "alpha", FiledBy: "cso", Country: "VN", Kind: "wrongful_takedown",
			Urgency: "routine", Status: "filed", FiledAt: time.Date(2023, 6, 2+i, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

func ptr(t time.Time) *time.Time { return &t }

func TestAggregateByPlatformCountry(t *testing.T) {
	now := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	st, err := Aggregate(statsFixture(), StatsQuery{GroupBy: []string{"platform", "country"}, Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.SuppressedGroups != 1 || len(st.Groups) != 2 {
		t.Fatalf("groups %+v suppressed %d", st.Groups, st.SuppressedGroups)
	}
	for _, g := range st.Groups {
		if g.Platform == "beta" {
			t.Fatalf("beta has 4 cases and must be suppressed: %+v", g)
		}
	}
	tr := st.Groups[0]
	if tr.Platform != "alpha" || tr.Country != "TR" || tr.Cases != 6 {
		t.Fatalf("first group %+v", tr)
	}
	// Acknowledged after 600..3600 s: nearest-rank median is the 3rd (1800),
	// p90 the 6th (3600).
	if tr.Acknowledge.Reached != 6 || *tr.Acknowledge.MedianSeconds != 1800 || *tr.Acknowledge.P90Seconds != 3600 {
		t.Errorf("acknowledge %+v", tr.Acknowledge)
	}
	// Only 3 responded and 3 resolved: too few to publish their times.
	if tr.Respond.Reached != 3 || tr.Respond.MedianSeconds != nil || tr.Resolve.P90Seconds != nil {
		t.Errorf("respond %+v resolve %+v", tr.Respond, tr.Resolve)
	}
	if tr.ShareResolved != 0.5 || tr.ShareOpen != 0.5 {
		t.Errorf("shares %+v", tr)
	}
	// Emergency targets 1h/24h/72h: ack at 10..60 min is in time; the three
	// unanswered cases are past 24h on 1 July; the three answered in time.
	if tr.ShareOverdue != 0.5 {
		t.Errorf("share overdue %v", tr.ShareOverdue)
	}
	vn := st.Groups[1]
	if vn.Country != "VN" || vn.Cases != 5 || vn.ShareOverdue != 1 || vn.Acknowledge.Reached != 0 || vn.Acknowledge.MedianSeconds != nil {
		t.Errorf("VN group (exactly 5 cases, published): %+v", vn)
	}
	b, _ := json.Marshal(st)
	if strings.Contains(string(b), "beta") || strings.Contains(string(b), "troll_campaign") {
		t.Errorf("suppressed group leaks: %s", b)
	}
}

func TestAggregatePublishedTargetsChangeOverdue(t *testing.T) {
	now := time.Date(2023, 5, 13, 23, 0, 0, 0, time.UTC)
	slow := &model.CaseTargets{Emergency: &model.CaseTarget{AcknowledgeHours: 0.25, RespondHours: 48, ResolveHours: 96}}
	st, err := Aggregate(statsFixture(), StatsQuery{GroupBy: []string{"platform"}, Platform: "alpha", Kind: "account_suspension", Now: now},
		func(p string) *model.CaseTargets { return slow })
	if err != nil {
		t.Fatal(err)
	}
	// Only the 10-minute acknowledgement meets a 15-minute target.
	if len(st.Groups) != 1 || st.Groups[0].Cases != 6 || st.Groups[0].ShareOverdue != round4(5.0/6) {
		t.Errorf("%+v", st.Groups)
	}
}

func TestAggregatePeriodsAndFilters(t *testing.T) {
	now := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	st, err := Aggregate(statsFixture(), StatsQuery{GroupBy: []string{"period"}, Grain: "month", Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Groups) != 2 || st.Groups[0].Period != "2023-05" || st.Groups[0].Cases != 10 ||
		st.Groups[1].Period != "2023-06" || st.Groups[1].Cases != 5 || st.Grain != "month" {
		t.Errorf("%+v", st.Groups)
	}
	// June only, then quarter grain: one group of 5.
	st, err = Aggregate(statsFixture(), StatsQuery{GroupBy: []string{"period"}, Grain: "quarter", Now: now,
		From: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), To: now}, nil)
	if err != nil || len(st.Groups) != 1 || st.Groups[0].Period != "2023-Q2" || st.Groups[0].Cases != 5 {
		t.Errorf("%+v %v", st, err)
	}
	// One case fewer and the group disappears.
	st, _ = Aggregate(statsFixture(), StatsQuery{Now: now, Country: "VN", Urgency: "routine",
		From: time.Date(2023, 6, 3, 0, 0, 0, 0, time.UTC)}, nil)
	if len(st.Groups) != 0 || st.SuppressedGroups != 1 {
		t.Errorf("4 cases published: %+v", st)
	}
}

func TestAggregateRefusesBadQuery(t *testing.T) {
	for q, want := range map[*StatsQuery]string{
		{GroupBy: []string{"filed_by"}}:     "group_by[0]",
		{GroupBy: []string{"kind", "kind"}}: "given twice",
		{Grain: "week"}:                     "grain",
		{Kind: "nope"}:                      "kind",
		{From: t0, To: t0}:                  "to: must be after from",
	} {
		_, err := Aggregate(nil, *q, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: err %v, want %q", q, err, want)
		}
	}
}

func TestPercentileNearestRank(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]float64{50: 5, 90: 9, 91: 10, 100: 10, 0: 1} {
		if got := Percentile(v, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
}
