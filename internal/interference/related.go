package interference

import (
	"context"
	"sort"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// How far around an episode related records are looked for: sensitive
// periods from a week before, demands to the platform from 30 days before.
const (
	periodLead = 7 * 24 * time.Hour
	demandLead = 30 * 24 * time.Hour
	maxRelated = 50
)

// LinkRelated fills each event's related[] with the public sensitive
// periods of its country that overlap it, and the public demands made to
// the targeted platform in that country shortly before and during it: the
// pressure a throttling or a block may answer.
func LinkRelated(ctx context.Context, s store.Store, events []*model.Event) error {
	platformIDs := map[string]string{}
	platformID := func(slug string) (string, error) {
		if id, ok := platformIDs[slug]; ok {
			return id, nil
		}
		page, err := s.List(ctx, store.Query{Collection: "organisations", SourceID: slug, Limit: 1})
		if err != nil {
			return "", err
		}
		id := ""
		if len(page.Rows) > 0 {
			id = page.Rows[0].ID
		}
		platformIDs[slug] = id
		return id, nil
	}
	for _, e := range events {
		end := e.StartedAt.Add(24 * time.Hour)
		if e.EndedAt != nil {
			end = *e.EndedAt
		}
		seen := map[string]bool{}
		for _, r := range e.Related {
			seen[r] = true
		}
		add := func(q store.Query) error {
			q.Limit = maxRelated
			page, err := s.List(ctx, q)
			if err != nil {
				return err
			}
			for _, row := range page.Rows {
				if !seen[row.ID] {
					seen[row.ID] = true
					e.Related = append(e.Related, row.ID)
				}
			}
			return nil
		}
		from := e.StartedAt.Add(-periodLead)
		if err := add(store.Query{Collection: "periods", Country: e.Country, From: &from, To: &end}); err != nil {
			return err
		}
		if len(e.Targets) > 0 {
			id, err := platformID(e.Targets[0])
			if err != nil {
				return err
			}
			if id != "" {
				from := e.StartedAt.Add(-demandLead)
				if err := add(store.Query{Collection: "demands", Country: e.Country, Platform: id, From: &from, To: &end}); err != nil {
					return err
				}
			}
		}
		sort.Strings(e.Related)
		if len(e.Related) > maxRelated {
			e.Related = e.Related[:maxRelated]
		}
	}
	return nil
}
