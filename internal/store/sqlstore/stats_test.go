package sqlstore

import "testing"

func TestStatsClockDoubles(t *testing.T) {
	var c statsClock
	var at []int
	total := 0
	for range 20 {
		total += 1000
		if c.due(1000) {
			at = append(at, total)
		}
	}
	want := []int{2000, 4000, 8000, 16000}
	if len(at) != len(want) {
		t.Fatalf("refreshed after %v rows, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("refreshed after %v rows, want %v", at, want)
		}
	}
	// One large batch crosses several doublings but refreshes once.
	var big statsClock
	if !big.due(20000) || big.due(10000) || !big.due(3000) {
		t.Fatal("a 20,000-row batch should refresh once, the next at 32,000 rows")
	}
}
