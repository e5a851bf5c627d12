package demo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/model"
)

// demoSet indexes the parsed demo records by key.
type demoSet struct {
	recs  []model.Record
	byKey map[string]model.Record
	byID  map[string]model.Record
}

func load(t *testing.T) demoSet {
	t.Helper()
	recs, err := Records()
	if err != nil {
		t.Fatal(err)
	}
	s := demoSet{recs: recs, byKey: map[string]model.Record{}, byID: map[string]model.Record{}}
	for _, r := range recs {
		s.byKey[keyOf(r)] = r
		if _, dup := s.byID[r.Base().ID]; dup {
			t.Fatalf("id %s used twice", r.Base().ID)
		}
		s.byID[r.Base().ID] = r
	}
	return s
}

func get[T model.Record](t *testing.T, s demoSet, key string) T {
	t.Helper()
	r, ok := s.byKey[key]
	if !ok {
		t.Fatalf("no record %s", key)
	}
	v, ok := r.(T)
	if !ok {
		t.Fatalf("%s is a %T", key, r)
	}
	return v
}

func TestRecordsCoverEveryCollection(t *testing.T) {
	s := load(t)
	count := map[string]int{}
	for _, r := range s.recs {
		count[r.Collection()]++
	}
	for _, c := range []string{"organisations", "authorities", "laws", "demands", "responses", "periods", "plans", "events"} {
		if count[c] == 0 {
			t.Errorf("no %s in the demo data", c)
		}
	}
	if n := strings.Count(strings.TrimSpace(string(data)), "\n") + 1; n != len(s.recs) {
		t.Errorf("file has %d lines, parsed %d records", n, len(s.recs))
	}
}

func TestEveryRecordValidatesAndCitesAURL(t *testing.T) {
	for _, r := range load(t).recs {
		v := &model.Validator{}
		r.Validate(v)
		if err := v.Err(); err != nil {
			t.Errorf("%s: %v", keyOf(r), err)
		}
		if !strings.HasPrefix(keyOf(r), KeyPrefix) {
			t.Errorf("%s: key lacks the %s prefix", keyOf(r), KeyPrefix)
		}
		hasURL := false
		for _, src := range r.Base().Sources {
			hasURL = hasURL || strings.HasPrefix(src.URL, "https://") || strings.HasPrefix(src.URL, "http://")
		}
		if !hasURL {
			t.Errorf("%s: no source with a URL", keyOf(r))
		}
		if r.Base().ID != ID(keyOf(r)) {
			t.Errorf("%s: id %s, want %s", keyOf(r), r.Base().ID, ID(keyOf(r)))
		}
	}
}

