package web

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
)

// TestLiveICERateLimit: anonymous visitors may fetch ICE servers (TURN
// credentials in a public session) only so often per client address: the
// burst, then 429 with Retry-After; another address is not affected.
func TestLiveICERateLimit(t *testing.T) {
	t.Parallel()
	now := time.Now()
	const burst = 20
	e := newLiveEnv(t, withMedia(t, func(d *media.Deps) {
		d.Now = func() time.Time { return now } // the buckets do not refill during the test
		d.Limits.ICE = media.Limit{Rate: 0.5, Burst: burst}
		d.ICE = media.ICE{STUN: []string{"stun:stun.plenar.test:3478"}, TURN: []string{"turn:turn.plenar.test:3478"}, TURNSecret: "s"}
	}), func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
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
	for i := range burst {
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
