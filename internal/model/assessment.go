package model

// Assessment is a platform's ICCPR Art. 19(3) three-part test of a demand
// before it decides whether to comply.
type Assessment struct {
	Meta
	Platform                 string   `json:"platform"`
	Demand                   string   `json:"demand,omitempty"`
	Legality                 Finding  `json:"legality"`
	LegitimateAim            Finding  `json:"legitimate_aim"`
	NecessityProportionality Finding  `json:"necessity_proportionality"`
	Aim                      string   `json:"aim"`
	RisksToUsers             string   `json:"risks_to_users,omitempty"`
	AlternativesConsidered   []string `json:"alternatives_considered,omitempty"`
	Consulted                []string `json:"consulted,omitempty"`
	Decision                 string   `json:"decision"`
	Rationale                string   `json:"rationale,omitempty"`
	SourceID                 string   `json:"source_id,omitempty"`
}

// Finding is one part of the three-part test.
type Finding struct {
	Result    string `json:"result"`
	Rationale string `json:"rationale,omitempty"`
}

var (
	FindingResults = NewEnum("meets", "fails", "unclear")
	Aims           = NewEnum("rights_of_others", "national_security", "public_order", "public_health", "public_morals", "none_stated")
	Alternatives   = NewEnum("narrow_scope", "geo_restrict", "challenge", "notify_user", "publish_demand", "delay_for_review")
)

func (*Assessment) Collection() string { return "assessments" }

func (a *Assessment) Validate(v *Validator) {
	validateMeta(v, &a.Meta)
	v.Required("platform", a.Platform)
	v.Enum("legality.result", a.Legality.Result, FindingResults)
	v.Enum("legitimate_aim.result", a.LegitimateAim.Result, FindingResults)
	v.Enum("necessity_proportionality.result", a.NecessityProportionality.Result, FindingResults)
	v.Enum("aim", a.Aim, Aims)
	v.Enums("alternatives_considered", a.AlternativesConsidered, Alternatives)
	v.Enum("decision", a.Decision, Outcomes)
}

func (a *Assessment) Index() Index {
	return Index{Owner: a.Platform, Platform: a.Platform, Ref: a.Demand, Types: []string{a.Decision}, SourceID: a.SourceID,
		Text: []string{a.RisksToUsers, a.Rationale}}
}

// Plan is a platform's contingency plan for a sensitive period.
type Plan struct {
	Meta
	Platform string   `json:"platform"`
	Country  string   `json:"country"`
	Period   string   `json:"period,omitempty"`
	Measures []string `json:"measures"`
	Status   string   `json:"status"`
	SourceID string   `json:"source_id,omitempty"`
}

var PlanStatuses = NewEnum("draft", "active", "completed", "withdrawn")

func (*Plan) Collection() string { return "plans" }

func (p *Plan) Validate(v *Validator) {
	validateMeta(v, &p.Meta)
	v.Required("platform", p.Platform)
	v.Country("country", p.Country, true)
	if len(p.Measures) == 0 {
		v.Add("measures", "needs at least one measure")
	}
	v.Enum("status", p.Status, PlanStatuses)
}

func (p *Plan) Index() Index {
	return Index{Owner: p.Platform, Platform: p.Platform, Country: p.Country, Ref: p.Period, Types: []string{p.Status},
		SourceID: p.SourceID, Text: p.Measures}
}
