package model

// Authority is a state body that makes demands.
type Authority struct {
	Meta
	Country      string `json:"country"`
	Name         string `json:"name"`
	NameEnglish  string `json:"name_en,omitempty"`
	Type         string `json:"type"`
	Abbreviation string `json:"abbreviation,omitempty"`
	SourceID     string `json:"source_id,omitempty"`
}

var AuthorityTypes = NewEnum("court", "prosecutor", "police", "ict_regulator", "ministry", "data_protection",
	"electoral", "military", "intelligence", "government_official", "other", "unknown")

func (*Authority) Collection() string { return "authorities" }

func (a *Authority) Validate(v *Validator) {
	validateMeta(v, &a.Meta)
	v.Country("country", a.Country, true)
	v.Required("name", a.Name)
	v.Enum("type", a.Type, AuthorityTypes)
}

func (a *Authority) Index() Index {
	return Index{Country: a.Country, Types: []string{a.Type}, SourceID: a.SourceID,
		Text: []string{a.Name, a.NameEnglish, a.Abbreviation}}
}
