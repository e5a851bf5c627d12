package google

import (
	"io"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

var userDataHeader = []string{"Period Ending", "Country", "CLDR Territory Code", "Legal Process", "User Data Requests",
	"Percentage of requests where some data produced", "Users/Accounts Specified"}

const (
	userDataURL   = "https://transparencyreport.google.com/user-data/overview"
	userDataTitle = "Google Transparency Report: Requests for user information"
)

// UserDataReader reads google-user-data-requests.csv: per half-year,
// country and legal process, the number of requests, the accounts they
// named and the share of requests where some data was produced.
type UserDataReader struct {
	file importers.File
	t    *importers.Table
	rows importers.Rows
}

func NewUserData(r io.Reader, f importers.File) (*UserDataReader, error) {
	t, err := importers.NewTable(r, f.Name, userDataHeader)
	if err != nil {
		return nil, err
	}
	return &UserDataReader{file: f, t: t}, nil
}

func (ur *UserDataReader) source(line int) model.Source {
	return model.Source{URL: userDataURL, Publisher: "Google", Title: userDataTitle, Claim: "platform_attested",
		SHA256: ur.file.SHA256, File: ur.file.Name, Line: line}
}

func (ur *UserDataReader) Next() (importers.Item, error) {
	return ur.rows.Next(func() importers.Item {
		return importers.Item{Record: Organisation(ur.source(0)), KeepExisting: true}
	}, func() error {
		if err := ur.t.Next(); err != nil {
			return err
		}
		return ur.row()
	})
}

func (ur *UserDataReader) row() error {
	t := ur.t
	// Days and months are not zero-padded: "31/12/09", "30/6/10".
	hy, err := importers.ParseHalfYearEnding(t.Get("Period Ending"), "2/1/06")
	if err != nil {
		return t.Errorf("Period Ending", "%v", err)
	}
	country, summary, where, err := place(t, "Country", "CLDR Territory Code")
	if err != nil {
		return err
	}
	lp, ok := legalProcesses[t.Get("Legal Process")]
	if !ok {
		return t.Errorf("Legal Process", "unknown legal process %q; add it to the legal process table", t.Get("Legal Process"))
	}
	requests, err := t.Int("User Data Requests")
	if err != nil {
		return err
	}
	accounts, err := t.Count("Users/Accounts Specified")
	if err != nil {
		return err
	}
	key := importers.Key("google-user-data", hy.String(), where, t.Get("Legal Process"))
	src := ur.source(t.Line())
	d := &model.Demand{
		Meta:     model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Platform: Slug, Country: country, Granularity: "aggregate",
		PeriodStart: hy.Start(), PeriodEnd: hy.End(),
		AuthorityType: lp.AuthorityType, Channel: lp.Channel, Types: []string{lp.Type},
		RequestCount: model.ExactCount(requests),
		Targets:      model.Targets{Accounts: accounts},
		Summary:      summary, SourceID: key,
	}
	ur.rows.Push(importers.Item{Record: d, Line: t.Line(), Platform: Slug})
	// An empty percentage means Google published nothing about the answer
	// (preservation requests, the first periods): no response is written.
	if pct := t.Get("Percentage of requests where some data produced"); pct != "" {
		p, err := importers.ParsePercent(pct)
		if err != nil {
			return t.Errorf("Percentage of requests where some data produced", "%v", err)
		}
		resp := &model.Response{
			Meta:   model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
			Demand: key, Platform: Slug, Country: country,
			Outcome:  importers.DataOutcome(p),
			Counts:   model.ResponseCounts{RequestsSomeDataProduced: importers.Share(d.RequestCount, p)},
			SourceID: key + ":response",
		}
		ur.rows.Push(importers.Item{Record: resp, Line: t.Line(), Platform: Slug, Parent: key})
	}
	return nil
}
