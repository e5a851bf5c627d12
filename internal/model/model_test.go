package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCountAddKeepsWeakestKind(t *testing.T) {
	for _, tc := range []struct {
		a, b *Count
		want string
		kind string
	}{
		{ExactCount(3), ExactCount(4), "7", Exact},
		{ExactCount(3), RangeCount(0, 9), "3–12", Range},
		{RangeCount(1, 9), RangeCount(0, 9), "1–18", Range},
		{ExactCount(3), AtLeast(10), "≥13", LowerBound},
		{RangeCount(0, 9), AtLeast(10), "≥10", LowerBound},
		{ExactCount(3), SuppressedCount(), "suppressed", Suppressed},
		{nil, RangeCount(0, 9), "0–9", Range},
	} {
		got := tc.a.Add(tc.b)
		if got.String() != tc.want || got.Kind != tc.kind {
			t.Errorf("%v + %v = %v (%s), want %s (%s)", tc.a, tc.b, got, got.Kind, tc.want, tc.kind)
		}
		if got.Kind == Suppressed && got.Lo() != tc.a.Lo() {
			t.Errorf("suppressed sum lost its known part: %d", got.Lo())
		}
	}
}

func TestCountNeverImputed(t *testing.T) {
	var c Count
	if err := json.Unmarshal([]byte(`{"kind":"range","min":0,"max":9}`), &c); err != nil {
		t.Fatal(err)
	}
	v := &Validator{}
	c.validate(v, "n")
	if v.Err() != nil || c.Value != nil {
		t.Fatalf("a range got a value: %+v %v", c, v.Err())
	}
	out, _ := json.Marshal(&c)
	if strings.Contains(string(out), "value") {
		t.Fatalf("range marshals a value: %s", out)
	}
}

func TestDemandValidation(t *testing.T) {
	d := &Demand{Granularity: "aggregate", Types: []string{"content_removal", "x"}, Reason: "dislike",
		Targets: Targets{Items: &Count{Kind: "exact"}}, PeriodStart: "2023-07-01", PeriodEnd: "2023-01-01"}
	v := &Validator{}
	d.Validate(v)
	err, _ := v.Err().(*ValidationError)
	if err == nil {
		t.Fatal("invalid demand accepted")
	}
	fields := map[string]bool{}
	for _, fe := range err.Errors {
		fields[fe.Field] = true
	}
	for _, f := range []string{"platform", "country", "types[1]", "reason", "targets.items.value", "period_end"} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, err)
		}
	}
}

func TestLawStatusOnDay(t *testing.T) {
	l := &Law{Timeline: []LawStatus{{Status: "adopted", Date: "2020-07-29"}, {Status: "in_force", Date: "2020-10-01"}, {Status: "amended", Date: "2022-10-18"}}}
	for day, want := range map[Date]string{"2020-01-01": "", "2020-08-01": "adopted", "2021-05-01": "in_force", "2023-01-01": "amended"} {
		if got := l.Status(day); got != want {
			t.Errorf("status on %s = %q, want %q", day, got, want)
		}
	}
}

func TestHalfYear(t *testing.T) {
	if got := HalfYear(Date("2023-06-30").Time()); got != "2023-H1" {
		t.Fatal(got)
	}
	if got := HalfYear(Date("2023-07-01").Time()); got != "2023-H2" {
		t.Fatal(got)
	}
}

func TestActionedWithoutCounts(t *testing.T) {
	for outcome, want := range map[string]string{
		"complied_full": "409", "geo_restricted": "409", "rejected": "0", "content_not_found": "0", "complied_partial": "", "pending": "",
	} {
		r := &Response{Outcome: outcome}
		r.SetDemandRequested(ExactCount(409))
		if got := r.Actioned().String(); got != want {
			t.Errorf("%s: actioned %q, want %q", outcome, got, want)
		}
	}
	r := &Response{Outcome: "complied_full", Counts: ResponseCounts{ContentWithheld: ExactCount(400)}}
	r.SetDemandRequested(ExactCount(409))
	if got := r.Actioned().String(); got != "400" {
		t.Errorf("counts given: actioned %q, want 400", got)
	}
}

func TestPeriodLabel(t *testing.T) {
	s, e := Date("2024-01-01").Time(), Date("2024-12-31").Time()
	if got := PeriodLabel(&s, &e); got != "2024" {
		t.Errorf("a year-long span is labelled %q", got)
	}
	e = Date("2024-06-30").Time()
	if got := PeriodLabel(&s, &e); got != "2024-H1" {
		t.Errorf("a half-year span is labelled %q", got)
	}
}
