package google

import (
	"io"
	"strings"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

var (
	perRequestorHeader = []string{"time_period", "country", "cldr_territory", "requestor", "product", "reason",
		"number_of_requests", "items_requested_removal", "items_removed_legal", "items_removed_policy",
		"items_content_not_found", "items_not_enough_info", "items_no_action_taken", "items_content_already_removed"}
	detailedHeader = []string{"Period Ending", "Country/Region", "CLDR Territory Code", "Product", "Reason", "Total"}
)

const (
	removalsURL   = "https://transparencyreport.google.com/government-removals/overview"
	removalsTitle = "Google Transparency Report: Government requests to remove content"
)

// RemovalsReader reads either Google removal file. The per-requestor file
// gives, per half-year, country, requestor, product and reason, a demand
// (requests and items) and a response (what became of the items); the
// detailed file gives only the number of requests per product and reason,
// so it yields demands alone.
type RemovalsReader struct {
	file     importers.File
	t        *importers.Table
	detailed bool
	rows     importers.Rows
}

func NewRemovals(r io.Reader, f importers.File) (*RemovalsReader, error) {
	t, n, err := importers.NewTableOf(r, f.Name, perRequestorHeader, detailedHeader)
	if err != nil {
		return nil, err
	}
	return &RemovalsReader{file: f, t: t, detailed: n == 1}, nil
}

func (rr *RemovalsReader) source(line int) model.Source {
	return model.Source{URL: removalsURL, Publisher: "Google", Title: removalsTitle, Claim: "platform_attested",
		SHA256: rr.file.SHA256, File: rr.file.Name, Line: line}
}

func (rr *RemovalsReader) Next() (importers.Item, error) {
	return rr.rows.Next(func() importers.Item {
		return importers.Item{Record: Organisation(rr.source(0)), KeepExisting: true}
	}, func() error {
		if err := rr.t.Next(); err != nil {
			return err
		}
		if rr.detailed {
			return rr.detailedRow()
		}
		return rr.perRequestorRow()
	})
}

// place reads the country columns: a CLDR code, or one of the bodies that
// have none. key is what identifies the place in a source_id.
func place(t *importers.Table, nameCol, codeCol string) (country, summary, key string, err error) {
	name, code := t.Text(nameCol), t.Get(codeCol)
	if model.IsCountryCode(code) {
		return code, "", code, nil
	}
	body := code
	if body == "" {
		body = name
	}
	if cc, ok := bodies[body]; ok {
		who := name
		if strings.EqualFold(name, "UNKNOWN") || name == "" {
			who = "an unknown requester (" + code + ")"
		}
		return cc, "Requested by " + who + "; the file gives no country.", name + " " + code, nil
	}
	return "", "", "", t.Errorf(codeCol, "%q is not a two-letter CLDR territory code", code)
}

func service(t *importers.Table, col string) (string, error) {
	p := t.Text(col)
	s, ok := products[p]
	if !ok {
		return "", t.Errorf(col, "unknown Google product %q; add it to the product table", p)
	}
	return s, nil
}

func reason(t *importers.Table, col string) (string, error) {
	v := t.Get(col)
	s, ok := reasons[strings.ToLower(v)]
	if !ok {
		return "", t.Errorf(col, "unknown Google reason %q; add it to the reason table", v)
	}
	return s, nil
}

func (rr *RemovalsReader) detailedRow() error {
	t := rr.t
	hy, err := importers.ParseHalfYearEnding(t.Get("Period Ending"), "2006-01-02")
	if err != nil {
		return t.Errorf("Period Ending", "%v", err)
	}
	country, summary, where, err := place(t, "Country/Region", "CLDR Territory Code")
	if err != nil {
		return err
	}
	svc, err := service(t, "Product")
	if err != nil {
		return err
	}
	why, err := reason(t, "Reason")
	if err != nil {
		return err
	}
	total, err := t.Int("Total")
	if err != nil {
		return err
	}
	d := &model.Demand{
		Meta:     model.Meta{Visibility: model.Public, Sources: []model.Source{rr.source(t.Line())}},
		Platform: Slug, Service: svc, Country: country, Granularity: "aggregate",
		PeriodStart: hy.Start(), PeriodEnd: hy.End(),
		Types: []string{"content_removal"}, Reason: why,
		RequestCount: model.ExactCount(total), Summary: summary,
		SourceID: importers.Key("google-removals-detailed", hy.String(), where,
			t.Text("Product"), t.Get("Reason")),
	}
	rr.rows.Push(importers.Item{Record: d, Line: t.Line(), Platform: Slug})
	return nil
}

func (rr *RemovalsReader) perRequestorRow() error {
	t := rr.t
	hy, err := importers.ParseHalfYearName(t.Get("time_period"))
	if err != nil {
		return t.Errorf("time_period", "%v", err)
	}
	country, summary, where, err := place(t, "country", "cldr_territory")
	if err != nil {
		return err
	}
	who, ok := requestors[t.Get("requestor")]
	if !ok {
		return t.Errorf("requestor", "unknown Google requestor %q; add it to the requestor table", t.Get("requestor"))
	}
	svc, err := service(t, "product")
	if err != nil {
		return err
	}
	why, err := reason(t, "reason")
	if err != nil {
		return err
	}
	n := map[string]int64{}
	for _, col := range perRequestorHeader[6:] {
		if n[col], err = t.Int(col); err != nil {
			return err
		}
	}
	requested := n["items_requested_removal"]
	var accounted int64
	for _, col := range perRequestorHeader[8:] {
		accounted += n[col]
	}
	if accounted != requested {
		return t.Errorf("items_requested_removal", "%d items requested but the outcome columns add up to %d", requested, accounted)
	}
	key := importers.Key("google-removals", hy.String(), where, t.Get("requestor"),
		t.Text("product"), t.Get("reason"))
	src := rr.source(t.Line())
	d := &model.Demand{
		Meta:     model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Platform: Slug, Service: svc, Country: country, Granularity: "aggregate",
		PeriodStart: hy.Start(), PeriodEnd: hy.End(),
		AuthorityType: who.AuthorityType, Channel: who.Channel,
		Types: []string{"content_removal"}, Reason: why,
		RequestCount: model.ExactCount(n["number_of_requests"]),
		Targets:      model.Targets{Items: model.ExactCount(requested)},
		Summary:      summary, SourceID: key,
	}
	c := model.ResponseCounts{
		ItemsRemovedLegal:     model.ExactCount(n["items_removed_legal"]),
		ItemsRemovedPolicy:    model.ExactCount(n["items_removed_policy"]),
		ItemsNotFound:         model.ExactCount(n["items_content_not_found"]),
		ItemsInsufficientInfo: model.ExactCount(n["items_not_enough_info"]),
		ItemsNoAction:         model.ExactCount(n["items_no_action_taken"]),
		ItemsAlreadyRemoved:   model.ExactCount(n["items_content_already_removed"]),
	}
	resp := &model.Response{
		Meta:   model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Demand: key, Platform: Slug, Country: country,
		Outcome:  removalOutcome(n, requested),
		Counts:   c,
		SourceID: key + ":response",
	}
	rr.rows.Push(importers.Item{Record: d, Line: t.Line(), Platform: Slug},
		importers.Item{Record: resp, Line: t.Line(), Platform: Slug, Parent: key})
	return nil
}

// removalOutcome sums up an aggregate row in one word; the counts carry
// the detail.
func removalOutcome(n map[string]int64, requested int64) string {
	legal, policy := n["items_removed_legal"], n["items_removed_policy"]
	switch removed := legal + policy; {
	case removed > 0 && removed == requested && legal == 0:
		return "restricted_under_terms"
	case removed > 0 && removed == requested:
		return "complied_full"
	case removed > 0:
		return "complied_partial"
	case n["items_content_not_found"] == requested:
		return "content_not_found"
	case n["items_not_enough_info"] == requested:
		return "insufficient_info"
	}
	return "no_action"
}
