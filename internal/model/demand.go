package model

import "time"

// Demand is a government demand to a platform: one order, or an aggregate
// of many as published in a transparency report.
type Demand struct {
	Meta
	Platform      string       `json:"platform"`
	Service       string       `json:"service,omitempty"`
	Country       string       `json:"country"`
	Granularity   string       `json:"granularity"`
	ReceivedAt    *time.Time   `json:"received_at,omitempty"`
	PeriodStart   Date         `json:"period_start,omitempty"`
	PeriodEnd     Date         `json:"period_end,omitempty"`
	Authority     string       `json:"authority,omitempty"`
	AuthorityType string       `json:"authority_type,omitempty"`
	Channel       string       `json:"channel,omitempty"`
	Types         []string     `json:"types"`
	LegalBasis    []LegalBasis `json:"legal_basis,omitempty"`
	Reason        string       `json:"reason,omitempty"`
	// RequestCount is how many demands an aggregate row stands for (1 when individual).
	RequestCount *Count        `json:"request_count,omitempty"`
	Targets      Targets       `json:"targets"`
	Deadline     *time.Time    `json:"deadline,omitempty"`
	GagOrder     bool          `json:"gag_order,omitempty"`
	Threats      []string      `json:"threats,omitempty"`
	ThreatDetail *ThreatDetail `json:"threat_detail,omitempty"`
	Documents    []Document    `json:"documents,omitempty"`
	Summary      string        `json:"summary,omitempty"`
	SourceID     string        `json:"source_id,omitempty"`
}

// LegalBasis cites the law a demand invokes.
type LegalBasis struct {
	Law       string `json:"law,omitempty"`
	Provision string `json:"provision,omitempty"`
	Text      string `json:"text,omitempty"`
}

// Targets counts what a demand asks to act on.
type Targets struct {
	Items    *Count `json:"items,omitempty"`
	Accounts *Count `json:"accounts,omitempty"`
	URLs     *Count `json:"urls,omitempty"`
}

// ThreatDetail gives the figures of a threat.
type ThreatDetail struct {
	ThrottlePercent *float64 `json:"throttle_percent,omitempty"`
	FineAmount      *float64 `json:"fine_amount,omitempty"`
	Currency        string   `json:"currency,omitempty"`
	Text            string   `json:"text,omitempty"`
}

// Document is an order or letter, referenced by hash; its file is kept apart.
type Document struct {
	SHA256     string     `json:"sha256"`
	Visibility Visibility `json:"visibility,omitempty"`
	Redacted   bool       `json:"redacted,omitempty"`
	Title      string     `json:"title,omitempty"`
}

var (
	Granularities = NewEnum("individual", "aggregate")
	Channels      = NewEnum("court_order", "administrative_order", "formal_legal_process", "emergency", "informal",
		"government_flagging", "other")
	DemandTypes = NewEnum("content_removal", "geo_withholding", "account_restriction", "user_data_disclosure",
		"preservation", "realtime_access", "throttling", "blocking_or_shutdown", "local_presence_or_localisation", "other")
	Reasons = NewEnum("government_criticism", "national_security", "defamation", "privacy_and_security", "hate_speech",
		"religious_offense", "electoral_law", "obscenity_nudity", "violence", "drug_abuse", "regulated_goods_services",
		"fraud", "impersonation", "copyright", "trademark", "geographical_dispute", "business_complaints",
		"suicide_promotion", "adult_content", "bullying_harassment", "terrorism", "disinformation", "other", "not_specified")
	Threats = NewEnum("fine", "advertising_ban", "bandwidth_throttling", "blocking", "staff_liability",
		"criminal_prosecution", "licence_revocation")
)

func (*Demand) Collection() string { return "demands" }

func (d *Demand) Validate(v *Validator) {
	validateMeta(v, &d.Meta)
	v.Required("platform", d.Platform)
	v.Country("country", d.Country, true)
	v.Enum("granularity", d.Granularity, Granularities)
	switch d.Granularity {
	case "individual":
		if d.ReceivedAt == nil {
			v.Add("received_at", "is required for an individual demand")
		}
		if d.RequestCount == nil {
			d.RequestCount = ExactCount(1)
		}
	case "aggregate":
		if d.PeriodStart == "" {
			v.Add("period_start", "is required for an aggregate demand")
		}
		if d.PeriodEnd == "" {
			v.Add("period_end", "is required for an aggregate demand")
		}
		if d.PeriodStart != "" && d.PeriodEnd != "" && d.PeriodEnd < d.PeriodStart {
			v.Add("period_end", "must not be before period_start")
		}
	}
	if d.Authority == "" && d.AuthorityType == "" {
		d.AuthorityType = "unknown"
	}
	v.OptionalEnum("authority_type", d.AuthorityType, AuthorityTypes)
	v.OptionalEnum("channel", d.Channel, Channels)
	if len(d.Types) == 0 {
		v.Add("types", "needs at least one of %s", DemandTypes)
	}
	v.Enums("types", d.Types, DemandTypes)
	if d.Reason == "" {
		d.Reason = "not_specified"
	}
	v.Enum("reason", d.Reason, Reasons)
	v.Enums("threats", d.Threats, Threats)
	d.RequestCount.validate(v, "request_count")
	d.Targets.Items.validate(v, "targets.items")
	d.Targets.Accounts.validate(v, "targets.accounts")
	d.Targets.URLs.validate(v, "targets.urls")
	if t := d.ThreatDetail; t != nil && t.ThrottlePercent != nil && (*t.ThrottlePercent < 0 || *t.ThrottlePercent > 100) {
		v.Add("threat_detail.throttle_percent", "must be between 0 and 100")
	}
	for i, doc := range d.Documents {
		f := v.Index("documents", i)
		if !isHex(doc.SHA256, 64) {
			v.Add(f+".sha256", "must be 64 lowercase hex digits")
		}
		v.OptionalEnum(f+".visibility", string(doc.Visibility), visibilities)
	}
	if d.ReceivedAt != nil {
		t := d.ReceivedAt.UTC()
		d.ReceivedAt = &t
	}
}

// When is the moment a demand is placed on a time axis.
func (d *Demand) When() time.Time {
	if d.ReceivedAt != nil {
		return d.ReceivedAt.UTC()
	}
	return d.PeriodStart.Time()
}

func (d *Demand) Index() Index {
	ix := Index{Owner: d.Platform, Country: d.Country, Platform: d.Platform, Types: d.Types,
		SourceID: d.SourceID, Text: []string{d.Service, d.Summary, d.Reason}}
	ix.Start = timePtr(d.When())
	if d.PeriodEnd != "" {
		ix.End = timePtr(d.PeriodEnd.Time())
	} else {
		ix.End = ix.Start
	}
	for _, lb := range d.LegalBasis {
		ix.Text = append(ix.Text, lb.Provision, lb.Text)
	}
	ix.Facts = &Facts{Granularity: d.Granularity, Reason: d.Reason, AuthorityType: d.AuthorityType,
		Requests: d.RequestCount, Requested: d.requested()}
	return ix
}

// requested is what compliance is measured against: items for removals,
// the number of requests for data demands that name no items.
func (d *Demand) requested() *Count {
	if d.Targets.Items != nil {
		return d.Targets.Items
	}
	return d.RequestCount
}
