package cases

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// Party is a side of a case. Nobody else, not even an administrator of the
// server, reads or moves a case.
type Party string

const (
	Filer    Party = "filer"    // the civil-society group that filed it
	Platform Party = "platform" // the platform it is addressed to
)

// PartyOf says which side an organisation is on, or "" if neither.
func PartyOf(c *model.Case, org string) Party {
	switch {
	case org == "":
		return ""
	case org == c.FiledBy:
		return Filer
	case org == c.AddressedTo:
		return Platform
	}
	return ""
}

// transitions lists, for each status, the statuses it may move to and the
// parties who may move it there. Only the filer can call a case resolved, so
// a platform cannot improve its own figures; only the platform can answer.
var transitions = map[string]map[string][]Party{
	"filed": {
		"acknowledged": {Platform}, "in_review": {Platform}, "responded": {Platform},
		"escalated": {Filer}, "closed_unresolved": {Filer},
	},
	"acknowledged": {
		"in_review": {Platform}, "responded": {Platform},
		"escalated": {Filer}, "closed_unresolved": {Filer, Platform},
	},
	"in_review": {
		"responded": {Platform}, "escalated": {Filer}, "closed_unresolved": {Filer, Platform},
	},
	"responded": {
		"resolved": {Filer}, "in_review": {Filer, Platform}, "escalated": {Filer},
		"closed_unresolved": {Filer, Platform},
	},
	"escalated": {
		"acknowledged": {Platform}, "in_review": {Platform}, "responded": {Platform},
		"resolved": {Filer}, "closed_unresolved": {Filer, Platform},
	},
	"resolved":          {},
	"closed_unresolved": {},
}

// Next lists the statuses a party may move a case to from its status.
func Next(status string, p Party) []string {
	var out []string
	for to, who := range transitions[status] {
		if slices.Contains(who, p) {
			out = append(out, to)
		}
	}
	slices.Sort(out)
	return out
}

// TransitionError says why a status change is refused. Forbidden is set
// when the change exists but this party may not make it.
type TransitionError struct {
	From, To, Why string
	Forbidden     bool
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("status %s → %s: %s", e.From, e.To, e.Why)
}

// Move changes the status of c on behalf of an organisation, at a time, and
// starts or stops the clocks that change implies.
func Move(c *model.Case, to, org string, at time.Time) error {
	p := PartyOf(c, org)
	if p == "" {
		return &TransitionError{c.Status, to, "only the filing group and the addressed platform may change a case", true}
	}
	if !model.CaseStatuses.Has(to) {
		return &TransitionError{From: c.Status, To: to, Why: fmt.Sprintf("unknown status; one of %s", model.CaseStatuses)}
	}
	who, ok := transitions[c.Status][to]
	switch {
	case to == c.Status:
		return &TransitionError{From: c.Status, To: to, Why: "the case already has this status"}
	case !ok:
		return &TransitionError{From: c.Status, To: to, Why: fmt.Sprintf("not allowed; from %s a case may go to %v", c.Status, slices.Sorted(maps.Keys(transitions[c.Status])))}
	case !slices.Contains(who, p):
		return &TransitionError{c.Status, to, fmt.Sprintf("only the %s may make this change", who[0]), true}
	}
	at = at.UTC()
	if p == Platform && c.AcknowledgedAt == nil {
		c.AcknowledgedAt = &at
	}
	if to == "responded" && c.FirstResponseAt == nil {
		c.FirstResponseAt = &at
	}
	if to == "resolved" || to == "closed_unresolved" {
		c.ResolvedAt = &at
	}
	c.Status = to
	c.History = append(c.History, model.CaseStatusChange{Status: to, At: at, By: org})
	return nil
}

// AddMessage appends a sealed message from one side. A platform's first
// message acknowledges the case and is its first response.
func AddMessage(c *model.Case, org, sealed string, at time.Time) error {
	p := PartyOf(c, org)
	if p == "" {
		return fmt.Errorf("only the filing group and the addressed platform may write to a case")
	}
	if c.Status == "resolved" || c.Status == "closed_unresolved" {
		return fmt.Errorf("the case is %s; file a new case that names it in related", c.Status)
	}
	if problem := model.CheckAgeCiphertext(sealed); problem != "" {
		return fmt.Errorf("message %s", problem)
	}
	at = at.UTC()
	if p == Platform {
		if c.AcknowledgedAt == nil {
			c.AcknowledgedAt = &at
		}
		if c.FirstResponseAt == nil {
			c.FirstResponseAt = &at
		}
	}
	c.Messages = append(c.Messages, model.CaseMessage{From: org, At: at, Sealed: sealed})
	return nil
}

// RecipientsError names a key the filing group may not send a case to.
type RecipientsError struct {
	Index int
	Key   string
	Why   string
}

func (e *RecipientsError) Error() string {
	if e.Index < 0 {
		return e.Why
	}
	return fmt.Sprintf("recipients[%d] %s: %s", e.Index, e.Key, e.Why)
}

// CheckRecipients enforces that a case reaches only keys its two parties
// published: the filer's own, the platform's case handlers, and the
// platform's country office only with the filer's consent. At least one
// platform key must be there, or nobody could answer.
func CheckRecipients(c *model.Case, filer, platform *model.Organisation) error {
	platformKeys := 0
	for i, k := range c.Recipients {
		switch {
		case slices.Contains(platform.Recipients, k):
			platformKeys++
		case slices.Contains(platform.CountryOfficeRecipients, k):
			if !c.ShareWithCountryOffice {
				return &RecipientsError{i, k, "is a key of the platform's country office; set share_with_country_office to consent"}
			}
			platformKeys++
		case slices.Contains(filer.Recipients, k):
		default:
			return &RecipientsError{i, k, "is published neither by the filing group nor by the platform"}
		}
	}
	if platformKeys == 0 {
		return &RecipientsError{-1, "", "recipients: no key of the platform's case handlers; the platform could not read the case"}
	}
	return nil
}
