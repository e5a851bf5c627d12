package cases

import (
	"context"
	"testing"
	"time"
)

func TestStatsCache(t *testing.T) {
	calls := 0
	c := NewStatsCache(time.Hour, func(ctx context.Context, q StatsQuery) (*Stats, error) {
		calls++
		return &Stats{GroupBy: q.GroupBy}, nil
	})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.Stats(ctx, StatsQuery{GroupBy: []string{"platform"}}); err != nil {
			t.Fatal(err)
		}
	}
	c.Stats(ctx, StatsQuery{GroupBy: []string{"country"}})
	if calls != 2 {
		t.Errorf("%d computations for 2 distinct queries", calls)
	}
	if _, err := c.Stats(ctx, StatsQuery{GroupBy: []string{"filed_by"}}); err == nil {
		t.Error("a bad query was accepted")
	}
	c.TTL = 0
	c.Stats(ctx, StatsQuery{GroupBy: []string{"platform"}})
	if calls != 3 {
		t.Errorf("an expired entry was served (%d computations)", calls)
	}
}