func TestEveryReferenceResolves(t *testing.T) {
	s := load(t)
	is := func(id, collection string) bool {
		r, ok := s.byID[id]
		return ok && r.Collection() == collection
	}
	isPlatform := func(id string) bool {
		o, ok := s.byID[id].(*model.Organisation)
		return ok && o.Kind == "platform"
	}
	for _, r := range s.recs {
		key := keyOf(r)
		switch x := r.(type) {
		case *model.Demand:
			if !isPlatform(x.Platform) {
				t.Errorf("%s: platform %q is not a platform organisation", key, x.Platform)
			}
			if x.Authority != "" && !is(x.Authority, "authorities") {
				t.Errorf("%s: authority %q is not an authority", key, x.Authority)
			}
			if x.Authority != "" && s.byID[x.Authority].(*model.Authority).Country != x.Country {
				t.Errorf("%s: authority of another country", key)
			}
			for i, lb := range x.LegalBasis {
				if lb.Law != "" && !is(lb.Law, "laws") {
					t.Errorf("%s: legal_basis[%d].law %q is not a law", key, i, lb.Law)
				}
			}
		case *model.Response:
			d, ok := s.byID[x.Demand].(*model.Demand)
			if !ok {
				t.Errorf("%s: demand %q is not a demand", key, x.Demand)
				continue
			}
			if x.Platform != d.Platform {
				t.Errorf("%s: platform %s differs from its demand's %s", key, x.Platform, d.Platform)
			}
			if x.Country != d.Country {
				t.Errorf("%s: country %s differs from its demand's %s", key, x.Country, d.Country)
			}
		case *model.Event:
			if len(x.Targets) == 0 || !isPlatform(x.Targets[0]) {
				t.Errorf("%s: first target %v is not a platform organisation", key, x.Targets)
			}
			for i, id := range x.Related {
				if _, ok := s.byID[id]; !ok {
					t.Errorf("%s: related[%d] %q names no demo record", key, i, id)
				}
			}
		case *model.Plan:
			if !isPlatform(x.Platform) || (x.Period != "" && !is(x.Period, "periods")) {
				t.Errorf("%s: platform %q or period %q does not resolve", key, x.Platform, x.Period)
			}
		case *model.Law:
			for i, a := range x.Amends {
				if !is(a, "laws") {
					t.Errorf("%s: amends[%d] %q is not a law", key, i, a)
				}
			}
		}
		// No key may survive anywhere but in the record's own source_id
		// (an organisation keeps its plain slug).
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if r.Collection() == "organisations" {
			want = 0
		}
		if n := strings.Count(string(b), `"`+KeyPrefix); n != want {
			t.Errorf("%s: %d demo keys left in %s", key, n, b)
		}
	}
}

func TestIDsAreStable(t *testing.T) {
	a, b := load(t), load(t)
	for key, r := range a.byKey {
		if b.byKey[key].Base().ID != r.Base().ID {
			t.Errorf("%s: id differs between two parses", key)
		}
	}
	// Pinned so that a change of derivation, which would orphan every
	// demo record already in someone's store, cannot pass unnoticed.
	if got, want := ID("demo:x"), pinnedXID; got != want {
		t.Errorf("ID(demo:x) = %s, want %s", got, want)
	}
	id, err := ulid.Parse(ID("demo:meta"))
	if err != nil {
		t.Fatal(err)
	}
	if !ulid.Time(id.Time()).Equal(idTime) {
		t.Errorf("timestamp %v, want %v", ulid.Time(id.Time()), idTime)
	}
	if ID("demo:meta") == ID("demo:google") {
		t.Error("two keys gave one id")
	}
}

const pinnedXID = "01JGFJJZ00Y4CHSP1423M3D78M"

func provisionsWith(l *model.Law, tag string) []model.Provision {
	var out []model.Provision
	for _, p := range l.Provisions {
		if slices.Contains(p.Tags, tag) {
			out = append(out, p)
		}
	}
	return out
}

func hasParam(ps []model.Provision, f func(*model.ProvisionParams) *float64, want float64) bool {
	for _, p := range ps {
		if p.Params != nil && f(p.Params) != nil && *f(p.Params) == want {
			return true
		}
	}
	return false
}

func deadline(p *model.ProvisionParams) *float64 { return p.DeadlineHours }
func throttle(p *model.ProvisionParams) *float64 { return p.ThrottlePercent }
func prison(p *model.ProvisionParams) *float64   { return p.PrisonYearsMax }

