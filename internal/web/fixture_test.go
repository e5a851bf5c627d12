package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/sqlstore"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// testRecord stands in for collections whose model type this build lacks
// (events, periods), so the explorer's generic path is tested too.
type testRecord struct {
	model.Meta
	coll       string
	Country    string         `json:"country"`
	Kind       string         `json:"kind"`
	Title      string         `json:"title,omitempty"`
	Targets    []string       `json:"targets,omitempty"`
	StartedAt  *time.Time     `json:"started_at,omitempty"`
	EndedAt    *time.Time     `json:"ended_at,omitempty"`
	StartsOn   model.Date     `json:"starts_on,omitempty"`
	EndsOn     model.Date     `json:"ends_on,omitempty"`
	Scope      string         `json:"scope,omitempty"`
	Confidence string         `json:"confidence,omitempty"`
	Detection  map[string]any `json:"detection,omitempty"`
}

func (r *testRecord) Collection() string { return r.coll }
func (r *testRecord) Validate(*model.Validator) {
	if r.Visibility == "" {
		r.Visibility = model.Public
	}
}
func (r *testRecord) Index() model.Index {
	ix := model.Index{Country: r.Country, Types: []string{r.Kind}, Text: []string{r.Title}}
	if r.StartedAt != nil {
		ix.Start, ix.End = r.StartedAt, r.EndedAt
	}
	if r.StartsOn != "" {
		s, e := r.StartsOn.Time(), r.EndsOn.Time()
		ix.Start, ix.End = &s, &e
	}
	if len(r.Targets) > 0 {
		ix.Platform = r.Targets[0]
	}
	return ix
}

