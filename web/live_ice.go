package web

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// BrowserICE are the ICE servers the live pages' peer connections use to
// reach the SFU: members and viewers behind a strict NAT need a TURN
// relay. TURN credentials are short-lived, per the TURN REST API
// convention that coturn implements with use-auth-secret and
// static-auth-secret: the user name is "<expiry unix time>:<user>" and
// the password base64(HMAC-SHA1(secret, user name)). The secret never
// leaves the server; static TURN passwords are not given to browsers.
type BrowserICE struct {
	STUN       []string      // stun:/stuns: URLs
	TURN       []string      // turn:/turns: URLs; offered only with TURNSecret
	TURNSecret string        // coturn's static-auth-secret
	TURNTTL    time.Duration // how long a credential is valid; 0: DefaultTURNTTL
}

// DefaultTURNTTL is the lifetime of a browser's TURN credential: a long
// session day. A page fetches new ones whenever it (re)joins.
const DefaultTURNTTL = 12 * time.Hour

// iceServer is one RTCIceServer of the browser's RTCConfiguration.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// iceReply is the body of GET /meetings/{id}/live/ice.
type iceReply struct {
	ICEServers []iceServer `json:"ice_servers"`
	ExpiresAt  *time.Time  `json:"expires_at,omitempty"` // of the TURN credential
}

// turnCredential is the TURN REST API credential of user, valid until
// expires.
func turnCredential(secret, user string, expires time.Time) (username, credential string) {
	username = strconv.FormatInt(expires.Unix(), 10) + ":" + user
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// browserICE is the reply for user ("": STUN only) at now.
func (c BrowserICE) reply(user string, now time.Time) iceReply {
	out := iceReply{ICEServers: []iceServer{}}
	if len(c.STUN) > 0 {
		out.ICEServers = append(out.ICEServers, iceServer{URLs: c.STUN})
	}
	if user == "" || len(c.TURN) == 0 || c.TURNSecret == "" {
		return out
	}
	ttl := c.TURNTTL
	if ttl <= 0 {
		ttl = DefaultTURNTTL
	}
	exp := now.Add(ttl).Truncate(time.Second)
	name, cred := turnCredential(c.TURNSecret, user, exp)
	out.ICEServers = append(out.ICEServers, iceServer{URLs: c.TURN, Username: name, Credential: cred})
	out.ExpiresAt = &exp
	return out
}

// liveICE is GET /meetings/{id}/live/ice: the ICE servers for a page
// about to join the session's media. TURN credentials go to whoever may
// join media now — the session's members (user: their person id) and, while
// the session runs in public, viewers (a random user) — others get the
// STUN servers only.
func (s *Server) liveICE(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if s.opt.Live == nil || s.mediaHub == nil {
		return council.ErrUnavailable
	}
	if !s.limitICE(w, r) {
		return nil
	}
	a := liveActor(r)
	snap, err := s.opt.Live.Snapshot(r.Context(), id, a)
	if err != nil {
		return hideMissing(err, "meeting", id)
	}
	user := ""
	switch {
	case snap.State != "running":
	case (snap.Role == live.RoleMember || snap.Role == live.RoleChair) && a.PersonID != council.NilID:
		user = a.PersonID.String()
	case snap.Part == live.PartPublic:
		user = "v-" + newSecret()[:16]
	}
	return writeJSONNoStore(w, http.StatusOK, s.opt.BrowserICE.reply(user, s.opt.Now()))
}
