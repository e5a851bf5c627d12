package model

// Law is a law, decree, regulation, ruling or order, with its history.
type Law struct {
	Meta
	Country      string      `json:"country"`
	Title        string      `json:"title"`
	TitleEnglish string      `json:"title_en,omitempty"`
	ShortName    string      `json:"short_name,omitempty"`
	Kind         string      `json:"kind"`
	Timeline     []LawStatus `json:"timeline,omitempty"`
	Amends       []string    `json:"amends,omitempty"`
	Provisions   []Provision `json:"provisions,omitempty"`
	SourceID     string      `json:"source_id,omitempty"`
}

// LawStatus is one step in a law's life.
type LawStatus struct {
	Status string  `json:"status"`
	Date   Date    `json:"date"`
	Source *Source `json:"source,omitempty"`
}

// Provision is an article of a law, tagged with what it empowers.
type Provision struct {
	Article string           `json:"article"`
	Summary string           `json:"summary,omitempty"`
	Tags    []string         `json:"tags,omitempty"`
	Params  *ProvisionParams `json:"params,omitempty"`
}

// ProvisionParams are the figures a provision sets.
type ProvisionParams struct {
	DeadlineHours   *float64 `json:"deadline_hours,omitempty"`
	ThrottlePercent *float64 `json:"throttle_percent,omitempty"`
	FineAmount      *float64 `json:"fine_amount,omitempty"`
	Currency        string   `json:"currency,omitempty"`
	PrisonYearsMax  *float64 `json:"prison_years_max,omitempty"`
	UserThreshold   *int64   `json:"user_threshold,omitempty"`
}

var (
	LawKinds      = NewEnum("law", "decree", "regulation", "court_ruling", "executive_order")
	LawStatuses   = NewEnum("proposed", "adopted", "published", "in_force", "amended", "suspended", "annulled", "repealed")
	ProvisionTags = NewEnum("content_takedown", "takedown_deadline", "user_data_disclosure", "data_localisation",
		"local_representative", "bandwidth_throttling", "advertising_ban", "fines", "criminal_speech_offence",
		"account_verification", "blocking_power", "shutdown_power", "transparency_duty", "encryption_restriction")
)

func (*Law) Collection() string { return "laws" }

func (l *Law) Validate(v *Validator) {
	validateMeta(v, &l.Meta)
	v.Country("country", l.Country, true)
	v.Required("title", l.Title)
	v.Enum("kind", l.Kind, LawKinds)
	for i, s := range l.Timeline {
		f := v.Index("timeline", i)
		v.Enum(f+".status", s.Status, LawStatuses)
		if s.Date == "" {
			v.Add(f+".date", "is required")
		}
	}
	for i, p := range l.Provisions {
		f := v.Index("provisions", i)
		v.Required(f+".article", p.Article)
		v.Enums(f+".tags", p.Tags, ProvisionTags)
		if p.Params != nil {
			if tp := p.Params.ThrottlePercent; tp != nil && (*tp < 0 || *tp > 100) {
				v.Add(f+".params.throttle_percent", "must be between 0 and 100")
			}
			if p.Params.FineAmount != nil && p.Params.Currency == "" {
				v.Add(f+".params.currency", "is required with fine_amount")
			}
		}
	}
}

// Status returns the latest status on or before day d ("" if none).
func (l *Law) Status(d Date) string {
	st := ""
	var at Date
	for _, s := range l.Timeline {
		if s.Date <= d && s.Date >= at {
			st, at = s.Status, s.Date
		}
	}
	return st
}

// Tags lists every provision tag of the law once.
func (l *Law) Tags() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range l.Provisions {
		for _, t := range p.Tags {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

func (l *Law) Index() Index {
	ix := Index{Country: l.Country, Types: append([]string{l.Kind}, l.Tags()...), SourceID: l.SourceID,
		Text: []string{l.Title, l.TitleEnglish, l.ShortName}}
	for _, p := range l.Provisions {
		ix.Text = append(ix.Text, p.Article, p.Summary)
	}
	var first Date
	for _, s := range l.Timeline {
		if first == "" || s.Date < first {
			first = s.Date
		}
	}
	if first != "" {
		ix.Start = timePtr(first.Time())
	}
	return ix
}
