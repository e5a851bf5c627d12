package cases

import (
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

// DefaultTargets apply to a platform that has published none for an
// urgency. An emergency is a risk to someone's safety: an hour to
// acknowledge, a day to answer.
var DefaultTargets = model.CaseTargets{
	Emergency: &model.CaseTarget{AcknowledgeHours: 1, RespondHours: 24, ResolveHours: 72},
	Urgent:    &model.CaseTarget{AcknowledgeHours: 24, RespondHours: 72, ResolveHours: 14 * 24},
	Routine:   &model.CaseTarget{AcknowledgeHours: 72, RespondHours: 14 * 24, ResolveHours: 30 * 24},
}

// TargetFor is the platform's published target for an urgency, or the
// default.
func TargetFor(published *model.CaseTargets, urgency string) model.CaseTarget {
	if t := published.Target(urgency); t != nil {
		return *t
	}
	if t := DefaultTargets.Target(urgency); t != nil {
		return *t
	}
	return *DefaultTargets.Routine
}

// Milestone is one of the three clocks of a case.
type Milestone string

const (
	Acknowledge Milestone = "acknowledge"
	Respond     Milestone = "respond"
	Resolve     Milestone = "resolve"
)

// Milestones in the order a case reaches them.
var Milestones = []Milestone{Acknowledge, Respond, Resolve}

// Clock is the state of one milestone of a case.
type Clock struct {
	Milestone Milestone  `json:"milestone"`
	Due       time.Time  `json:"due"`
	Reached   *time.Time `json:"reached,omitempty"`
	// Overdue: reached after Due, or not reached and Due has passed.
	Overdue bool `json:"overdue"`
	// Stopped: the case was closed before the milestone was reached, so it
	// no longer runs.
	Stopped bool `json:"stopped,omitempty"`
}

// Clocks gives the three clocks of a case at a moment.
func Clocks(c *model.Case, published *model.CaseTargets, now time.Time) []Clock {
	t := TargetFor(published, c.Urgency)
	hours := map[Milestone]float64{Acknowledge: t.AcknowledgeHours, Respond: t.RespondHours, Resolve: t.ResolveHours}
	out := make([]Clock, 0, 3)
	for _, m := range Milestones {
		k := Clock{Milestone: m, Due: c.FiledAt.Add(time.Duration(hours[m] * float64(time.Hour))).UTC()}
		k.Reached = reached(c, m)
		switch {
		case k.Reached != nil:
			k.Overdue = k.Reached.After(k.Due)
		case c.ResolvedAt != nil:
			// Closed unresolved before this milestone: late only if it was
			// already late when the case was closed.
			k.Stopped = true
			k.Overdue = c.ResolvedAt.After(k.Due)
		default:
			k.Overdue = now.After(k.Due)
		}
		out = append(out, k)
	}
	return out
}

func reached(c *model.Case, m Milestone) *time.Time {
	switch m {
	case Acknowledge:
		return c.AcknowledgedAt
	case Respond:
		return c.FirstResponseAt
	case Resolve:
		if c.Status == "resolved" {
			return c.ResolvedAt
		}
	}
	return nil
}

// Overdue says whether any clock of the case is or ran late.
func Overdue(c *model.Case, published *model.CaseTargets, now time.Time) bool {
	for _, k := range Clocks(c, published, now) {
		if k.Overdue {
			return true
		}
	}
	return false
}

// Reminder tells one side of a case that something is due of it.
type Reminder struct {
	To        Party     `json:"to"`
	Milestone Milestone `json:"milestone,omitempty"`
	Due       time.Time `json:"due"`
	Overdue   bool      `json:"overdue"`
	Message   string    `json:"message"`
}

// FollowUpAfter is how long a responded case may wait for the filing
// group's word before it is reminded to confirm or reopen it.
const FollowUpAfter = 7 * 24 * time.Hour

// Reminders lists what each side should be told about a case now: the
// platform of clocks that are overdue or in their last quarter, both sides
// of overdue clocks, and the filer of a response waiting for its follow-up.
func Reminders(c *model.Case, published *model.CaseTargets, now time.Time) []Reminder {
	if c.Status == "resolved" || c.Status == "closed_unresolved" {
		return nil
	}
	var out []Reminder
	for _, k := range Clocks(c, published, now) {
		if k.Reached != nil || k.Stopped {
			continue
		}
		window := k.Due.Sub(c.FiledAt)
		switch {
		case k.Overdue:
			msg := "overdue: " + string(k.Milestone) + " was due " + k.Due.Format(time.RFC3339)
			out = append(out, Reminder{To: Platform, Milestone: k.Milestone, Due: k.Due, Overdue: true, Message: msg},
				Reminder{To: Filer, Milestone: k.Milestone, Due: k.Due, Overdue: true, Message: msg})
		case k.Due.Sub(now) <= window/4:
			out = append(out, Reminder{To: Platform, Milestone: k.Milestone, Due: k.Due,
				Message: string(k.Milestone) + " due " + k.Due.Format(time.RFC3339)})
		}
	}
	if c.Status == "responded" {
		since := lastChange(c)
		if due := since.Add(FollowUpAfter); !now.Before(due) {
			out = append(out, Reminder{To: Filer, Due: due,
				Message: "the platform responded; confirm the case resolved, reopen it, or escalate it"})
		}
	}
	return out
}

func lastChange(c *model.Case) time.Time {
	if n := len(c.History); n > 0 {
		return c.History[n-1].At
	}
	if c.FirstResponseAt != nil {
		return *c.FirstResponseAt
	}
	return c.FiledAt
}
