package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

var t0 = time.Date(2023, 5, 13, 10, 0, 0, 0, time.UTC)

func newCase(urgency string) *model.Case {
	return &model.Case{FiledBy: "cso", AddressedTo: "plat", Kind: "wrongful_takedown", Country: "TR",
		Urgency: urgency, Status: "filed", FiledAt: t0}
}

func TestMoveFullPath(t *testing.T) {
	c := newCase("emergency")
	steps := []struct {
		to, by string
		after  time.Duration
	}{
		{"acknowledged", "plat", 30 * time.Minute},
		{"in_review", "plat", time.Hour},
		{"responded", "plat", 5 * time.Hour},
		{"in_review", "cso", 6 * time.Hour}, // follow-up: not good enough
		{"responded", "plat", 20 * time.Hour},
		{"resolved", "cso", 30 * time.Hour},
	}
	for _, s := range steps {
		if err := Move(c, s.to, s.by, t0.Add(s.after)); err != nil {
			t.Fatalf("%s by %s: %v", s.to, s.by, err)
		}
	}
	if *c.AcknowledgedAt != t0.Add(30*time.Minute) || *c.FirstResponseAt != t0.Add(5*time.Hour) ||
		*c.ResolvedAt != t0.Add(30*time.Hour) {
		t.Errorf("clocks ack %v resp %v res %v", c.AcknowledgedAt, c.FirstResponseAt, c.ResolvedAt)
	}
	if len(c.History) != len(steps) || c.History[3].By != "cso" || c.History[3].Status != "in_review" {
		t.Errorf("history %+v", c.History)
	}
}

func TestMoveRefusals(t *testing.T) {
	for _, tc := range []struct {
		from, to, by, want string
	}{
		{"filed", "acknowledged", "cso", "only the platform"},
		{"responded", "resolved", "plat", "only the filer"}, // a platform cannot mark itself done
		{"filed", "escalated", "plat", "only the filer"},
		{"filed", "acknowledged", "other-platform", "only the filing group and the addressed platform"},
		{"filed", "acknowledged", "", "only the filing group and the addressed platform"},
		{"filed", "resolved", "cso", "not allowed"},
		{"resolved", "in_review", "cso", "not allowed"},
		{"closed_unresolved", "acknowledged", "plat", "not allowed"},
		{"filed", "filed", "cso", "already"},
		{"filed", "done", "plat", "unknown status"},
	} {
		c := newCase("routine")
		c.Status = tc.from
		err := Move(c, tc.to, tc.by, t0.Add(time.Hour))
		var te *TransitionError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s→%s by %q: err %v, want %q", tc.from, tc.to, tc.by, err, tc.want)
		}
		if c.Status != tc.from || c.AcknowledgedAt != nil || len(c.History) != 0 {
			t.Errorf("%s→%s by %q: a refused move changed the case", tc.from, tc.to, tc.by)
		}
	}
}

func TestNext(t *testing.T) {
	if got := Next("responded", Filer); !slices.Equal(got, []string{"closed_unresolved", "escalated", "in_review", "resolved"}) {
		t.Errorf("filer from responded: %v", got)
	}
	if got := Next("filed", Platform); !slices.Equal(got, []string{"acknowledged", "in_review", "responded"}) {
		t.Errorf("platform from filed: %v", got)
	}
	// Every status has an entry, and no transition names an unknown status.
	for _, s := range model.CaseStatuses.Values() {
		if _, ok := transitions[s]; !ok {
			t.Errorf("status %s missing from transitions", s)
		}
		for to := range transitions[s] {
			if !model.CaseStatuses.Has(to) {
				t.Errorf("%s → unknown %s", s, to)
			}
		}
	}
}

func TestAddMessage(t *testing.T) {
	id := mustIdentity(t)
	sealed, err := Seal([]byte("hi"), []string{id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	c := newCase("urgent")
	if err := AddMessage(c, "cso", sealed, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c.AcknowledgedAt != nil || c.FirstResponseAt != nil {
		t.Error("the filer's own message started the platform's clocks")
	}
	if err := AddMessage(c, "plat", sealed, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if *c.AcknowledgedAt != t0.Add(2*time.Hour) || *c.FirstResponseAt != t0.Add(2*time.Hour) {
		t.Errorf("platform reply: ack %v resp %v", c.AcknowledgedAt, c.FirstResponseAt)
	}
	if err := AddMessage(c, "plat", "plain words", t0); err == nil {
		t.Error("plaintext message accepted")
	}
	if err := AddMessage(c, "intruder", sealed, t0); err == nil {
		t.Error("an outsider wrote to the case")
	}
	c.Status = "resolved"
	if err := AddMessage(c, "cso", sealed, t0); err == nil {
		t.Error("message on a resolved case accepted")
	}
	if len(c.Messages) != 2 || c.Messages[1].From != "plat" {
		t.Errorf("messages %+v", c.Messages)
	}
}

func TestCheckRecipients(t *testing.T) {
	filerKey, handler, office, stranger := mustIdentity(t), mustIdentity(t), mustIdentity(t), mustIdentity(t)
	filer := &model.Organisation{Recipients: []string{filerKey.Recipient().String()}}
	plat := &model.Organisation{Recipients: []string{handler.Recipient().String()},
		CountryOfficeRecipients: []string{office.Recipient().String()}}
	for _, tc := range []struct {
		name    string
		consent bool
		with    []string
		want    string
	}{
		{name: "handler and filer", with: []string{handler.Recipient().String(), filerKey.Recipient().String()}},
		{name: "office without consent", with: []string{handler.Recipient().String(), office.Recipient().String()},
			want: "recipients[1]"},
		{name: "office with consent", consent: true, with: []string{office.Recipient().String()}},
		{name: "stranger", with: []string{handler.Recipient().String(), stranger.Recipient().String()},
			want: "published neither"},
		{name: "filer only", with: []string{filerKey.Recipient().String()}, want: "no key of the platform"},
	} {
		c := newCase("routine")
		c.Recipients, c.ShareWithCountryOffice = tc.with, tc.consent
		err := CheckRecipients(c, filer, plat)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}
