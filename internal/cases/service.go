package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
)

// Service is what the API and the page do with cases: every read checks
// that the caller is a party, every write goes through the registry (and so
// through Guard).
type Service struct {
	Store    store.Store
	Registry *registry.Registry
	Now      func() time.Time
}

// NewService returns a service over a store and its registry, keeping the
// registry's clock.
func NewService(s store.Store, r *registry.Registry) *Service {
	return &Service{Store: s, Registry: r, Now: r.Now}
}

// FileRequest is what a filing group sends: public fields and ciphertext.
type FileRequest struct {
	AddressedTo            string   `json:"addressed_to"`
	Kind                   string   `json:"kind"`
	Country                string   `json:"country"`
	Urgency                string   `json:"urgency"`
	Summary                string   `json:"summary"`
	Sealed                 string   `json:"sealed"`
	Recipients             []string `json:"recipients"`
	ShareWithCountryOffice bool     `json:"share_with_country_office"`
	Related                []string `json:"related,omitempty"`
}

// View is a case as its parties see it, with its clocks.
type View struct {
	*model.Case
	Party     Party      `json:"party"`
	Next      []string   `json:"next"`
	Clocks    []Clock    `json:"clocks"`
	Reminders []Reminder `json:"reminders"`
}

// File records a new case for the caller's organisation.
func (s *Service) File(ctx context.Context, a auth.Actor, req FileRequest) (*View, error) {
	if a.Role != auth.CivilSociety {
		return nil, forbidden("only a civil-society organisation files cases (role %s)", a.Role)
	}
	to, err := s.resolvePlatform(ctx, req.AddressedTo)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	c := &model.Case{FiledBy: a.Org, AddressedTo: to, Kind: req.Kind, Country: req.Country, Urgency: req.Urgency,
		Status: "filed", Summary: req.Summary, Sealed: req.Sealed, Recipients: req.Recipients, FiledAt: now,
		ShareWithCountryOffice: req.ShareWithCountryOffice, Related: req.Related,
		History: []model.CaseStatusChange{{Status: "filed", At: now, By: a.Org}}}
	if _, err := s.Registry.Create(ctx, a, c); err != nil {
		return nil, err
	}
	return s.view(ctx, c, Filer)
}

// resolvePlatform accepts an organisation id or slug.
func (s *Service) resolvePlatform(ctx context.Context, idOrSlug string) (string, error) {
	if idOrSlug == "" {
		return "", model.Invalid("addressed_to", "is required")
	}
	if _, err := s.Store.Get(ctx, "organisations", idOrSlug, 0); err == nil {
		return idOrSlug, nil
	}
	p, err := s.Store.List(ctx, store.Query{Collection: "organisations", SourceID: idOrSlug, Limit: 1,
		Visibility: []model.Visibility{model.Public, model.Members}})
	if err != nil {
		return "", err
	}
	if len(p.Rows) == 0 {
		return "", model.Invalid("addressed_to", "no organisation with id or slug %q", idOrSlug)
	}
	return p.Rows[0].ID, nil
}

// Get returns a case to one of its parties; to anyone else it does not
// exist.
func (s *Service) Get(ctx context.Context, a auth.Actor, id string) (*View, error) {
	c, p, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, c, p)
}

func (s *Service) load(ctx context.Context, a auth.Actor, id string) (*model.Case, Party, error) {
	row, err := s.Store.Get(ctx, "cases", id, 0)
	if err != nil {
		return nil, "", err
	}
	c, err := decode(row)
	if err != nil {
		return nil, "", err
	}
	p := PartyOf(c, a.Org)
	if p == "" || !roleFits(a, p) {
		return nil, "", store.ErrNotFound
	}
	return c, p, nil
}

func decode(row *store.Row) (*model.Case, error) {
	var c model.Case
	if err := json.Unmarshal(row.Body, &c); err != nil {
		return nil, fmt.Errorf("read stored case %s: %w", row.ID, err)
	}
	return &c, nil
}

func (s *Service) view(ctx context.Context, c *model.Case, p Party) (*View, error) {
	targets, err := s.targets(ctx, c.AddressedTo)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	v := &View{Case: c, Party: p, Next: Next(c.Status, p), Clocks: Clocks(c, targets, now)}
	for _, r := range Reminders(c, targets, now) {
		if r.To == p {
			v.Reminders = append(v.Reminders, r)
		}
	}
	if v.Next == nil {
		v.Next = []string{}
	}
	return v, nil
}

func (s *Service) targets(ctx context.Context, platform string) (*model.CaseTargets, error) {
	o, err := s.platform(ctx, platform)
	if o == nil {
		return nil, err
	}
	return o.CaseTargets, nil
}

