package registrytest

import (
	"context"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Fixture is a small world: two platforms, a civil-society group, an
// authority and a law.
type Fixture struct {
	Reg       *registry.Registry
	X, Meta   string // platform organisation ids
	Group     string // civil-society organisation id
	BTK       string // authority id
	Law5651   string
	PlatformX auth.Actor
	PlatformM auth.Actor
	CSO       auth.Actor
}

func src(url string) []model.Source {
	return []model.Source{{URL: url, Publisher: "test", Claim: "third_party_reported"}}
}

// NewFixture writes the small world into s.
func NewFixture(t testing.TB, s store.Store) *Fixture {
	t.Helper()
	ctx := context.Background()
	reg := registry.New(s)
	f := &Fixture{Reg: reg}
	mk := func(rec model.Record) string {
		t.Helper()
		res, err := reg.Create(ctx, auth.System, rec)
		if err != nil {
			t.Fatalf("fixture %s: %v", rec.Collection(), err)
		}
		return res.ID
	}
	f.X = mk(&model.Organisation{Meta: model.Meta{Sources: src("https://transparency.x.com/")}, Name: "X (Twitter)", Kind: "platform", PlatformType: "social_media", Slug: "x"})
	f.Meta = mk(&model.Organisation{Meta: model.Meta{Sources: src("https://transparency.meta.com/")}, Name: "Meta", Kind: "platform", PlatformType: "social_media", Services: []string{"Facebook", "Instagram"}, Slug: "meta"})
	f.Group = mk(&model.Organisation{Meta: model.Meta{Sources: src("https://ifade.org.tr/")}, Name: "İfade Özgürlüğü Derneği", Kind: "civil_society", Country: "TR", Slug: "ifod"})
	f.BTK = mk(&model.Authority{Meta: model.Meta{Sources: src("https://www.btk.gov.tr/")}, Country: "TR", Name: "Bilgi Teknolojileri ve İletişim Kurumu", NameEnglish: "Information and Communication Technologies Authority", Type: "ict_regulator", Abbreviation: "BTK"})
	f.Law5651 = mk(&model.Law{Meta: model.Meta{Sources: src("https://www.mevzuat.gov.tr/mevzuat?MevzuatNo=5651")}, Country: "TR", Title: "İnternet Ortamında Yapılan Yayınların Düzenlenmesi Hakkında Kanun", ShortName: "Law No. 5651", Kind: "law",
		Timeline:   []model.LawStatus{{Status: "adopted", Date: "2007-05-04"}, {Status: "in_force", Date: "2007-05-23"}},
		Provisions: []model.Provision{{Article: "9", Summary: "erişimin engellenmesi", Tags: []string{"content_takedown", "blocking_power"}}}})
	f.PlatformX = auth.Actor{Org: f.X, Role: auth.Platform, TokenID: "tok-x"}
	f.PlatformM = auth.Actor{Org: f.Meta, Role: auth.Platform, TokenID: "tok-meta"}
	f.CSO = auth.Actor{Org: f.Group, Role: auth.CivilSociety, TokenID: "tok-cso"}
	return f
}

// Individual builds an individual demand to platform on day.
func Individual(platform, country string, day time.Time, items int64, sourceID string) *model.Demand {
	return &model.Demand{Meta: model.Meta{Sources: src("https://example.org/order")}, Platform: platform, Country: country,
		Granularity: "individual", ReceivedAt: &day, Channel: "court_order", Types: []string{"content_removal"},
		Reason: "defamation", AuthorityType: "court", Targets: model.Targets{Items: model.ExactCount(items)}, SourceID: sourceID}
}

// Aggregate builds an aggregate demand for a half-year.
func Aggregate(platform, country, start, end string, requests int64, items *model.Count, sourceID string) *model.Demand {
	return &model.Demand{Meta: model.Meta{Sources: src("https://example.org/report")}, Platform: platform, Country: country,
		Granularity: "aggregate", PeriodStart: model.Date(start), PeriodEnd: model.Date(end), Types: []string{"content_removal"},
		Reason: "national_security", AuthorityType: "court", RequestCount: model.ExactCount(requests), Targets: model.Targets{Items: items}, SourceID: sourceID}
}