// fixture is a small store of real-world-shaped records about Turkey and
// Vietnam (SPEC §1), written through the registry.
type fixture struct {
	DB  *sqlstore.DB
	Reg *registry.Registry
	IDs map[string]string // name -> id
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := storetest.OpenSQLite(t)
	f := &fixture{DB: db, Reg: registry.New(db), IDs: map[string]string{}}
	ctx := context.Background()
	put := func(name, coll, js string) {
		t.Helper()
		for k, v := range f.IDs {
			js = strings.ReplaceAll(js, "{"+k+"}", v)
		}
		rec := model.New(coll)
		if err := json.Unmarshal([]byte(js), rec); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, js)
		}
		res, err := f.Reg.Create(ctx, auth.System, rec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.IDs[name] = res.ID
	}
	src := `"sources":[{"url":"https://example.org/report","publisher":"Candor tests","title":"Test source","claim":"third_party_reported"}]`
	put("twitter", "organisations", `{"name":"X (Twitter)","kind":"platform","platform_type":"social_media","slug":"twitter","services":["X"],`+src+`}`)
	put("meta", "organisations", `{"name":"Meta","kind":"platform","platform_type":"social_media","slug":"meta","services":["Facebook","Instagram"],`+src+`}`)
	put("google", "organisations", `{"name":"Google","kind":"platform","platform_type":"search","slug":"google","services":["YouTube","Web Search"],`+src+`}`)
	put("court", "authorities", `{"country":"TR","name":"Sulh Ceza Hâkimliği","name_en":"Criminal Judgeship of Peace","type":"court",`+src+`}`)
	put("5651", "laws", `{"country":"TR","title":"İnternet Ortamında Yapılan Yayınların Düzenlenmesi Hakkında Kanun","title_en":"Law on the Regulation of Internet Publications","short_name":"Law No. 5651","kind":"law",
		"timeline":[{"status":"adopted","date":"2007-05-04"},{"status":"in_force","date":"2007-05-23"},{"status":"amended","date":"2020-07-31"}],
		"provisions":[{"article":"Ek 4","summary":"Local representative; answers within 48 hours; advertising ban, then bandwidth throttling of 50% and 90%.","tags":["local_representative","takedown_deadline","advertising_ban","bandwidth_throttling"],"params":{"deadline_hours":48,"throttle_percent":90,"user_threshold":1000000}}],`+src+`}`)
	put("7418", "laws", `{"country":"TR","title":"Basın Kanunu ile Bazı Kanunlarda Değişiklik Yapılmasına Dair Kanun","title_en":"Law amending the Press Law and some laws","short_name":"Law No. 7418","kind":"law","amends":["{5651}"],
		"timeline":[{"status":"adopted","date":"2022-10-13"},{"status":"in_force","date":"2022-10-18"}],
		"provisions":[{"article":"29","summary":"Disinformation offence.","tags":["criminal_speech_offence"],"params":{"prison_years_max":3}},
		{"article":"34","summary":"User data to prosecutors; throttling up to 90% for one unanswered order.","tags":["user_data_disclosure","bandwidth_throttling"],"params":{"throttle_percent":90}}],`+src+`}`)
	put("cyberlaw", "laws", `{"country":"VN","title":"Luật An ninh mạng","title_en":"Law on Cybersecurity","short_name":"Cybersecurity Law 2018","kind":"law",
		"timeline":[{"status":"adopted","date":"2018-06-12"},{"status":"in_force","date":"2019-01-01"}],
		"provisions":[{"article":"26","summary":"Remove content within 24 hours; give user data to the Ministry of Public Security.","tags":["takedown_deadline","user_data_disclosure","data_localisation"],"params":{"deadline_hours":24}}],`+src+`}`)
	put("decree53", "laws", `{"country":"VN","title":"Nghị định 53/2022/NĐ-CP","title_en":"Decree 53/2022","short_name":"Decree 53/2022","kind":"decree",
		"timeline":[{"status":"published","date":"2022-08-15"},{"status":"in_force","date":"2022-10-01"}],
		"provisions":[{"article":"26","summary":"Data localisation, conditional.","tags":["data_localisation"]}],`+src+`}`)

	// Individual demands: five court orders to Twitter on the eve of the 2023 elections.
	for i, items := range []int{120, 95, 80, 64, 50} {
		name := "order" + string(rune('1'+i))
		put(name, "demands", `{"platform":"{twitter}","service":"X","country":"TR","granularity":"individual","received_at":"2023-05-1`+string(rune('2'+i%3))+`T09:00:00Z",
			"authority":"{court}","channel":"court_order","types":["content_removal","account_restriction"],"reason":"electoral_law",
			"legal_basis":[{"law":"{5651}","provision":"Ek 4"}],"targets":{"items":{"kind":"exact","value":`+itoa(items)+`}},
			"threats":["bandwidth_throttling"],"threat_detail":{"throttle_percent":90},"summary":"Erişim engeli kararı: seçim öncesi paylaşımlar","source_id":"tw-2023-`+itoa(i)+`",`+src+`}`)
	}
	put("resp1", "responses", `{"demand":"{order1}","platform":"{twitter}","outcome":"complied_partial","decided_at":"2023-05-13T18:00:00Z",
		"counts":{"items_removed_legal":{"kind":"exact","value":100}},"territorial_scope":["TR"],"pushback":[{"kind":"court_challenge","result":"pending"}],
		"statement":"In response to legal process and to protect the availability of Twitter to the people of Turkey, we have taken action to restrict access to some content in Turkey today.",`+src+`}`)
	// Aggregates: half-years as transparency reports give them.
	agg := func(name, platform, cc, start, end, reqs, items string) {
		put(name, "demands", `{"platform":"{`+platform+`}","country":"`+cc+`","granularity":"aggregate","period_start":"`+start+`","period_end":"`+end+`",
			"types":["content_removal"],"reason":"not_specified","request_count":`+reqs+`,"targets":{"items":`+items+`},`+src+`}`)
	}
	agg("g-tr-22h2", "google", "TR", "2022-07-01", "2022-12-31", `{"kind":"exact","value":410}`, `{"kind":"exact","value":5210}`)
	agg("g-tr-23h1", "google", "TR", "2023-01-01", "2023-06-30", `{"kind":"exact","value":655}`, `{"kind":"exact","value":7302}`)
	agg("m-tr-23h1", "meta", "TR", "2023-01-01", "2023-06-30", `{"kind":"exact","value":1234}`, `{"kind":"range","min":1000,"max":1500}`)
	agg("g-vn-22h2", "google", "VN", "2022-07-01", "2022-12-31", `{"kind":"exact","value":118}`, `{"kind":"exact","value":2400}`)
	agg("g-vn-23h1", "google", "VN", "2023-01-01", "2023-06-30", `{"kind":"exact","value":202}`, `{"kind":"exact","value":3800}`)
	agg("m-vn-23h1", "meta", "VN", "2023-01-01", "2023-06-30", `{"kind":"exact","value":1500}`, `{"kind":"exact","value":3000}`)
	aggResp := func(name, demand, platform, decided, removed string) {
		put(name, "responses", `{"demand":"{`+demand+`}","platform":"{`+platform+`}","outcome":"complied_partial","decided_at":"`+decided+`",
			"counts":{"items_removed_legal":{"kind":"exact","value":`+removed+`}},`+src+`}`)
	}
	aggResp("rg-tr-22h2", "g-tr-22h2", "google", "2022-12-31T00:00:00Z", "2100")
	aggResp("rg-tr-23h1", "g-tr-23h1", "google", "2023-06-30T00:00:00Z", "3650")
	aggResp("rg-vn-22h2", "g-vn-22h2", "google", "2022-12-31T00:00:00Z", "1900")
	aggResp("rg-vn-23h1", "g-vn-23h1", "google", "2023-06-30T00:00:00Z", "3300")
	put("rm-vn-23h1", "responses", `{"demand":"{m-vn-23h1}","platform":"{meta}","outcome":"complied_full","decided_at":"2023-06-30T00:00:00Z",
		"counts":{"content_withheld":{"kind":"exact","value":2700}},"statement":"We restricted access to content in Việt Nam after a legal and human rights review.",`+src+`}`)

	put("quake", "events", `{"country":"TR","kind":"throttling","scope":"national","title":"Twitter throttled after the earthquake","targets":["twitter"],
		"started_at":"2023-02-08T11:00:00Z","ended_at":"2023-02-10T08:00:00Z","confidence":"high","detection":{"detector":"reported"},`+src+`}`)
	put("fb-vn", "events", `{"country":"VN","kind":"blocking","scope":"national","title":"Facebook's local servers offline","targets":["meta"],
		"started_at":"2020-02-15T00:00:00Z","ended_at":"2020-04-05T00:00:00Z","confidence":"medium","detection":{"detector":"reported"},`+src+`}`)
	put("vn-ongoing", "events", `{"country":"VN","kind":"tls_interference","scope":"network","asns":[7552],"title":"TLS interference on one network","targets":["meta"],
		"started_at":"2026-11-01T00:00:00Z","confidence":"low","detection":{"detector":"reported"},`+src+`}`)
	put("election", "periods", `{"country":"TR","kind":"election","title":"Seçimler: cumhurbaşkanlığı ve milletvekili","starts_on":"2023-05-14","ends_on":"2023-05-28",`+src+`}`)

	// A second version of a law, to show versions and their diff.
	law := model.New("laws").(*model.Law)
	row, err := db.Get(ctx, "laws", f.IDs["5651"], 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(row.Body, law); err != nil {
		t.Fatal(err)
	}
	law.Timeline = append(law.Timeline, model.LawStatus{Status: "amended", Date: "2022-10-18"})
	if _, err := f.Reg.Update(ctx, auth.System, law.ID, law); err != nil {
		t.Fatal(err)
	}
	return f
}

