package web

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/plenar/plenar/council"
)

// A live websocket must not outlive the session that opened it. A socket
// of a logged-in user remembers its session — the token, the user, the
// user's session epoch and role — and checks that it still stands
// (council.Store.SessionValid, one indexed lookup per table):
//
//   - at once, on every node, when a session ends: logout, password or
//     second-factor reset, disabling an account (also by `plenar user …`
//     in another process) and "log out everywhere" notify
//     council.SessionsChannel at commit; each node's Watch
//     listens and wakes all its sockets to check (sessionWake). The node
//     where a user logs out wakes its own sockets without waiting for
//     the notification;
//   - every liveSessionCheck, on every node, as the safety net: this
//     catches what sends no notification (expiry, a role change) and a
//     notification lost while a listener reconnected, within seconds;
//   - before every command the socket runs as the user.
//
// Cost: one small query per socket of a logged-in user every 3 s (the
// public's sockets check nothing), plus one per such socket when any
// session ends (rare); one listening connection per node.
//
// When the session no longer stands the socket closes with code 4001
// ("session ended"); live.js then reloads the page, which shows what the
// visitor now is (the public live page; the login for the member page and
// the console). Closing the socket also closes the user's media peer.
// Sockets of the public have no session to lose and check nothing.
//
// The handshake's session is committed before the socket runs, never when
// it ends (socketSession): committing the data loaded at the handshake
// hours later would bring back a session that was logged out or expired
// meanwhile.
//
// An open socket is activity of its session: every liveSessionTouch the
// socket moves its session's idle expiry forward (never past the session's
// absolute deadline), so a member who follows a four-hour session without
// clicking anything is not logged out by the idle timeout.
const (
	liveSessionCheck = 3 * time.Second
	liveSessionTouch = time.Minute
	liveCloseSession = 4001
)

// sockSession is the session a live websocket was opened with.
type sockSession struct {
	token    string
	user     council.ID
	epoch    int64
	role     council.Role
	deadline time.Time // the session's absolute expiry (sessionLifetime after login)
}

// sockSessionOf returns the session of r's logged-in user, or nil for the
// public.
func (s *Server) sockSessionOf(r *http.Request) *sockSession {
	rs := requestStateOf(r)
	if rs.viewer.IsPublic() {
		return nil
	}
	ctx, sm := r.Context(), s.auth.sessions
	return &sockSession{token: sm.Token(ctx), user: rs.user.ID, epoch: sm.GetInt64(ctx, keyEpoch), role: rs.user.Role,
		deadline: sm.Deadline(ctx)}
}

// stands reports whether ss still stands. A database error counts as
// standing (and is logged): an outage must not throw every member out,
// and no session can be ended without the database; the next check
// decides.
func (s *Server) stands(ctx context.Context, ss *sockSession) bool {
	cctx, cancel := context.WithTimeout(ctx, liveSessionCheck)
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

// sessionWake wakes the sockets of this node to check their sessions.
type sessionWake struct {
	every      time.Duration // how often each socket checks anyway (tests change it)
	touch      time.Duration // how often each socket keeps its session alive (tests change it)
	listening  chan struct{} // closed once Watch first listens
	listenOnce sync.Once

	mu sync.Mutex
	ch chan struct{}
}

func newSessionWake() *sessionWake {
	return &sessionWake{every: liveSessionCheck, touch: liveSessionTouch, listening: make(chan struct{}), ch: make(chan struct{})}
}

// wait returns a channel closed at the next fire.
func (w *sessionWake) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

func (w *sessionWake) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.ch)
	w.ch = make(chan struct{})
}

// sessionEnded tells this node's live websockets that a session ended.
func (s *Server) sessionEnded() { s.wake.fire() }

// Watch listens for ended sessions (council.SessionsChannel) until ctx
// ends: an ended session wakes this node's live websockets to check
// theirs. A lost connection is retried with back-off, and each new listen
// wakes the sockets too (a notification may have been missed meanwhile).
// It returns nil after ctx ends. The serve command runs it next to the
// HTTP server; without it the sockets still check every few seconds.
// (Revoked media tokens are media.Service.Run's.)
func (s *Server) Watch(ctx context.Context) error {
	council.ListenRetry(ctx, s.pool, []string{council.SessionsChannel}, s.log, "session listener", func() {
		s.sessionEnded()
		s.wake.listenOnce.Do(func() { close(s.wake.listening) })
	}, func(string, string) { s.sessionEnded() })
	return nil
}

// sessionLoop checks lc's session every liveSessionCheck and when woken,
// until ctx ends or the session no longer stands (then it ends lc).
func (lc *liveConn) sessionLoop(ctx context.Context) {
	t := time.NewTicker(lc.s.wake.every)
	defer t.Stop()
	wake := lc.s.wake.wait()
	touched := lc.s.opt.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		wake = lc.s.wake.wait() // before the check: a session ending during it wakes the next
		if !lc.s.stands(ctx, lc.sess) {
			lc.endSession()
			return
		}
		if now := lc.s.opt.Now(); now.Sub(touched) >= lc.s.wake.touch {
			touched = now
			lc.s.touch(ctx, lc.sess, now)
		}
	}
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

// checkSession checks the session of a logged-in user's socket before it
// acts as the user (a command, joining the media). Errors: ErrUnauthorized
// when the session ended; the socket then closes.
func (lc *liveConn) checkSession(ctx context.Context) error {
	if lc.sess == nil || lc.s.stands(ctx, lc.sess) {
		return nil
	}
	lc.endSession()
	return fmt.Errorf("%w: your session ended", council.ErrUnauthorized)
}

// endSession makes the writer close the socket with liveCloseSession.
func (lc *liveConn) endSession() {
	lc.endOnce.Do(func() {
		lc.s.log.Info("live websocket closed: its session ended", "meeting_id", lc.meeting, "user_id", lc.sess.user)
		close(lc.ended)
	})
}

// socketSession is the session middleware of websocket handshakes
// (GET with Upgrade: websocket). Like session it loads the session and
// the viewer, but it commits the session (which extends its idle timeout
// as any request does) before the handler runs, and not after it, as
// scs's LoadAndSave would: see the comment at the top. The cookie, when
// it changed, is in w's header for the handshake's response.
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