func TestTurkishLaws(t *testing.T) {
	s := load(t)
	l5651 := get[*model.Law](t, s, "demo:tr-law-5651")
	l7253 := get[*model.Law](t, s, "demo:tr-law-7253")
	l7418 := get[*model.Law](t, s, "demo:tr-law-7418")

	if l5651.ShortName != "Law No. 5651" || l5651.Status("2010-01-01") != "in_force" {
		t.Errorf("5651: %q status %q", l5651.ShortName, l5651.Status("2010-01-01"))
	}
	for _, l := range []*model.Law{l7253, l7418} {
		if !slices.Contains(l.Amends, l5651.ID) {
			t.Errorf("%s does not amend Law 5651", l.ShortName)
		}
	}
	if !hasParam(provisionsWith(l7253, "takedown_deadline"), deadline, 48) {
		t.Error("Law 7253: no 48-hour deadline")
	}
	thr := provisionsWith(l7253, "bandwidth_throttling")
	if !hasParam(thr, throttle, 50) || !hasParam(thr, throttle, 90) {
		t.Error("Law 7253: throttling of 50% then 90% missing")
	}
	for _, tag := range []string{"advertising_ban", "local_representative", "data_localisation", "fines"} {
		if len(provisionsWith(l7253, tag)) == 0 {
			t.Errorf("Law 7253: no %s provision", tag)
		}
	}
	if l7253.Status("2020-07-30") != "adopted" || l7253.Status("2020-10-01") != "in_force" {
		t.Errorf("Law 7253 timeline: %q on 30 July, %q on 1 October 2020", l7253.Status("2020-07-30"), l7253.Status("2020-10-01"))
	}
	if !hasParam(provisionsWith(l7418, "criminal_speech_offence"), prison, 3) {
		t.Error("Law 7418: no offence of up to 3 years")
	}
	if !hasParam(provisionsWith(l7418, "bandwidth_throttling"), throttle, 90) {
		t.Error("Law 7418: no 90% throttling")
	}
	if len(provisionsWith(l7418, "user_data_disclosure")) == 0 {
		t.Error("Law 7418: no user-data disclosure")
	}
	if l7418.Status("2022-10-18") != "in_force" {
		t.Errorf("Law 7418 status on 18 October 2022: %q", l7418.Status("2022-10-18"))
	}
}

func TestTwitterElectionOrders(t *testing.T) {
	s := load(t)
	d := get[*model.Demand](t, s, "demo:tr-2023-05-twitter-election-orders")
	r := get[*model.Response](t, s, "demo:tr-2023-05-twitter-election-response")
	tw := get[*model.Organisation](t, s, "demo:x")

	if d.Platform != tw.ID || d.Country != "TR" || d.Channel != "court_order" {
		t.Errorf("demand: platform %s country %s channel %s", d.Platform, d.Country, d.Channel)
	}
	if d.PeriodStart != "2023-05-13" || d.PeriodEnd != "2023-05-15" {
		t.Errorf("period %s–%s, want 2023-05-13–2023-05-15", d.PeriodStart, d.PeriodEnd)
	}
	if d.RequestCount.String() != "5" {
		t.Errorf("court orders: %s, want 5", d.RequestCount)
	}
	if d.Targets.Accounts.Lo() != 4 || d.Targets.Items.Lo() != 409 {
		t.Errorf("targets: %s accounts, %s items", d.Targets.Accounts, d.Targets.Items)
	}
	if !slices.Contains(d.Threats, "bandwidth_throttling") || !strings.Contains(d.ThreatDetail.Text, "final threat to throttle") {
		t.Errorf("threat: %v %+v", d.Threats, d.ThreatDetail)
	}
	if r.Demand != d.ID || r.Outcome != "complied_partial" {
		t.Errorf("response: demand %s outcome %s", r.Demand, r.Outcome)
	}
	if r.Counts.AccountsWithheld.String() != "4" || r.Counts.ContentWithheld.String() != "409" {
		t.Errorf("withheld: %s accounts, %s tweets", r.Counts.AccountsWithheld, r.Counts.ContentWithheld)
	}
	var challenge *model.Pushback
	for i, p := range r.Pushback {
		if p.Kind == "court_challenge" {
			challenge = &r.Pushback[i]
		}
	}
	if challenge == nil || !strings.Contains(challenge.Result, "4 of the 5 orders") {
		t.Errorf("pushback: %+v", r.Pushback)
	}
	if !slices.Equal(r.TerritorialScope, []string{"TR"}) {
		t.Errorf("scope %v", r.TerritorialScope)
	}
}

