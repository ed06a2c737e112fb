package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/plenar/plenar/council"
	liveweb "github.com/plenar/plenar/web/live"
)

// The sessions of live websockets: a socket of a logged-in user must not
// outlive the session that opened it (package web/live, session.go, has
// the whole story). This file is the session's side: what a socket
// remembers of its session, whether it still stands, keeping it alive,
// and the session middleware of websocket handshakes.

// sockSession is the session a live websocket was opened with
// (liveweb.Session).
type sockSession struct {
	s        *Server
	token    string
	user     council.ID
	epoch    int64
	role     council.Role
	deadline time.Time // the session's absolute expiry (sessionLifetime after login)
}

// sockSessionOf returns the session of r's logged-in user, or nil for the
// public.
func (s *Server) sockSessionOf(r *http.Request) liveweb.Session {
	rs := requestStateOf(r)
	if rs.viewer.IsPublic() {
		return nil
	}
	ctx, sm := r.Context(), s.auth.sessions
	return &sockSession{s: s, token: sm.Token(ctx), user: rs.user.ID, epoch: sm.GetInt64(ctx, keyEpoch), role: rs.user.Role,
		deadline: sm.Deadline(ctx)}
}

func (ss *sockSession) User() council.ID                         { return ss.user }
func (ss *sockSession) Stands(ctx context.Context) bool          { return ss.s.stands(ctx, ss) }
func (ss *sockSession) Touch(ctx context.Context, now time.Time) { ss.s.touch(ctx, ss, now) }

// stands reports whether ss still stands. A database error counts as
// standing (and is logged): an outage must not throw every member out,
// and no session can be ended without the database; the next check
// decides.
func (s *Server) stands(ctx context.Context, ss *sockSession) bool {
	cctx, cancel := context.WithTimeout(ctx, liveweb.SessionCheck)
	defer cancel()
	ok, err := s.council.SessionValid(cctx, ss.token, ss.user, ss.epoch, ss.role)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("live websocket: session check failed", "user_id", ss.user, "err", err)
		}
		return true
	}
	return ok
}

// touch moves ss's idle expiry to now+sessionIdle, bounded by its
// deadline. Errors are logged: the next check decides.
func (s *Server) touch(ctx context.Context, ss *sockSession, now time.Time) {
	until := now.Add(sessionIdle)
	if !ss.deadline.IsZero() && ss.deadline.Before(until) {
		until = ss.deadline
	}
	if _, err := s.council.TouchSession(ctx, ss.token, until); err != nil && ctx.Err() == nil {
		s.log.Warn("live websocket: keeping the session alive failed", "user_id", ss.user, "err", err)
	}
}

// socketSession is the session middleware of websocket handshakes
// (GET with Upgrade: websocket). Like session it loads the session and
// the viewer, but it commits the session (which extends its idle timeout
// as any request does) before the handler runs, and not after it, as
// scs's LoadAndSave would: committing the data loaded at the handshake
// hours later, when the socket ends, would bring back a session that was
// logged out or expired meanwhile. The cookie, when it changed, is in w's
// header for the handshake's response.
func (s *Server) socketSession(next http.Handler) http.Handler {
	sm := s.auth.sessions
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if c, err := r.Cookie(sm.Cookie.Name); err == nil {
			token = c.Value
		}
		ctx, err := sm.Load(r.Context(), token)
		if err != nil {
			s.fail(w, r, fmt.Errorf("session: %w", err))
			return
		}
		r, err = s.loadViewer(r.WithContext(ctx))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if sm.Status(r.Context()) == scs.Modified {
			token, expiry, err := sm.Commit(r.Context())
			if err != nil {
				s.fail(w, r, fmt.Errorf("session: %w", err))
				return
			}
			sm.WriteSessionCookie(r.Context(), w, token, expiry)
		}
		next.ServeHTTP(w, r)
	})
}
