package model

import "time"

// Response is a platform's answer to a demand.
type Response struct {
	Meta
	Demand   string `json:"demand"`
	Platform string `json:"platform"`
	// Country is the demand's, copied by the registry so lists can filter on it.
	Country          string         `json:"country,omitempty"`
	Outcome          string         `json:"outcome"`
	DecidedAt        *time.Time     `json:"decided_at,omitempty"`
	Counts           ResponseCounts `json:"counts"`
	TerritorialScope []string       `json:"territorial_scope,omitempty"`
	Pushback         []Pushback     `json:"pushback,omitempty"`
	UserNotified     string         `json:"user_notified,omitempty"`
	Assessment       string         `json:"assessment,omitempty"`
	Statement        string         `json:"statement,omitempty"`
	PublishedAt      *time.Time     `json:"published_at,omitempty"`
	SourceID         string         `json:"source_id,omitempty"`

	// demandRequested is what the demand asked for, set by the registry so
	// that an outcome without counts still says how much was actioned.
	demandRequested *Count
}

// SetDemandRequested tells the response what its demand requested.
func (r *Response) SetDemandRequested(c *Count) { r.demandRequested = c }

// ResponseCounts are the figures a platform reports for its answer.
type ResponseCounts struct {
	ItemsRemovedLegal        *Count `json:"items_removed_legal,omitempty"`
	ItemsRemovedPolicy       *Count `json:"items_removed_policy,omitempty"`
	ItemsNotFound            *Count `json:"items_not_found,omitempty"`
	ItemsInsufficientInfo    *Count `json:"items_insufficient_info,omitempty"`
	ItemsNoAction            *Count `json:"items_no_action,omitempty"`
	ItemsAlreadyRemoved      *Count `json:"items_already_removed,omitempty"`
	AccountsWithheld         *Count `json:"accounts_withheld,omitempty"`
	ContentWithheld          *Count `json:"content_withheld,omitempty"`
	RequestsSomeDataProduced *Count `json:"requests_some_data_produced,omitempty"`
}

// Pushback is one way a platform resisted a demand.
type Pushback struct {
	Kind   string `json:"kind"`
	Result string `json:"result,omitempty"`
}

var (
	Outcomes = NewEnum("complied_full", "complied_partial", "geo_restricted", "restricted_under_terms", "rejected",
		"challenged_in_court", "no_action", "content_not_found", "insufficient_info", "pending")
	PushbackKinds = NewEnum("clarification", "narrowed", "court_challenge", "regulator_appeal", "public_statement")
	UserNotified  = NewEnum("yes", "no", "barred_by_law", "unknown")
)

func (*Response) Collection() string { return "responses" }

func (r *Response) Validate(v *Validator) {
	validateMeta(v, &r.Meta)
	v.Required("demand", r.Demand)
	v.Required("platform", r.Platform)
	v.Enum("outcome", r.Outcome, Outcomes)
	if r.UserNotified == "" {
		r.UserNotified = "unknown"
	}
	v.Enum("user_notified", r.UserNotified, UserNotified)
	for i, p := range r.Pushback {
		v.Enum(v.Index("pushback", i)+".kind", p.Kind, PushbackKinds)
	}
	for i, s := range r.TerritorialScope {
		if s != "GLOBAL" && !IsCountryCode(s) {
			v.Add(v.Index("territorial_scope", i), "%q is neither an ISO 3166-1 alpha-2 code nor GLOBAL", s)
		}
	}
	c := &r.Counts
	for name, n := range map[string]*Count{
		"items_removed_legal": c.ItemsRemovedLegal, "items_removed_policy": c.ItemsRemovedPolicy,
		"items_not_found": c.ItemsNotFound, "items_insufficient_info": c.ItemsInsufficientInfo,
		"items_no_action": c.ItemsNoAction, "items_already_removed": c.ItemsAlreadyRemoved,
		"accounts_withheld": c.AccountsWithheld, "content_withheld": c.ContentWithheld,
		"requests_some_data_produced": c.RequestsSomeDataProduced,
	} {
		n.validate(v, "counts."+name)
	}
}

// Actioned is what counts as compliance: items removed for legal or policy
// reasons or withheld; for data demands, requests where data was produced.
// Without counts, the outcome decides: full compliance actioned all that
// was requested, a refusal nothing, and anything else is unknown.
func (r *Response) Actioned() *Count {
	c := r.Counts
	var sum *Count
	for _, n := range []*Count{c.ItemsRemovedLegal, c.ItemsRemovedPolicy, c.ContentWithheld} {
		sum = sum.Add(n)
	}
	if sum == nil {
		sum = c.RequestsSomeDataProduced
	}
	if sum != nil {
		return sum
	}
	switch r.Outcome {
	case "complied_full", "geo_restricted", "restricted_under_terms":
		if r.demandRequested != nil {
			cp := *r.demandRequested
			return &cp
		}
	case "rejected", "challenged_in_court", "no_action", "content_not_found", "insufficient_info":
		return ExactCount(0)
	}
	return nil
}

func (r *Response) Index() Index {
	ix := Index{Owner: r.Platform, Country: r.Country, Platform: r.Platform, Types: []string{r.Outcome}, Ref: r.Demand,
		SourceID: r.SourceID, Text: []string{r.Statement}}
	if r.DecidedAt != nil {
		ix.Start = timePtr(*r.DecidedAt)
	} else if r.PublishedAt != nil {
		ix.Start = timePtr(*r.PublishedAt)
	}
	ix.Facts = &Facts{Actioned: r.Actioned()}
	return ix
}