func TestEarthquakeMeeting(t *testing.T) {
	s := load(t)
	d := get[*model.Demand](t, s, "demo:tr-2023-02-twitter-earthquake-meeting")
	ministry := get[*model.Authority](t, s, "demo:tr-ministry-transport")
	if d.Authority != ministry.ID || d.Channel != "informal" || d.Reason != "disinformation" || !slices.Contains(d.Threats, "blocking") {
		t.Errorf("demand: authority %s channel %s reason %s threats %v", d.Authority, d.Channel, d.Reason, d.Threats)
	}
	if got := d.When().Format("2006-01-02"); got != "2023-02-08" {
		t.Errorf("received %s, want 2023-02-08", got)
	}
}

func TestEvents(t *testing.T) {
	s := load(t)
	tw := get[*model.Event](t, s, "demo:tr-2023-02-twitter-filtering")
	if tw.Kind != "throttling" || tw.Index().Platform != ID("demo:x") || tw.Detection.Detector != model.DetectorReported ||
		tw.StartedAt.Format("2006-01-02") != "2023-02-08" || !slices.Contains(tw.Related, ID("demo:tr-2023-02-twitter-earthquake-meeting")) {
		t.Errorf("Turkey 2023: %+v", tw)
	}
	fb := get[*model.Event](t, s, "demo:vn-2020-facebook-slowdown")
	if days := fb.EndedAt.Sub(fb.StartedAt).Hours() / 24; days < 49 || days > 52 {
		t.Errorf("Vietnam 2020 slowdown lasted %.0f days, want about seven weeks", days)
	}
	if !slices.Contains(fb.Related, ID("demo:vn-2020-facebook-restrictions")) {
		t.Errorf("Vietnam 2020 slowdown not related to its demand: %v", fb.Related)
	}
}

func TestRepresentativeEnforcement(t *testing.T) {
	s := load(t)
	btk := get[*model.Authority](t, s, "demo:tr-btk")
	answered := map[string]string{}
	for _, p := range []string{"twitter", "meta", "google"} {
		d := get[*model.Demand](t, s, "demo:tr-2020-btk-representative-"+p)
		r := get[*model.Response](t, s, "demo:tr-2020-btk-representative-"+p+"-response")
		if d.Authority != btk.ID || !slices.Contains(d.Types, "local_presence_or_localisation") {
			t.Errorf("%s: authority %s types %v", p, d.Authority, d.Types)
		}
		if td := d.ThreatDetail; td == nil || td.FineAmount == nil || *td.FineAmount != 10_000_000 || td.Currency != "TRY" {
			t.Errorf("%s: threat detail %+v, want the 10 million lira fine", p, d.ThreatDetail)
		}
		if r.Demand != d.ID || r.Outcome != "complied_full" || r.PublishedAt == nil {
			t.Fatalf("%s: response %+v", p, r)
		}
		answered[p] = r.PublishedAt.Format("2006-01-02")
	}
	want := map[string]string{"google": "2020-12-16", "meta": "2021-01-18", "twitter": "2021-03-19"}
	for p, d := range want {
		if answered[p] != d {
			t.Errorf("%s announced a representative on %s, want %s", p, answered[p], d)
		}
	}
}

