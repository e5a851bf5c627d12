package cases

import (
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

func at(d time.Duration) *time.Time { x := t0.Add(d); return &x }

func TestClocksEmergencyDefault(t *testing.T) {
	c := newCase("emergency")
	// 59 minutes in: nothing late, the acknowledgement is in its last quarter.
	now := t0.Add(59 * time.Minute)
	ks := Clocks(c, nil, now)
	if ks[0].Due != t0.Add(time.Hour) || ks[1].Due != t0.Add(24*time.Hour) || ks[2].Due != t0.Add(72*time.Hour) {
		t.Fatalf("dues %v %v %v", ks[0].Due, ks[1].Due, ks[2].Due)
	}
	if Overdue(c, nil, now) {
		t.Error("overdue before the hour")
	}
	rs := Reminders(c, nil, now)
	if len(rs) != 1 || rs[0].To != Platform || rs[0].Milestone != Acknowledge || rs[0].Overdue {
		t.Errorf("reminders at 59m: %+v", rs)
	}
	// 61 minutes in: late, and both sides hear of it.
	now = t0.Add(61 * time.Minute)
	if !Overdue(c, nil, now) {
		t.Error("not overdue after the hour")
	}
	rs = Reminders(c, nil, now)
	if len(rs) != 2 || !rs[0].Overdue || rs[0].To != Platform || rs[1].To != Filer {
		t.Errorf("reminders at 61m: %+v", rs)
	}
}

func TestClocksPublishedTargets(t *testing.T) {
	published := &model.CaseTargets{Emergency: &model.CaseTarget{AcknowledgeHours: 4, RespondHours: 48, ResolveHours: 96}}
	c := newCase("emergency")
	c.AcknowledgedAt = at(3 * time.Hour) // late by the default, in time by the platform's own word
	if Overdue(c, nil, t0.Add(3*time.Hour)) != true {
		t.Error("default target: 3h acknowledgement should be late")
	}
	if Overdue(c, published, t0.Add(3*time.Hour)) {
		t.Error("published 4h target: 3h acknowledgement is in time")
	}
	// Urgencies the platform did not publish fall back to the defaults.
	if got := TargetFor(published, "routine"); got != *DefaultTargets.Routine {
		t.Errorf("routine fallback %+v", got)
	}
}

func TestClocksReachedLateStaysLate(t *testing.T) {
	c := newCase("urgent") // 24h / 72h / 14d
	c.AcknowledgedAt = at(30 * time.Hour)
	c.FirstResponseAt = at(40 * time.Hour)
	ks := Clocks(c, nil, t0.Add(41*time.Hour))
	if !ks[0].Overdue || ks[1].Overdue || ks[2].Overdue {
		t.Errorf("clocks %+v", ks)
	}
}

func TestClocksStopWhenClosed(t *testing.T) {
	c := newCase("routine") // 72h / 14d / 30d
	c.Status = "closed_unresolved"
	c.AcknowledgedAt = at(time.Hour)
	c.ResolvedAt = at(48 * time.Hour)
	ks := Clocks(c, nil, t0.Add(365*24*time.Hour))
	if !ks[1].Stopped || ks[1].Overdue || ks[2].Overdue || ks[2].Reached != nil {
		t.Errorf("closed case clocks kept running: %+v", ks)
	}
	if Reminders(c, nil, t0.Add(365*24*time.Hour)) != nil {
		t.Error("reminders for a closed case")
	}
	// Closed after the response was already due: that lateness stays.
	c.ResolvedAt = at(15 * 24 * time.Hour)
	if ks := Clocks(c, nil, t0.Add(365*24*time.Hour)); !ks[1].Overdue {
		t.Errorf("late before closing, yet not overdue: %+v", ks[1])
	}
}

func TestFollowUpReminder(t *testing.T) {
	c := newCase("routine")
	if err := Move(c, "responded", "plat", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rs := Reminders(c, nil, t0.Add(24*time.Hour+FollowUpAfter-time.Second)); hasFollowUp(rs) {
		t.Errorf("follow-up reminded too early: %+v", rs)
	}
	rs := Reminders(c, nil, t0.Add(24*time.Hour+FollowUpAfter))
	if !hasFollowUp(rs) {
		t.Errorf("no follow-up reminder after a week: %+v", rs)
	}
}

func hasFollowUp(rs []Reminder) bool {
	for _, r := range rs {
		if r.To == Filer && r.Milestone == "" {
			return true
		}
	}
	return false
}
