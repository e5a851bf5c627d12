package registry

import (
	"context"
	"errors"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// writers says which roles may write each collection; owned collections
// may be written by a non-admin only for the actor's own organisation.
var writers = map[string]struct {
	roles []string
	owned bool
}{
	"organisations": {roles: []string{auth.Admin}},
	"authorities":   {roles: []string{auth.Admin, auth.Platform, auth.CivilSociety}},
	"laws":          {roles: []string{auth.Admin, auth.CivilSociety}},
	"demands":       {roles: []string{auth.Admin, auth.Platform}, owned: true},
	"responses":     {roles: []string{auth.Admin, auth.Platform}, owned: true},
	"assessments":   {roles: []string{auth.Admin, auth.Platform}, owned: true},
	"plans":         {roles: []string{auth.Admin, auth.Platform}, owned: true},
	"periods":       {roles: []string{auth.Admin, auth.CivilSociety}},
	"events":        {roles: []string{auth.Admin, auth.CivilSociety}},
}

// Guard decides alone who may write a collection's records, seeing the
// current version (nil for a new record); it replaces the writers table
// and the owner rule for that collection.
type Guard func(ctx context.Context, tx store.Tx, a auth.Actor, rec model.Record, cur *store.Row) error

// authorize checks that a may write rec, whose index is ix.
func (r *Registry) authorize(a auth.Actor, rec model.Record, ix model.Index) error {
	if _, ok := r.guards[rec.Collection()]; ok {
		return nil // checked once the current version is known
	}
	w, ok := writers[rec.Collection()]
	if !ok {
		return forbidden("%s cannot be written through the registry", rec.Collection())
	}
	allowed := false
	for _, role := range w.roles {
		if role == a.Role {
			allowed = true
		}
	}
	if !allowed {
		return forbidden("role %s may not write %s", a.Role, rec.Collection())
	}
	if w.owned && a.Role != auth.Admin && ix.Owner != a.Org {
		return forbidden("a %s token of organisation %s may not write %s for organisation %s",
			a.Role, a.Org, rec.Collection(), ix.Owner)
	}
	return nil
}

// refCache remembers records looked up or written during one transaction.
type refCache struct {
	m map[string]model.Index
}

func (c *refCache) put(collection, id string, ix model.Index) {
	if c.m == nil {
		c.m = map[string]model.Index{}
	}
	c.m[collection+"/"+id] = ix
}

func (c *refCache) get(ctx context.Context, tx store.Tx, collection, id string) (*model.Index, error) {
	if ix, ok := c.m[collection+"/"+id]; ok {
		return &ix, nil
	}
	row, err := tx.Current(ctx, collection, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.put(collection, id, row.Index)
	return &row.Index, nil
}

// prepare validates, resolves references and authorizes one record.
func (r *Registry) prepare(ctx context.Context, tx store.Tx, a auth.Actor, rec model.Record, refs *refCache) (*prepared, error) {
	v := &model.Validator{}
	rec.Validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := r.resolve(ctx, tx, rec, refs); err != nil {
		return nil, err
	}
	ix := rec.Index()
	if err := r.authorize(a, rec, ix); err != nil {
		return nil, err
	}
	p := &prepared{rec: rec, index: ix}
	if ix.SourceID != "" {
		p.sourceKey = rec.Collection() + "\x00" + ix.SourceID
	}
	return p, nil
}

// resolve checks that referenced records exist and copies what lists need.
func (r *Registry) resolve(ctx context.Context, tx store.Tx, rec model.Record, refs *refCache) error {
	v := &model.Validator{}
	platform := func(field, id string) {
		if id == "" {
			return
		}
		ix, err := refs.get(ctx, tx, "organisations", id)
		if err != nil {
			v.Add(field, "%v", err)
		} else if ix == nil {
			v.Add(field, "no organisation with id %s", id)
		} else if ix.Platform == "" {
			v.Add(field, "organisation %s is not a platform", id)
		}
	}
	exists := func(field, collection, id string) {
		if id == "" {
			return
		}
		ix, err := refs.get(ctx, tx, collection, id)
		if err != nil {
			v.Add(field, "%v", err)
		} else if ix == nil {
			v.Add(field, "no %s record with id %s", collection, id)
		}
	}
	switch x := rec.(type) {
	case *model.Demand:
		platform("platform", x.Platform)
		exists("authority", "authorities", x.Authority)
		for i, lb := range x.LegalBasis {
			exists(v.Index("legal_basis", i)+".law", "laws", lb.Law)
		}
	case *model.Response:
		platform("platform", x.Platform)
		ix, err := refs.get(ctx, tx, "demands", x.Demand)
		switch {
		case err != nil:
			return err
		case ix == nil:
			v.Add("demand", "no demand with id %s", x.Demand)
		case ix.Platform != x.Platform:
			v.Add("platform", "the demand was made to %s, not %s", ix.Platform, x.Platform)
		default:
			x.Country = ix.Country
			if ix.Facts != nil {
				x.SetDemandRequested(ix.Facts.Requested)
			}
		}
	case *model.Assessment:
		platform("platform", x.Platform)
		exists("demand", "demands", x.Demand)
		for i, id := range x.Consulted {
			exists(v.Index("consulted", i), "organisations", id)
		}
	case *model.Plan:
		platform("platform", x.Platform)
		exists("period", "periods", x.Period)
	case *model.Law:
		for i, id := range x.Amends {
			exists(v.Index("amends", i), "laws", id)
		}
	}
	return v.Err()
}