func TestVietnam(t *testing.T) {
	s := load(t)
	csl := get[*model.Law](t, s, "demo:vn-cybersecurity-law-2018")
	if !hasParam(provisionsWith(csl, "takedown_deadline"), deadline, 24) {
		t.Error("Cybersecurity Law: no 24-hour takedown")
	}
	for _, tag := range []string{"user_data_disclosure", "data_localisation"} {
		if len(provisionsWith(csl, tag)) == 0 {
			t.Errorf("Cybersecurity Law: no %s provision", tag)
		}
	}
	if csl.Status("2019-01-01") != "in_force" {
		t.Errorf("Cybersecurity Law status on 1 January 2019: %q", csl.Status("2019-01-01"))
	}
	if d := get[*model.Law](t, s, "demo:vn-decree-53-2022"); len(provisionsWith(d, "data_localisation")) == 0 {
		t.Error("Decree 53/2022: no localisation provision")
	}
	d147 := get[*model.Law](t, s, "demo:vn-decree-147-2024")
	d72 := get[*model.Law](t, s, "demo:vn-decree-72-2013")
	if len(provisionsWith(d147, "account_verification")) == 0 || !slices.Contains(d147.Amends, d72.ID) {
		t.Error("Decree 147/2024: no account verification, or not linked to Decree 72/2013")
	}
	if d72.Status("2025-01-01") != "repealed" {
		t.Errorf("Decree 72/2013 status in 2025: %q", d72.Status("2025-01-01"))
	}

	fb := get[*model.Demand](t, s, "demo:vn-2020-facebook-restrictions")
	if !slices.Contains(fb.Threats, "bandwidth_throttling") || !strings.Contains(fb.ThreatDetail.Text, "seven weeks") {
		t.Errorf("2020 Facebook demand: %v %+v", fb.Threats, fb.ThreatDetail)
	}
	fbr := get[*model.Response](t, s, "demo:vn-2020-facebook-response")
	if fbr.Demand != fb.ID || fbr.Outcome != "geo_restricted" {
		t.Errorf("2020 Facebook response: %s %s", fbr.Demand, fbr.Outcome)
	}

	more := get[*model.Demand](t, s, "demo:vn-2020-08-facebook-more-restrictions")
	if !slices.Contains(more.Threats, "blocking") {
		t.Errorf("August 2020 demand: threats %v, want blocking", more.Threats)
	}
	if r := get[*model.Response](t, s, "demo:vn-2020-08-facebook-more-restrictions-response"); r.Demand != more.ID || r.Outcome != "rejected" {
		t.Errorf("August 2020 response: %s %s", r.Demand, r.Outcome)
	}

	mic := get[*model.Authority](t, s, "demo:vn-mic")
	for key, want := range map[string]string{
		"demo:vn-2024-mic-requests-meta-response":   "8981",
		"demo:vn-2024-mic-requests-google-response": "6043",
		"demo:vn-2024-mic-requests-tiktok-response": "971",
	} {
		r := get[*model.Response](t, s, key)
		if got := r.Actioned().String(); got != want {
			t.Errorf("%s: actioned %s, want %s", key, got, want)
		}
		if d := s.byID[r.Demand].(*model.Demand); d.Authority != mic.ID || d.PeriodStart != "2024-01-01" {
			t.Errorf("%s: demand authority %s period %s", key, d.Authority, d.PeriodStart)
		}
	}
}

