package model

// Period is a sensitive period: an election, a protest, an anniversary…
// when pressure on platforms tends to rise.
type Period struct {
	Meta
	Country  string `json:"country"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	StartsOn Date   `json:"starts_on"`
	EndsOn   Date   `json:"ends_on"`
	Summary  string `json:"summary,omitempty"`
	SourceID string `json:"source_id,omitempty"`
}

var PeriodKinds = NewEnum("election", "referendum", "protest", "anniversary", "conflict", "disaster", "other")

func (*Period) Collection() string { return "periods" }

func (p *Period) Validate(v *Validator) {
	validateMeta(v, &p.Meta)
	v.Country("country", p.Country, true)
	v.Enum("kind", p.Kind, PeriodKinds)
	v.Required("title", p.Title)
	if p.StartsOn == "" {
		v.Add("starts_on", "is required")
	}
	if p.EndsOn == "" {
		v.Add("ends_on", "is required")
	} else if p.EndsOn < p.StartsOn {
		v.Add("ends_on", "must not be before starts_on")
	}
}

func (p *Period) Index() Index {
	return Index{Country: p.Country, Types: []string{p.Kind}, SourceID: p.SourceID,
		Start: timePtr(p.StartsOn.Time()), End: timePtr(p.EndsOn.Time()), Text: []string{p.Title, p.Summary}}
}
