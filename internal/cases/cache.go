package cases

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// StatsCache keeps computed statistics for a short while: they are public,
// read every stored case, and anyone may ask for them as often as they like.
type StatsCache struct {
	TTL     time.Duration
	compute func(context.Context, StatsQuery) (*Stats, error)
	mu      sync.Mutex
	entries map[string]cachedStats
}

type cachedStats struct {
	stats *Stats
	at    time.Time
}

// maxCachedQueries bounds the memory a stream of distinct queries can take.
const maxCachedQueries = 512

// NewStatsCache wraps compute (usually Service.Stats).
func NewStatsCache(ttl time.Duration, compute func(context.Context, StatsQuery) (*Stats, error)) *StatsCache {
	return &StatsCache{TTL: ttl, compute: compute, entries: map[string]cachedStats{}}
}

// Stats answers from the cache when a fresh answer to the same query is
// there. Overdue shares are judged at the time of computing, given in as_of.
func (c *StatsCache) Stats(ctx context.Context, q StatsQuery) (*Stats, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%v|%s|%s|%s|%s|%s|%d|%d", q.GroupBy, q.Grain, q.Platform, q.Country, q.Kind, q.Urgency,
		q.From.UnixNano(), q.To.UnixNano())
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.TTL {
		return e.stats, nil
	}
	q.Now = time.Time{}
	st, err := c.compute(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCachedQueries {
		c.entries = map[string]cachedStats{}
	}
	c.entries[key] = cachedStats{st, now}
	c.mu.Unlock()
	return st, nil
}
