package model

// Organisation is a platform, a civil-society group, a government body that
// is not an authority, a research group or a medium.
type Organisation struct {
	Meta
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Country      string   `json:"country,omitempty"`
	PlatformType string   `json:"platform_type,omitempty"`
	Services     []string `json:"services,omitempty"`
	// Recipients are age X25519 public keys that sealed cases are encrypted to.
	Recipients []string `json:"recipients,omitempty"`
	// CountryOfficeRecipients are keys of staff in a country office; cases
	// reach them only with the filing group's consent.
	CountryOfficeRecipients []string     `json:"country_office_recipients,omitempty"`
	CaseTargets             *CaseTargets `json:"case_targets,omitempty"`
	Website                 string       `json:"website,omitempty"`
	// Slug is a short stable name used by importers and URLs ("google").
	Slug string `json:"slug,omitempty"`
}

var (
	OrganisationKinds = NewEnum("platform", "civil_society", "government", "multistakeholder", "research", "media")
	PlatformTypes     = NewEnum("social_media", "search", "messaging", "video", "telecom", "cloud", "app_store", "other")
)

func (*Organisation) Collection() string { return "organisations" }

func (o *Organisation) Validate(v *Validator) {
	validateMeta(v, &o.Meta)
	v.Required("name", o.Name)
	v.Enum("kind", o.Kind, OrganisationKinds)
	v.Country("country", o.Country, false)
	if o.Kind == "platform" {
		v.Enum("platform_type", o.PlatformType, PlatformTypes)
	} else {
		v.OptionalEnum("platform_type", o.PlatformType, PlatformTypes)
	}
	for i, r := range o.Recipients {
		if len(r) < 10 || r[:4] != "age1" {
			v.Add(v.Index("recipients", i), "must be an age X25519 public key (age1...)")
		}
	}
	validateCaseKeys(v, o)
}

func (o *Organisation) Index() Index {
	ix := Index{Owner: o.ID, Country: o.Country, Types: []string{o.Kind}, SourceID: o.Slug,
		Text: append([]string{o.Name, o.Slug}, o.Services...)}
	if o.Kind == "platform" {
		ix.Platform = o.ID
	}
	return ix
}