// platform reads an organisation; nil if there is none.
func (s *Service) platform(ctx context.Context, id string) (*model.Organisation, error) {
	row, err := s.Store.Get(ctx, "organisations", id, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var o model.Organisation
	if err := json.Unmarshal(row.Body, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListQuery pages through the caller's cases.
type ListQuery struct {
	Status string
	Cursor string
	Limit  int
}

// List returns the cases the caller's organisation filed (civil society)
// or received (platform); nobody else has any.
func (s *Service) List(ctx context.Context, a auth.Actor, q ListQuery) ([]*View, string, error) {
	sq := store.Query{Collection: "cases", Cursor: q.Cursor, Limit: q.Limit}
	if q.Status != "" {
		if !model.CaseStatuses.Has(q.Status) {
			return nil, "", model.Invalid("status", "%q is not one of %s", q.Status, model.CaseStatuses)
		}
		sq.Types = []string{q.Status}
	}
	var p Party
	switch {
	case a.Org == "":
		return nil, "", forbidden("cases are listed only to the organisations that filed or received them")
	case a.Role == auth.CivilSociety:
		// Cases are never public, so this admits the organisation's own only.
		sq.Owner, sq.Visibility, p = a.Org, []model.Visibility{model.Public}, Filer
	case a.Role == auth.Platform:
		sq.Platform, sq.Visibility, p = a.Org, []model.Visibility{model.Sealed}, Platform
	default:
		return nil, "", forbidden("cases are listed only to the organisations that filed or received them")
	}
	page, err := s.Store.List(ctx, sq)
	if err != nil {
		return nil, "", err
	}
	out := []*View{}
	for _, row := range page.Rows {
		c, err := decode(row)
		if err != nil {
			return nil, "", err
		}
		if PartyOf(c, a.Org) != p || (q.Status != "" && c.Status != q.Status) {
			continue
		}
		v, err := s.view(ctx, c, p)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, page.NextCursor, nil
}

// Reply adds a sealed message from the caller's side.
func (s *Service) Reply(ctx context.Context, a auth.Actor, id, sealed string) (*View, error) {
	return s.change(ctx, a, id, func(c *model.Case, now time.Time) error {
		if err := AddMessage(c, a.Org, sealed, now); err != nil {
			return model.Invalid("sealed", "%v", err)
		}
		return nil
	})
}

// SetStatus moves a case to a status, with an optional public outcome.
func (s *Service) SetStatus(ctx context.Context, a auth.Actor, id, status, outcome string) (*View, error) {
	return s.change(ctx, a, id, func(c *model.Case, now time.Time) error {
		if err := Move(c, status, a.Org, now); err != nil {
			var te *TransitionError
			if errors.As(err, &te) && te.Forbidden {
				return forbidden("%v", err)
			}
			return model.Invalid("status", "%v", err)
		}
		if outcome != "" {
			c.Outcome = outcome
		}
		return nil
	})
}

// ResealRequest replaces who can read a case: the filing group re-encrypts
// the sealed part and its own messages to the new recipients. Messages
// holds one entry per message of the case: the new ciphertext of one of the
// group's own messages, or "" to keep a message as it is. The platform's
// messages stay sealed to the recipients they were written for.
type ResealRequest struct {
	Recipients             []string `json:"recipients"`
	Sealed                 string   `json:"sealed"`
	Messages               []string `json:"messages,omitempty"`
	ShareWithCountryOffice bool     `json:"share_with_country_office"`
}

// Reseal lets the filing group change the recipients and its consent.
func (s *Service) Reseal(ctx context.Context, a auth.Actor, id string, req ResealRequest) (*View, error) {
	return s.change(ctx, a, id, func(c *model.Case, now time.Time) error {
		if PartyOf(c, a.Org) != Filer {
			return forbidden("only the filing group chooses who can read a case")
		}
		if len(req.Messages) > len(c.Messages) {
			return model.Invalid("messages", "has %d entries; the case has %d messages", len(req.Messages), len(c.Messages))
		}
		c.Recipients, c.Sealed, c.ShareWithCountryOffice = req.Recipients, req.Sealed, req.ShareWithCountryOffice
		for i, sealed := range req.Messages {
			switch {
			case sealed == "":
			case c.Messages[i].From != a.Org:
				return model.Invalid(fmt.Sprintf("messages[%d]", i), "is the platform's; only its sender can re-seal a message")
			default:
				c.Messages[i].Sealed = sealed
			}
		}
		return nil
	})
}

func (s *Service) change(ctx context.Context, a auth.Actor, id string, fn func(*model.Case, time.Time) error) (*View, error) {
	c, p, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	if err := fn(c, now); err != nil {
		return nil, err
	}
	if _, err := s.Registry.Update(ctx, a, id, c); err != nil {
		return nil, err
	}
	fresh, _, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, fresh, p)
}

// Keys is what a filing group needs to seal a case to a platform.
type Keys struct {
	Platform KeyHolder `json:"platform"`
	Filer    KeyHolder `json:"filer"`
}

// KeyHolder is an organisation's published case keys.
type KeyHolder struct {
	ID                      string             `json:"id"`
	Name                    string             `json:"name"`
	Recipients              []string           `json:"recipients"`
	CountryOfficeRecipients []string           `json:"country_office_recipients,omitempty"`
	CaseTargets             *model.CaseTargets `json:"case_targets,omitempty"`
}

// Recipients returns the keys a civil-society caller may seal a case to
// for a platform (given by id or slug).
func (s *Service) Recipients(ctx context.Context, a auth.Actor, to string) (*Keys, error) {
	if a.Role != auth.CivilSociety || a.Org == "" {
		return nil, forbidden("only a civil-society organisation files cases")
	}
	id, err := s.resolvePlatform(ctx, to)
	if err != nil {
		return nil, err
	}
	var out Keys
	for _, x := range []struct {
		id string
		h  *KeyHolder
	}{{id, &out.Platform}, {a.Org, &out.Filer}} {
		row, err := s.Store.Get(ctx, "organisations", x.id, 0)
		if err != nil {
			return nil, err
		}
		var o model.Organisation
		if err := json.Unmarshal(row.Body, &o); err != nil {
			return nil, err
		}
		*x.h = KeyHolder{ID: o.ID, Name: o.Name, Recipients: o.Recipients,
			CountryOfficeRecipients: o.CountryOfficeRecipients, CaseTargets: o.CaseTargets}
		if x.h.Recipients == nil {
			x.h.Recipients = []string{}
		}
	}
	if out.Platform.ID == out.Filer.ID {
		return nil, model.Invalid("to", "a group cannot file a case to itself")
	}
	if o, _ := s.targets(ctx, id); o == nil {
		out.Platform.CaseTargets = &DefaultTargets
	}
	return &out, nil
}

// Stats computes the public aggregates over every case; it reads public
// fields only.
func (s *Service) Stats(ctx context.Context, q StatsQuery) (*Stats, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var all []*model.Case
	targets := map[string]*model.CaseTargets{}
	names := map[string]string{}
	cursor := ""
	for {
		page, err := s.Store.List(ctx, store.Query{Collection: "cases", Visibility: []model.Visibility{model.Sealed},
			Platform: q.Platform, Country: q.Country, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, row := range page.Rows {
			// Only the fields the statistics use are decoded.
			var c model.Case
			var pub struct {
				AddressedTo     string     `json:"addressed_to"`
				Country         string     `json:"country"`
				Kind            string     `json:"kind"`
				Urgency         string     `json:"urgency"`
				Status          string     `json:"status"`
				FiledAt         time.Time  `json:"filed_at"`
				AcknowledgedAt  *time.Time `json:"acknowledged_at"`
				FirstResponseAt *time.Time `json:"first_response_at"`
				ResolvedAt      *time.Time `json:"resolved_at"`
			}
			if err := json.Unmarshal(row.Body, &pub); err != nil {
				return nil, fmt.Errorf("read stored case %s: %w", row.ID, err)
			}
			c.AddressedTo, c.Country, c.Kind, c.Urgency, c.Status = pub.AddressedTo, pub.Country, pub.Kind, pub.Urgency, pub.Status
			c.FiledAt, c.AcknowledgedAt, c.FirstResponseAt, c.ResolvedAt = pub.FiledAt, pub.AcknowledgedAt, pub.FirstResponseAt, pub.ResolvedAt
			all = append(all, &c)
			if _, ok := targets[c.AddressedTo]; !ok {
				o, err := s.platform(ctx, c.AddressedTo)
				if err != nil {
					return nil, err
				}
				targets[c.AddressedTo], names[c.AddressedTo] = nil, c.AddressedTo
				if o != nil {
					targets[c.AddressedTo], names[c.AddressedTo] = o.CaseTargets, o.Name
				}
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if q.Now.IsZero() {
		q.Now = s.Now()
	}
	st, err := Aggregate(all, q, func(p string) *model.CaseTargets { return targets[p] })
	if err != nil {
		return nil, err
	}
	for i := range st.Groups {
		st.Groups[i].PlatformName = names[st.Groups[i].Platform]
	}
	return st, nil
}