func TestSensitivePeriods(t *testing.T) {
	s := load(t)
	for key, want := range map[string]string{
		"demo:tr-2023-05-14-elections":     "TR election 2023-05-14 2023-05-14",
		"demo:tr-2023-05-28-runoff":        "TR election 2023-05-28 2023-05-28",
		"demo:tr-2023-02-earthquakes":      "TR disaster 2023-02-06 2023-02-06",
		"demo:vn-2021-13th-party-congress": "VN other 2021-01-25 2021-02-01",
		"demo:vn-2026-14th-party-congress": "VN other 2026-01-19 2026-01-23",
	} {
		p := get[*model.Period](t, s, key)
		if got := strings.Join([]string{p.Country, p.Kind, string(p.StartsOn), string(p.EndsOn)}, " "); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	plan := get[*model.Plan](t, s, "demo:tr-2023-meta-election-plan")
	if plan.Period != ID("demo:tr-2023-05-14-elections") || plan.Platform != ID("demo:meta") || len(plan.Measures) == 0 {
		t.Errorf("Meta's election plan: period %s platform %s, %d measures", plan.Period, plan.Platform, len(plan.Measures))
	}
	// The election orders fall on the eve of the first round.
	d := get[*model.Demand](t, s, "demo:tr-2023-05-twitter-election-orders")
	if e := get[*model.Period](t, s, "demo:tr-2023-05-14-elections"); d.PeriodStart > e.StartsOn || d.PeriodEnd < e.StartsOn {
		t.Errorf("election orders %s–%s do not span the vote on %s", d.PeriodStart, d.PeriodEnd, e.StartsOn)
	}
}

func TestParseErrorsNameLineAndField(t *testing.T) {
	const org = `{"collection":"organisations","record":{"slug":"p","name":"P","kind":"platform","platform_type":"video","sources":[{"url":"https://p.example"}]}}`
	demand := func(fields string) string {
		return `{"collection":"demands","record":{"source_id":"demo:d","platform":"demo:p","country":"TR","granularity":"aggregate","period_start":"2023-01-01","period_end":"2023-06-30","types":["content_removal"],"targets":{},"sources":[{"url":"https://d.example"}]` + fields + `}}`
	}
	for _, tc := range []struct {
		name, input, want string
	}{
		{"malformed JSON", org + "\n{", "demo.ndjson:2: malformed JSON"},
		{"unknown envelope field", `{"collection":"organisations","extra":1,"record":{}}`, "demo.ndjson:1: extra: unknown field"},
		{"unknown record field", org + "\n" + demand(`,"colour":"red"`), "demo.ndjson:2: record.colour: unknown field"},
		{"unknown collection", `{"collection":"widgets","record":{"source_id":"demo:w"}}`, `demo.ndjson:1: collection: "widgets" is not one of`},
		{"organisation slug with the prefix", strings.Replace(org, `"slug":"p"`, `"slug":"demo:p"`, 1), "demo.ndjson:1: record.slug: must be a plain slug"},
		{"missing key", `{"collection":"authorities","record":{"country":"TR","name":"X","type":"court","sources":[{"url":"https://x.example"}]}}`, "demo.ndjson:1: record.source_id: must be a key"},
		{"id set", `{"collection":"authorities","record":{"id":"01H","source_id":"demo:a"}}`, "record.id: must not be set"},
		{"duplicate key", org + "\n" + org, `demo.ndjson:2: record.slug: key "demo:p" already used on line 1`},
		{"dangling reference", demand(""), `demo.ndjson:1: record.platform: reference "demo:p" names no record`},
		{"nested reference", org + "\n" + demand(`,"legal_basis":[{"law":"demo:nolaw"}]`), `demo.ndjson:2: record.legal_basis[0].law: reference "demo:nolaw"`},
		{"wrong type", org + "\n" + demand(`,"gag_order":"yes"`), "demo.ndjson:2: record.gag_order: want bool"},
		{"bad date", org + "\n" + strings.Replace(demand(""), "2023-06-30", "2023-06-31", 1), "demo.ndjson:2: record.period_end: \"2023-06-31\" is not a date"},
		{"bad enum", org + "\n" + demand(`,"reason":"boredom"`), `demo.ndjson:2: record.reason: "boredom" is not one of`},
		{"no URL", strings.Replace(org, `"url":"https://p.example"`, `"title":"P"`, 1), "demo.ndjson:1: record.sources: needs at least one source with an http(s) url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := Parse(strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("no error; got %d records", len(recs))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseSkipsBlankLinesAndCountsThem(t *testing.T) {
	in := "\n" + `{"collection":"organisations","record":{"slug":"p","name":"P","kind":"civil_society","sources":[{"url":"https://p.example"}]}}` + "\n\n" + `{"collection":"organisations","record":{"slug":"q","kind":"civil_society","sources":[{"url":"https://q.example"}]}}`
	_, err := Parse(strings.NewReader(in))
	if err == nil || !strings.HasPrefix(err.Error(), "demo.ndjson:4: record.name: is required") {
		t.Fatalf("error %v, want one on line 4 naming record.name", err)
	}
}

func BenchmarkRecords(b *testing.B) {
	for b.Loop() {
		if _, err := Records(); err != nil {
			b.Fatal(err)
		}
	}
}
