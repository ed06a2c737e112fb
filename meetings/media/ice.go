package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// ICE are the ICE servers the live pages' peer connections use to reach
// the SFU: members and viewers behind a strict NAT need a TURN relay. TURN
// credentials are short-lived, per the TURN REST API convention that
// coturn implements with use-auth-secret and static-auth-secret: the user
// name is "<expiry unix time>:<user>" and the password
// base64(HMAC-SHA1(secret, user name)). The secret never leaves the
// server; static TURN passwords are not given to browsers.
type ICE struct {
	STUN       []string      // stun:/stuns: URLs
	TURN       []string      // turn:/turns: URLs; offered only with TURNSecret
	TURNSecret string        // coturn's static-auth-secret
	TURNTTL    time.Duration // how long a credential is valid; 0: DefaultTURNTTL
}

// DefaultTURNTTL is the lifetime of a browser's TURN credential: a long
// session day. A page fetches new ones whenever it (re)joins.
const DefaultTURNTTL = 12 * time.Hour

// ICEServer is one RTCIceServer of a browser's RTCConfiguration.
type ICEServer struct {
	URLs       []string
	Username   string // TURN only
	Credential string // TURN only
}

// ICEServers are the servers for one browser and when its TURN
// credential expires (zero: none given).
type ICEServers struct {
	Servers []ICEServer
	Expires time.Time
}

// turnCredential is the TURN REST API credential of user, valid until
// expires.
func turnCredential(secret, user string, expires time.Time) (username, credential string) {
	username = strconv.FormatInt(expires.Unix(), 10) + ":" + user
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// servers are the servers for user ("": STUN only) at now.
func (c ICE) servers(user string, now time.Time) ICEServers {
	out := ICEServers{Servers: []ICEServer{}}
	if len(c.STUN) > 0 {
		out.Servers = append(out.Servers, ICEServer{URLs: c.STUN})
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
	out.Servers = append(out.Servers, ICEServer{URLs: c.TURN, Username: name, Credential: cred})
	out.Expires = exp
	return out
}

// ICE returns the ICE servers for actor a's page about to join meeting's
// media. TURN credentials go to whoever may join media now — the
// session's members (user: their person id) and, while the session runs
// in public, viewers (a random user) — others get the STUN servers only.
// Errors: the hub's (ErrNotFound for an unknown meeting).
func (s *Service) ICE(ctx context.Context, meeting council.ID, a live.Actor) (ICEServers, error) {
	snap, err := s.live.Snapshot(ctx, meeting, a)
	if err != nil {
		return ICEServers{}, err
	}
	user := ""
	switch {
	case snap.State != "running":
	case (snap.Role == live.RoleMember || snap.Role == live.RoleChair) && a.PersonID != council.NilID:
		user = a.PersonID.String()
	case snap.Part == live.PartPublic:
		user = "v-" + newSecret()[:16]
	}
	return s.iceConf.servers(user, s.now()), nil
}
