package web

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
)

// iceReply is the body of GET /meetings/{id}/live/ice as the browser
// reads it (an RTCConfiguration's iceServers and the TURN credential's
// expiry).
type iceReply struct {
	ICEServers []iceServer `json:"ice_servers"`
	ExpiresAt  *time.Time  `json:"expires_at,omitempty"`
}

// iceServer is one RTCIceServer of the reply.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// getICE fetches the meeting's ICE servers as c.
func (e *liveEnv) getICE(t *testing.T, c *http.Client) iceReply {
	t.Helper()
	st, body := e.get(t, c, "/meetings/"+e.meeting.ID.String()+"/live/ice")
	if st != http.StatusOK {
		t.Fatalf("ice: status %d: %s", st, body)
	}
	var r iceReply
	liveMust(t, "decode ice", json.Unmarshal([]byte(body), &r))
	return r
}

// turnOf returns the reply's TURN server (nil: none).
func turnOf(r iceReply) *iceServer {
	for i, s := range r.ICEServers {
		if len(s.URLs) > 0 && strings.HasPrefix(s.URLs[0], "turn") {
			return &r.ICEServers[i]
		}
	}
	return nil
}

// TestLiveICE: the live pages' ICE servers. STUN for everyone; TURN
// credentials per the TURN REST API (user "<expiry>:<id>", password
// base64(HMAC-SHA1(secret, user))) for members and, in the public part of
// a running session, for viewers; never the secret, never without a
// configured secret, never to the public in the non-public part.
func TestLiveICE(t *testing.T) {
	t.Parallel()
	const secret = "coturn-static-auth-secret"
	start := time.Now().Truncate(time.Second)
	e := newLiveEnv(t, withMedia(t, func(d *media.Deps) {
		d.ICE = media.ICE{STUN: []string{"stun:stun.plenar.test:3478"},
			TURN: []string{"turn:turn.plenar.test:3478?transport=udp", "turns:turn.plenar.test:5349"}, TURNSecret: secret, TURNTTL: 2 * time.Hour}
	}))
	member := e.loginMember(t, e.persons[1])
	pub := e.anon()

	// Before the session runs: STUN only, for everyone.
	for name, c := range map[string]*http.Client{"member": member, "public": pub} {
		r := e.getICE(t, c)
		if len(r.ICEServers) != 1 || r.ICEServers[0].URLs[0] != "stun:stun.plenar.test:3478" || r.ICEServers[0].Credential != "" || turnOf(r) != nil {
			t.Errorf("%s before the start: %+v", name, r)
		}
	}
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})

	verify := func(who string, r iceReply, wantUser string) {
		t.Helper()
		ts := turnOf(r)
		if ts == nil {
			t.Fatalf("%s: no TURN server in %+v", who, r)
		}
		if len(ts.URLs) != 2 {
			t.Errorf("%s: TURN urls %v", who, ts.URLs)
		}
		exp, user, ok := strings.Cut(ts.Username, ":")
		if !ok || (wantUser != "" && user != wantUser) || user == "" {
			t.Errorf("%s: TURN user name %q, want <expiry>:%s", who, ts.Username, wantUser)
		}
		// Valid for the TTL from the request: between the test's start and now.
		lo, hi := start.Add(2*time.Hour).Unix(), time.Now().Add(2*time.Hour).Unix()
		n, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || n < lo || n > hi {
			t.Errorf("%s: expiry %q, want %d to %d", who, exp, lo, hi)
		}
		if r.ExpiresAt == nil || r.ExpiresAt.Unix() != n {
			t.Errorf("%s: expires_at %v, user name expiry %d", who, r.ExpiresAt, n)
		}
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write([]byte(ts.Username))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); ts.Credential != want {
			t.Errorf("%s: credential %q does not verify (want %q)", who, ts.Credential, want)
		}
	}
	verify("member", e.getICE(t, member), e.persons[1].ID.String())
	r1, r2 := e.getICE(t, pub), e.getICE(t, pub)
	verify("public", r1, "")
	if turnOf(r1).Username == turnOf(r2).Username {
		t.Errorf("two viewers share the TURN user %q", turnOf(r1).Username)
	}

	// The non-public part: the public gets no relay, members still do.
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	if r := e.getICE(t, pub); turnOf(r) != nil {
		t.Errorf("public in the non-public part: %+v", r)
	}
	verify("member, non-public", e.getICE(t, member), e.persons[1].ID.String())

	// The secret is nowhere in the pages.
	for _, path := range []string{"/meetings/" + e.meeting.ID.String() + "/live", "/meetings/" + e.meeting.ID.String() + "/live/member"} {
		_, body := e.get(t, member, path)
		mustNotContain(t, path, body, secret)
	}

	// No TURN without a secret: the static credentials are the SFU's.
	e2 := newLiveEnv(t, withMedia(t, func(d *media.Deps) {
		d.ICE = media.ICE{TURN: []string{"turn:turn.plenar.test:3478"}}
	}))
	e2.do(t, e2.clerkActor(t), live.Start{})
	if r := e2.getICE(t, e2.loginMember(t, e2.persons[1])); len(r.ICEServers) != 0 || r.ExpiresAt != nil {
		t.Errorf("without a secret: %+v", r)
	}
}
