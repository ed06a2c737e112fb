package web

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/live"
)

// TestLiveICERateLimit: anonymous visitors may fetch ICE servers (TURN
// credentials in a public session) only so often per client address: the
// burst, then 429 with Retry-After; another address is not affected.
func TestLiveICERateLimit(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newLiveEnv(t, withMedia(t), func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		o.Now = func() time.Time { return now } // the buckets do not refill during the test
		o.BrowserICE = BrowserICE{STUN: []string{"stun:stun.plenar.test:3478"}, TURN: []string{"turn:turn.plenar.test:3478"}, TURNSecret: "s"}
	})
	e.do(t, e.clerkActor(t), live.Start{})
	pub := e.anon()
	fetch := func(from string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/meetings/"+e.meeting.ID.String()+"/live/ice", nil)
		liveMust(t, "request", err)
		req.Header.Set("X-Forwarded-For", from)
		resp, err := pub.Do(req)
		liveMust(t, "ice", err)
		resp.Body.Close()
		return resp
	}
	for i := range iceBurst {
		if resp := fetch("203.0.113.5"); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d of the burst: status %d", i+1, resp.StatusCode)
		}
	}
	resp := fetch("203.0.113.5")
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || err != nil || retry < 1 || retry > 2 {
		t.Errorf("request past the burst: status %d, Retry-After %q; want 429 and 1–2 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := fetch("203.0.113.6"); resp.StatusCode != http.StatusOK {
		t.Errorf("another address: status %d, want 200", resp.StatusCode)
	}
}

// The limiter refills at its rate, refuses without spending, and keeps at
// most max addresses (the least recently used goes first).
func TestAddrLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	l := newAddrLimiter(0.5, 2, 3)
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
