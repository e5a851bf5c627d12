package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// ErrChanged means the case changed since the caller read it.
var ErrChanged = errors.New("the case changed since it was read; read it again")

// Guard is given to the registry (registry.WithGuard), which consults it
// for every write of a case, whatever path it comes by (API, batch,
// import), so the rules below cannot be bypassed; a registry without it
// refuses cases altogether.
//
// Guard lets the filing group file a case and both parties make only the
// changes the workflow allows: one status change or one message per
// version, by the party that makes it, with every other field as before
// except those that party owns.
func Guard(ctx context.Context, tx store.Tx, a auth.Actor, rec model.Record, cur *store.Row) error {
	c, ok := rec.(*model.Case)
	if !ok {
		return fmt.Errorf("cases guard given a %T", rec)
	}
	if cur == nil {
		return guardFile(ctx, tx, a, c)
	}
	var old model.Case
	if err := json.Unmarshal(cur.Body, &old); err != nil {
		return fmt.Errorf("read stored case %s: %w", cur.ID, err)
	}
	if c.Version != 0 && c.Version != cur.Version {
		return ErrChanged
	}
	p := PartyOf(&old, a.Org)
	if p == "" || !roleFits(a, p) {
		return forbidden("only the filing group and the addressed platform may change this case")
	}
	want, err := expected(&old, c, a.Org, p)
	if err != nil {
		return err
	}
	if diff := differing(want, c); len(diff) > 0 {
		return forbidden("the %s may not change %s here", p, strings.Join(diff, ", "))
	}
	if !slices.Equal(old.Recipients, c.Recipients) || old.ShareWithCountryOffice != c.ShareWithCountryOffice {
		return checkKeys(ctx, tx, c)
	}
	return nil
}

func guardFile(ctx context.Context, tx store.Tx, a auth.Actor, c *model.Case) error {
	if a.Role != auth.CivilSociety {
		return forbidden("only a civil-society organisation files cases (role %s)", a.Role)
	}
	if c.FiledBy != a.Org {
		return forbidden("a token of organisation %s may not file a case for %s", a.Org, c.FiledBy)
	}
	if c.Status != "filed" || c.AcknowledgedAt != nil || c.FirstResponseAt != nil || c.ResolvedAt != nil ||
		len(c.Messages) > 0 || c.Outcome != "" || len(c.History) > 1 {
		return model.Invalid("status", "a new case starts filed, with no answer, message or outcome")
	}
	return checkKeys(ctx, tx, c)
}

// expected is old after the one change c may make over it, with the
// fields the party owns taken from c.
func expected(old, c *model.Case, org string, p Party) (*model.Case, error) {
	want := clone(old)
	dh, dm := len(c.History)-len(old.History), len(c.Messages)-len(old.Messages)
	last := old.FiledAt
	if n := len(old.History); n > 0 {
		last = old.History[n-1].At
	}
	if n := len(old.Messages); n > 0 && old.Messages[n-1].At.After(last) {
		last = old.Messages[n-1].At
	}
	switch {
	case dh == 1 && dm == 0:
		h := c.History[len(c.History)-1]
		if h.By != org || h.At.Before(last) {
			return nil, forbidden("a status change must be by the changing party and not before the last change")
		}
		if err := Move(want, h.Status, org, h.At); err != nil {
			var te *TransitionError
			if errors.As(err, &te) && te.Forbidden {
				return nil, forbidden("%v", err)
			}
			return nil, model.Invalid("status", "%v", err)
		}
	case dm == 1 && dh == 0:
		m := c.Messages[len(c.Messages)-1]
		if m.From != org || m.At.Before(last) {
			return nil, forbidden("a message must be from the writing party and not before the last change")
		}
		if err := AddMessage(want, org, m.Sealed, m.At); err != nil {
			return nil, model.Invalid(fmt.Sprintf("messages[%d]", len(c.Messages)-1), "%v", err)
		}
	case dh == 0 && dm == 0:
	default:
		return nil, forbidden("a case changes by one status change or one message at a time")
	}
	want.Meta = c.Meta
	if dh == 1 {
		// The outcome is stated with a status change, by whoever makes it.
		want.Outcome = c.Outcome
	}
	if p == Filer {
		want.Summary, want.Related = c.Summary, c.Related
		want.Sealed, want.Recipients, want.ShareWithCountryOffice = c.Sealed, c.Recipients, c.ShareWithCountryOffice
		// Its own messages only: re-sealing the platform's would let the
		// filer rewrite what the platform said.
		for i := range want.Messages {
			if i < len(c.Messages) && want.Messages[i].From == org {
				want.Messages[i].Sealed = c.Messages[i].Sealed
			}
		}
	}
	return want, nil
}

// differing names the top-level fields where a and b differ.
func differing(a, b *model.Case) []string {
	ma, mb := fields(a), fields(b)
	var out []string
	for k, v := range mb {
		if string(ma[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func fields(c *model.Case) map[string]json.RawMessage {
	b, _ := json.Marshal(c)
	var m map[string]json.RawMessage
	json.Unmarshal(b, &m)
	return m
}

func clone(c *model.Case) *model.Case {
	b, _ := json.Marshal(c)
	var out model.Case
	json.Unmarshal(b, &out)
	return &out
}

func roleFits(a auth.Actor, p Party) bool {
	return p == Filer && a.Role == auth.CivilSociety || p == Platform && a.Role == auth.Platform
}

// checkKeys loads both parties and checks the recipients against the keys
// they publish.
func checkKeys(ctx context.Context, tx store.Tx, c *model.Case) error {
	filer, err := organisation(ctx, tx, "filed_by", c.FiledBy)
	if err != nil {
		return err
	}
	platform, err := organisation(ctx, tx, "addressed_to", c.AddressedTo)
	if err != nil {
		return err
	}
	if platform.Kind != "platform" {
		return model.Invalid("addressed_to", "organisation %s is not a platform", c.AddressedTo)
	}
	if err := CheckRecipients(c, filer, platform); err != nil {
		var re *RecipientsError
		if errors.As(err, &re) && re.Index >= 0 {
			return model.Invalid(fmt.Sprintf("recipients[%d]", re.Index), "%s: %s", re.Key, re.Why)
		}
		return model.Invalid("recipients", "%v", err)
	}
	return nil
}

func organisation(ctx context.Context, tx store.Tx, field, id string) (*model.Organisation, error) {
	row, err := tx.Current(ctx, "organisations", id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, model.Invalid(field, "no organisation with id %s", id)
	}
	if err != nil {
		return nil, err
	}
	var o model.Organisation
	if err := json.Unmarshal(row.Body, &o); err != nil {
		return nil, fmt.Errorf("read organisation %s: %w", id, err)
	}
	return &o, nil
}

func forbidden(format string, a ...any) error {
	return &registry.ForbiddenError{Reason: fmt.Sprintf(format, a...)}
}
