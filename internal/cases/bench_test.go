package cases

import (
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

func BenchmarkAggregate100k(b *testing.B) {
	kinds := model.CaseKinds.Values()
	all := make([]*model.Case, 100_000)
	for i := range all {
		c := &model.Case{AddressedTo: fmt.Sprintf("p%d", i%7), Country: []string{"TR", "VN", "RU", "IN"}[i%4],
			Kind: kinds[i%len(kinds)], Urgency: []string{"routine", "urgent", "emergency"}[i%3], Status: "filed",
			FiledAt: t0.Add(time.Duration(i) * time.Minute)}
		if i%2 == 0 {
			c.AcknowledgedAt = ptr(c.FiledAt.Add(time.Duration(i%300) * time.Minute))
		}
		all[i] = c
	}
	q := StatsQuery{GroupBy: []string{"platform", "country", "kind", "period"}, Now: t0.AddDate(1, 0, 0)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Aggregate(all, q, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealOpen4KiB(b *testing.B) {
	id := mustIdentity(b)
	plain := make([]byte, 4096)
	keys := []string{id.Recipient().String()}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Seal(plain, keys)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Open(s, id); err != nil {
			b.Fatal(err)
		}
	}
}
