package media

import (
	"testing"
	"time"
)

// The limiter refills at its rate, refuses without spending, and keeps at
// most max addresses (the least recently used goes first).
func TestAddrLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	l := newAddrLimiter(Limit{Rate: 0.5, Burst: 2}, 3)
	for i := range 2 {
		if ok, _ := l.allow("a", t0); !ok {
			t.Fatalf("burst request %d refused", i+1)
		}
	}
	ok, wait := l.allow("a", t0)
	if ok || wait != 2*time.Second {
		t.Errorf("past the burst: %t, wait %v; want refused, 2s", ok, wait)
	}
	if ok, wait := l.allow("a", t0.Add(time.Second)); ok || wait != time.Second {
		t.Errorf("after 1 s: %t, wait %v; want refused, 1s (a refusal spends nothing)", ok, wait)
	}
	if ok, _ := l.allow("a", t0.Add(2*time.Second)); !ok {
		t.Error("after 2 s: refused, want one token refilled")
	}
	for _, addr := range []string{"b", "c", "d"} {
		l.allow(addr, t0)
	}
	if n := l.size(); n != 3 {
		t.Errorf("%d buckets, want at most 3", n)
	}
	// "a" was the least recently used and was evicted: it starts afresh.
	if ok, _ := l.allow("a", t0.Add(2*time.Second)); !ok {
		t.Error("an evicted address starts with a full bucket")
	}
}

// TestLimitsDefaults: zero limits take the documented defaults; set ones
// are kept.
func TestLimitsDefaults(t *testing.T) {
	t.Parallel()
	got := Limits{Viewers: Limit{Rate: 0.001, Burst: 2}}.withDefaults()
	want := Limits{ICE: Limit{0.5, 20}, WHEP: Limit{0.2, 10}, Viewers: Limit{0.001, 2}, MaxAddrs: 10000}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
}