// fixedMeasurements reads the fixture's store but answers the
// interference charts with a fixed aggregation: a steady baseline with
// Twitter's anomalies spiking in February 2023 in Turkey.
type fixedMeasurements struct{ *StoreReader }

func (fixedMeasurements) Interference(ctx context.Context, q InterferenceQuery) ([]InterferenceRow, error) {
	var out []InterferenceRow
	for m := 0; m < 12; m++ {
		month := time.Date(2022, time.Month(9+m), 1, 0, 0, 0, 0, time.UTC)
		for _, p := range []string{"twitter", "meta"} {
			r := InterferenceRow{Period: month, Platform: p, OK: 400, Anomaly: 12, Confirmed: 0, Failure: 6}
			if q.Country == "TR" && p == "twitter" && month.Month() == time.February {
				r.OK, r.Anomaly, r.Confirmed = 150, 260, 20
			}
			if q.Country == "VN" && p == "meta" {
				r.Anomaly = 40
			}
			r.Total = r.OK + r.Anomaly + r.Confirmed + r.Failure
			if q.Platform == "" || q.Platform == p {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// explorerFor serves a fixture's store with a clock fixed at 27 Nov 2026.
func explorerFor(f *fixture) *Server {
	s := New(fixedMeasurements{&StoreReader{S: f.DB}})
	s.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	return s
}

// sampleOf is a record of a collection with every optional part filled, so
// that marshalling shows all its field names.
func sampleOf(c string) model.Record {
	one := model.ExactCount(1)
	f := 1.0
	n := int64(1)
	now := time.Now()
	src := []model.Source{{URL: "u", Publisher: "p", Title: "t", PublishedAt: ptr(model.Date("2023-01-01")), RetrievedAt: &now, SHA256: "s", Claim: "corroborated", File: "f", Line: 1}}
	switch c {
	case "demands":
		return &model.Demand{Meta: model.Meta{Sources: src}, ReceivedAt: &now, Deadline: &now, RequestCount: one,
			LegalBasis: []model.LegalBasis{{Law: "l", Provision: "p", Text: "t"}}, Targets: model.Targets{Items: one, Accounts: one, URLs: one},
			GagOrder: true, Threats: []string{"fine"}, ThreatDetail: &model.ThreatDetail{ThrottlePercent: &f, FineAmount: &f, Currency: "TRY", Text: "t"},
			Documents: []model.Document{{SHA256: "s", Visibility: "public", Redacted: true, Title: "t"}},
			Platform:  "p", Service: "s", Country: "TR", Granularity: "individual", PeriodStart: "2023-01-01", PeriodEnd: "2023-01-01",
			Authority: "a", AuthorityType: "court", Channel: "informal", Types: []string{"other"}, Reason: "other", Summary: "s", SourceID: "s"}
	case "responses":
		return &model.Response{Meta: model.Meta{Sources: src}, Demand: "d", Platform: "p", Country: "TR", Outcome: "rejected", DecidedAt: &now,
			Counts: model.ResponseCounts{ItemsRemovedLegal: one, ItemsRemovedPolicy: one, ItemsNotFound: one, ItemsInsufficientInfo: one,
				ItemsNoAction: one, ItemsAlreadyRemoved: one, AccountsWithheld: one, ContentWithheld: one, RequestsSomeDataProduced: one},
			TerritorialScope: []string{"TR"}, Pushback: []model.Pushback{{Kind: "narrowed", Result: "r"}}, UserNotified: "yes",
			Assessment: "a", Statement: "s", PublishedAt: &now, SourceID: "s"}
	case "laws":
		return &model.Law{Meta: model.Meta{Sources: src}, Country: "TR", Title: "t", TitleEnglish: "t", ShortName: "s", Kind: "law",
			Timeline: []model.LawStatus{{Status: "adopted", Date: "2023-01-01", Source: &src[0]}}, Amends: []string{"a"}, SourceID: "s",
			Provisions: []model.Provision{{Article: "a", Summary: "s", Tags: []string{"fines"}, Params: &model.ProvisionParams{DeadlineHours: &f,
				ThrottlePercent: &f, FineAmount: &f, Currency: "TRY", PrisonYearsMax: &f, UserThreshold: &n}}}}
	case "organisations":
		return &model.Organisation{Meta: model.Meta{Sources: src}, Name: "n", Kind: "platform", Country: "US", PlatformType: "video",
			Services: []string{"s"}, Recipients: []string{"age1"}, Website: "w", Slug: "s"}
	case "authorities":
		return &model.Authority{Meta: model.Meta{Sources: src}, Country: "TR", Name: "n", NameEnglish: "n", Type: "court", Abbreviation: "a", SourceID: "s"}
	}
	return model.New(c)
}

func itoa(n int) string { return strconv.Itoa(n) }

func ptr[T any](v T) *T { return &v }
