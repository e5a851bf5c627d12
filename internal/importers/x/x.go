// Package x reads X's (Twitter's) information requests report CSV
// (format x-info-requests), e.g. information-requests-report-jan-jun-2017.csv.
package x

import (
	"io"
	"strings"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

// Slug is the source_id of the X organisation record.
const Slug = "x"

var InfoRequests = importers.Format{
	Name:        "x-info-requests",
	Description: "X (Twitter) information requests report: information-requests-report-jan-jun-2017.csv",
	Open:        func(r io.Reader, f importers.File) (importers.Reader, error) { return New(r, f) },
}

var header = []string{"TIME PERIOD", "COUNTRY", "ISO CODE", "ACCOUNT INFORMATION REQUESTS",
	"PERCENTAGE WHERE SOME INFORMATION PRODUCED", "ACCOUNTS SPECIFIED", "FLAGS", "LINKS", "REPORT LINKS"}

const (
	site  = "https://transparency.twitter.com"
	title = "Twitter Transparency Report: Information requests"
)

// Organisation is the platform record the file starts with.
func Organisation(src model.Source) *model.Organisation {
	return &model.Organisation{
		Meta:         model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Name:         "X (Twitter)",
		Kind:         "platform",
		Country:      "US",
		PlatformType: "social_media",
		Services:     []string{"X (Twitter)", "Periscope"},
		Website:      "https://x.com",
		Slug:         Slug,
	}
}

// Reader yields, per country, a demand for account information and, when
// the report gives a percentage, the response. "-" means none or not
// reported, so it becomes a suppressed count; a "*" after a figure is a
// footnote marker the CSV does not explain, kept in the summary. The TOTAL
// row repeats the sum of the others and is skipped.
type Reader struct {
	file importers.File
	t    *importers.Table
	rows importers.Rows
}

func New(r io.Reader, f importers.File) (*Reader, error) {
	t, err := importers.NewTable(r, f.Name, header)
	if err != nil {
		return nil, err
	}
	return &Reader{file: f, t: t}, nil
}

func (xr *Reader) source(line int, link string) model.Source {
	url := site + "/en/information-requests.html"
	if strings.HasPrefix(link, "/") {
		url = site + link
	}
	return model.Source{URL: url, Publisher: "Twitter", Title: title, Claim: "platform_attested",
		SHA256: xr.file.SHA256, File: xr.file.Name, Line: line}
}

func (xr *Reader) Next() (importers.Item, error) {
	return xr.rows.Next(func() importers.Item {
		return importers.Item{Record: Organisation(xr.source(0, "")), KeepExisting: true}
	}, func() error {
		if err := xr.t.Next(); err != nil {
			return err
		}
		return xr.row()
	})
}

func (xr *Reader) row() error {
	t := xr.t
	if t.Get("COUNTRY") == "TOTAL" && t.Get("ISO CODE") == "" {
		return nil
	}
	hy, err := importers.ParseHalfYearName(t.Get("TIME PERIOD"))
	if err != nil {
		return t.Errorf("TIME PERIOD", "%v", err)
	}
	cc := t.Get("ISO CODE")
	if !model.IsCountryCode(cc) {
		return t.Errorf("ISO CODE", "%q is not a two-letter ISO 3166 code", cc)
	}
	var notes []string
	requests, err := footnoted(t, "ACCOUNT INFORMATION REQUESTS", &notes)
	if err != nil {
		return err
	}
	accounts, err := footnoted(t, "ACCOUNTS SPECIFIED", &notes)
	if err != nil {
		return err
	}
	key := importers.Key("x-info-requests", hy.String(), cc)
	src := xr.source(t.Line(), t.Get("REPORT LINKS"))
	d := &model.Demand{
		Meta:     model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Platform: Slug, Country: cc, Granularity: "aggregate",
		PeriodStart: hy.Start(), PeriodEnd: hy.End(),
		Types:        []string{"user_data_disclosure"},
		RequestCount: requests,
		Targets:      model.Targets{Accounts: accounts},
		Summary:      strings.Join(notes, " "),
		SourceID:     key,
	}
	xr.rows.Push(importers.Item{Record: d, Line: t.Line(), Platform: Slug})
	if pct := t.Get("PERCENTAGE WHERE SOME INFORMATION PRODUCED"); pct != "-" && pct != "" {
		p, err := importers.ParsePercent(pct)
		if err != nil {
			return t.Errorf("PERCENTAGE WHERE SOME INFORMATION PRODUCED", "%v", err)
		}
		resp := &model.Response{
			Meta:   model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
			Demand: key, Platform: Slug, Country: cc,
			Outcome:  importers.DataOutcome(p),
			Counts:   model.ResponseCounts{RequestsSomeDataProduced: importers.Share(requests, p)},
			SourceID: key + ":response",
		}
		xr.rows.Push(importers.Item{Record: resp, Line: t.Line(), Platform: Slug, Parent: key})
	}
	return nil
}

// footnoted reads a count that may carry a "*" footnote marker.
func footnoted(t *importers.Table, col string, notes *[]string) (*model.Count, error) {
	raw := t.Get(col)
	v := raw
	if s, ok := strings.CutSuffix(v, "*"); ok {
		v = s
		*notes = append(*notes, "The report marks the "+strings.ToLower(col)+" figure with a footnote (*).")
	}
	c, err := importers.ParseCount(v)
	if err != nil {
		return nil, t.Errorf(col, "%q is not a number", raw)
	}
	return c, nil
}
