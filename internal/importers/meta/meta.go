// Package meta reads Facebook's government requests report CSV of 2013
// (format facebook-2013), e.g. Facebook-Government-Report-2013-H1.csv.
package meta

import (
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

// Slug is the source_id of the Meta organisation record.
const Slug = "meta"

var Facebook2013 = importers.Format{
	Name:        "facebook-2013",
	Description: "Facebook government requests report, 2013 layout: Facebook-Government-Report-2013-H1.csv (the half-year is taken from the file name)",
	Open:        func(r io.Reader, f importers.File) (importers.Reader, error) { return New(r, f) },
}

var header = []string{"Country", "Requests for User Data", "User Accounts Referenced", "Percentage of requests where some data produced"}

const (
	url   = "https://transparency.meta.com/reports/government-data-requests/"
	title = "Facebook Government Requests Report"
)

// Organisation is the platform record the file starts with.
func Organisation(src model.Source) *model.Organisation {
	return &model.Organisation{
		Meta:         model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Name:         "Meta (Facebook)",
		Kind:         "platform",
		Country:      "US",
		PlatformType: "social_media",
		Services:     []string{"Facebook", "Instagram", "WhatsApp", "Messenger"},
		Website:      "https://about.meta.com",
		Slug:         Slug,
	}
}

// The file has no period column; Facebook's download names it.
var periodInName = regexp.MustCompile(`(\d{4})-H([12])`)

// Reader yields, per country, a demand for user data and its response.
// Figures carry thousands separators ("1,547"), ranges ("11,000 - 12,000")
// and percentages printed with two zero decimals ("47.00%").
type Reader struct {
	file   importers.File
	t      *importers.Table
	period importers.HalfYear
	rows   importers.Rows
}

func New(r io.Reader, f importers.File) (*Reader, error) {
	m := periodInName.FindStringSubmatch(f.Name)
	if m == nil {
		return nil, fmt.Errorf("%s: the file has no period column and its name does not give one: name it like Facebook-Government-Report-2013-H1.csv", f.Name)
	}
	y, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	t, err := importers.NewTable(r, f.Name, header)
	if err != nil {
		return nil, err
	}
	return &Reader{file: f, t: t, period: importers.HalfYear{Year: y, Half: h}}, nil
}

func (mr *Reader) source(line int) model.Source {
	return model.Source{URL: url, Publisher: "Facebook", Title: fmt.Sprintf("%s, %s", title, mr.period),
		Claim: "platform_attested", SHA256: mr.file.SHA256, File: mr.file.Name, Line: line}
}

func (mr *Reader) Next() (importers.Item, error) {
	return mr.rows.Next(func() importers.Item {
		return importers.Item{Record: Organisation(mr.source(0)), KeepExisting: true}
	}, func() error {
		if err := mr.t.Next(); err != nil {
			return err
		}
		return mr.row()
	})
}

func (mr *Reader) row() error {
	t := mr.t
	name := t.Text("Country")
	cc, ok := countries[name]
	if !ok {
		return t.Errorf("Country", "unknown country name %q; add it to the country table", name)
	}
	requests, err := t.Count("Requests for User Data")
	if err != nil {
		return err
	}
	accounts, err := t.Count("User Accounts Referenced")
	if err != nil {
		return err
	}
	const pctCol = "Percentage of requests where some data produced"
	p, err := importers.ParsePercent(t.Get(pctCol))
	if err != nil {
		return t.Errorf(pctCol, "%v", err)
	}
	key := importers.Key("facebook", mr.period.String(), cc)
	src := mr.source(t.Line())
	d := &model.Demand{
		Meta:     model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Platform: Slug, Service: "Facebook", Country: cc, Granularity: "aggregate",
		PeriodStart: mr.period.Start(), PeriodEnd: mr.period.End(),
		Types:        []string{"user_data_disclosure"},
		RequestCount: requests,
		Targets:      model.Targets{Accounts: accounts},
		SourceID:     key,
	}
	resp := &model.Response{
		Meta:   model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Demand: key, Platform: Slug, Country: cc,
		Outcome:  importers.DataOutcome(p),
		Counts:   model.ResponseCounts{RequestsSomeDataProduced: importers.Share(requests, p)},
		SourceID: key + ":response",
	}
	mr.rows.Push(importers.Item{Record: d, Line: t.Line(), Platform: Slug},
		importers.Item{Record: resp, Line: t.Line(), Platform: Slug, Parent: key})
	return nil
}

// countries maps the English names Facebook's report uses onto ISO 3166-1
// codes (Kosovo onto XK, as CLDR does).
var countries = map[string]string{
	"Albania": "AL", "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Bangladesh": "BD",
	"Barbados": "BB", "Belgium": "BE", "Bosnia and Herzegovina": "BA", "Botswana": "BW", "Brazil": "BR",
	"Bulgaria": "BG", "Cambodia": "KH", "Canada": "CA", "Chile": "CL", "Colombia": "CO",
	"Costa Rica": "CR", "Croatia": "HR", "Cyprus": "CY", "Czech Republic": "CZ", "Denmark": "DK",
	"Ecuador": "EC", "Egypt": "EG", "El Salvador": "SV", "Finland": "FI", "France": "FR",
	"Germany": "DE", "Greece": "GR", "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS",
	"India": "IN", "Ireland": "IE", "Israel": "IL", "Italy": "IT", "Ivory Coast": "CI",
	"Japan": "JP", "Kosovo": "XK", "Lithuania": "LT", "Macedonia": "MK", "Malaysia": "MY",
	"Malta": "MT", "Mexico": "MX", "Mongolia": "MN", "Montenegro": "ME", "Nepal": "NP",
	"Netherlands": "NL", "New Zealand": "NZ", "Norway": "NO", "Pakistan": "PK", "Panama": "PA",
	"Peru": "PE", "Philippines": "PH", "Poland": "PL", "Portugal": "PT", "Qatar": "QA",
	"Romania": "RO", "Russia": "RU", "Serbia": "RS", "Singapore": "SG", "Slovenia": "SI",
	"South Africa": "ZA", "South Korea": "KR", "Spain": "ES", "Sweden": "SE", "Switzerland": "CH",
	"Taiwan": "TW", "Thailand": "TH", "Turkey": "TR", "Uganda": "UG", "United Kingdom": "GB",
	"United States": "US",
}
