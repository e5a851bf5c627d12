package api

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterBurstThenRefill(t *testing.T) {
	l := newLimiter(20, 200)
	for i := 0; i < 200; i++ {
		if !l.allow("k") {
			t.Fatalf("write %d of the burst refused", i+1)
		}
	}
	if l.allow("k") {
		t.Fatal("write 201 allowed at once; the burst is 200")
	}
	if !l.allow("other") {
		t.Fatal("another client shares the first one's bucket")
	}
	// Half a second later, 20/s has refilled 10 writes.
	l.buckets["k"].last = l.buckets["k"].last.Add(-500 * time.Millisecond)
	for i := 0; i < 10; i++ {
		if !l.allow("k") {
			t.Fatalf("refilled write %d refused", i+1)
		}
	}
	if l.allow("k") {
		t.Fatal("more writes refilled than 20/s allows")
	}
}

func TestClientKeyKeepsNoAddress(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/v1/demands", nil)
	r.RemoteAddr = "203.0.113.7:5555"
	k := clientKey(r)
	if k == "" || len(k) != 9 || k[1:] == "203.0.113.7" {
		t.Fatalf("key %q", k)
	}
	r2 := httptest.NewRequest("POST", "/api/v1/demands", nil)
	r2.RemoteAddr = "203.0.113.7:6666"
	if clientKey(r2) != k {
		t.Fatal("the same address on another port is another client")
	}
	r2.Header.Set("Authorization", "Bearer candor_x")
	if clientKey(r2) == k {
		t.Fatal("a token holder is keyed by address")
	}
}
