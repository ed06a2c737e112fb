package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// The log of a user's own logins and sessions (docs/DOMAIN.md, "Account
// security"): every completed login is a row of table logins that names
// its session, so that /account/security can list the sessions that
// still stand and end any of them (scs keeps session data gob-encoded: a
// session cannot be found by its user otherwise).

// keySeen is the unix time the session's login row was last marked as
// seen.
const keySeen = "seen_at"

// seenEvery is how often a session's last_seen is written at most.
const seenEvery = time.Minute

// recordLogin writes the login of u by method and the session it opened
// (the session's new token: call after RenewToken).
func (s *Server) recordLogin(r *http.Request, u council.User, method council.LoginMethod) error {
	ctx := r.Context()
	now := s.opt.Now()
	s.auth.sessions.Put(ctx, keySeen, now.Unix())
	_, err := s.council.RecordLogin(ctx, council.LoginInput{UserID: u.ID, At: now, Method: method,
		UserAgent: agentSummary(r.UserAgent()), Addr: council.TruncateAddr(s.clientAddr(r)),
		Token: s.auth.sessions.Token(ctx), Epoch: u.SessionEpoch})
	return err
}

// sessionSeen marks the full session of ctx as used now, at most once per
// seenEvery. A failure is logged: it must not fail the request.
func (s *Server) sessionSeen(ctx context.Context) {
	sm := s.auth.sessions
	now := s.opt.Now()
	if now.Sub(time.Unix(sm.GetInt64(ctx, keySeen), 0)) < seenEvery {
		return
	}
	sm.Put(ctx, keySeen, now.Unix())
	if err := s.council.SessionSeen(ctx, sm.Token(ctx), now); err != nil && ctx.Err() == nil {
		s.log.Warn("session seen", "err", err)
	}
}

// renewSession renews the token of the session of ctx and moves its login
// row to the new token.
func (s *Server) renewSession(ctx context.Context) error {
	sm := s.auth.sessions
	old := sm.Token(ctx)
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	return s.council.SessionRenewed(ctx, old, sm.Token(ctx))
}

// forgetLogins is cleanSessions' part for the login log: it forgets the
// tokens of sessions that are gone. Old logins are deleted by the daily
// retention job (package council/privacy, class logins; docs/ARCHITECTURE.md,
// "Privacy"), whose period the city sets.
func (s *Server) forgetLogins(ctx context.Context) {
	if err := s.council.ForgetLogins(ctx, time.Time{}); err != nil && ctx.Err() == nil {
		s.log.Warn("forget old logins", "err", err)
	}
}

// currentLogin returns the id of the login that opened the session of r,
// or NilID.
func (s *Server) currentLogin(r *http.Request) (council.ID, error) {
	id, err := s.council.LoginOfSession(r.Context(), s.auth.sessions.Token(r.Context()))
	if errors.Is(err, council.ErrNotFound) {
		return council.NilID, nil
	}
	return id, err
}

// agentSummary reduces a User-Agent header to browser and system, e.g.
// "Firefox, Linux": enough to recognise one's devices, nothing more.
func agentSummary(ua string) string {
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
		{"HeadlessChrome/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + ", " + system
	case browser != "":
		return browser
	default:
		return system
	}
}
