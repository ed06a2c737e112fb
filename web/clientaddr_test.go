package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
)

func TestParseTrustedProxies(t *testing.T) {
	ps, err := ParseTrustedProxies(" 127.0.0.1, 10.1.2.3/8 ,::1,, ::ffff:192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.0.2.1/32"}
	if len(ps) != len(want) {
		t.Fatalf("got %v, want %v", ps, want)
	}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, p, want[i])
		}
	}
	if ps, err := ParseTrustedProxies(""); err != nil || len(ps) != 0 {
		t.Errorf("empty: %v, %v; want none", ps, err)
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3", "127.0.0.1,nope"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	with := &Server{opt: Options{TrustedProxies: proxies}}
	without := &Server{}
	tests := []struct {
		name, remote string
		xff          []string
		want, plain  string // with trusted proxies, without
	}{
		{"direct client", "203.0.113.5:4000", nil, "203.0.113.5", "203.0.113.5"},
		{"direct client lying", "203.0.113.5:4000", []string{"1.1.1.1"}, "203.0.113.5", "203.0.113.5"},
		{"one proxy", "127.0.0.1:5000", []string{"198.51.100.7"}, "198.51.100.7", "127.0.0.1"},
		{"client prepends a lie", "127.0.0.1:5000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7", "127.0.0.1"},
		{"two proxies", "10.0.0.2:5000", []string{"198.51.100.7, 10.0.0.9"}, "198.51.100.7", "10.0.0.2"},
		{"header lines", "10.0.0.2:5000", []string{"6.6.6.6", "198.51.100.7", "10.0.0.9"}, "198.51.100.7", "10.0.0.2"},
		{"only proxies", "10.0.0.2:5000", []string{"10.0.0.9"}, "10.0.0.9", "10.0.0.2"},
		{"no header", "127.0.0.1:5000", nil, "127.0.0.1", "127.0.0.1"},
		{"garbage hop", "127.0.0.1:5000", []string{"198.51.100.7, <script>"}, "127.0.0.1", "127.0.0.1"},
		{"v6 client", "[::ffff:127.0.0.1]:5000", []string{"2001:db8::1"}, "2001:db8::1", "::ffff:127.0.0.1"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := with.clientAddr(r); got != tt.want {
			t.Errorf("%s, trusted proxies: %q, want %q", tt.name, got, tt.want)
		}
		if got := without.clientAddr(r); got != tt.plain {
			t.Errorf("%s, no trusted proxies: %q, want %q", tt.name, got, tt.plain)
		}
	}
}

// TestLoginThrottledBehindProxy shows that behind a trusted proxy the
// address limit counts each forwarded client on its own: one client that
// fails too often is refused, another behind the same proxy is not; and
// without the proxy setting a forged header changes nothing.
func TestLoginThrottledBehindProxy(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	u := e.newTestUser(t, council.RoleCitizen, false)
	post := func(from, email, password string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/login",
			strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := e.anon().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Without a trusted proxy the header is ignored: all of this is one
	// address (127.0.0.1) and it fills up.
	for i := range maxAddressFailures {
		post("192.0.2."+strconv.Itoa(i), "nobody"+strconv.Itoa(i)+"@example.org", "wrong password 123")
	}
	if got := post("192.0.2.250", u.Email, testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For without trusted proxies: status %d, want 429 (the header must not pick the address)", got)
	}

	// Behind a trusted proxy (this test's loopback client) each forwarded
	// client counts for itself.
	e.srv.opt.TrustedProxies, _ = ParseTrustedProxies("127.0.0.1, ::1")
	for i := range maxAddressFailures {
		if got := post("198.51.100.7", "nobody"+strconv.Itoa(i)+"@example.org", "wrong password 123"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	if got := post("198.51.100.7", u.Email, testPassword); got != http.StatusTooManyRequests {
		t.Errorf("the failing client: status %d, want 429", got)
	}
	if got := post("198.51.100.8", u.Email, testPassword); got != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: status %d, want 303 (logged in)", got)
	}
}
