package liveweb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/plenar/plenar/council"
)

// A live websocket must not outlive the session that opened it. A socket
// of a logged-in user remembers its session (Deps.Session: package web
// keeps the token, the user, the user's session epoch and role) and checks
// that it still stands (Session.Stands: council.Store.SessionValid, one
// indexed lookup per table):
//
//   - at once, on every node, when a session ends: logout, password or
//     second-factor reset, disabling an account (also by `plenar user …`
//     in another process) and "log out everywhere" notify
//     council.SessionsChannel at commit; each node's web.Server.Watch
//     listens and wakes all its sockets to check (Wake). The node
//     where a user logs out wakes its own sockets without waiting for
//     the notification;
//   - every SessionCheck, on every node, as the safety net: this
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
// it ends (package web's session middleware for websocket handshakes):
// committing the data loaded at the handshake hours later would bring back
// a session that was logged out or expired meanwhile.
//
// An open socket is activity of its session: every SessionTouch the
// socket moves its session's idle expiry forward (Session.Touch, never
// past the session's absolute deadline), so a member who follows a
// four-hour session without clicking anything is not logged out by the
// idle timeout.
const (
	SessionCheck = 3 * time.Second // how often a socket checks its session anyway
	SessionTouch = time.Minute     // how often a socket keeps its session alive
	CloseSession = 4001            // the close code of a socket whose session ended
)

// Wake wakes the sockets of this node to check their sessions.
type Wake struct {
	// Every is how often each socket checks anyway, Touch how often it
	// keeps its session alive (SessionCheck, SessionTouch; tests change
	// them before any socket opens).
	Every, Touch time.Duration
	listening    chan struct{} // closed once the server's watcher first listens
	listenOnce   sync.Once

	mu sync.Mutex
	ch chan struct{}
}

// NewWake returns a Wake with the default timings.
func NewWake() *Wake {
	return &Wake{Every: SessionCheck, Touch: SessionTouch, listening: make(chan struct{}), ch: make(chan struct{})}
}

// wait returns a channel closed at the next fire.
func (w *Wake) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

// Fire wakes every socket of this node to check its session now.
func (w *Wake) Fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.ch)
	w.ch = make(chan struct{})
}

// Listened records that the server's watcher of ended sessions listens
// (once; later calls do nothing).
func (w *Wake) Listened() { w.listenOnce.Do(func() { close(w.listening) }) }

// Listening is closed once the watcher first listens.
func (w *Wake) Listening() <-chan struct{} { return w.listening }

// sessionLoop checks lc's session every Wake.Every and when woken,
// until ctx ends or the session no longer stands (then it ends lc).
func (lc *liveConn) sessionLoop(ctx context.Context) {
	wk := lc.s.Wake
	t := time.NewTicker(wk.Every)
	defer t.Stop()
	wake := wk.wait()
	touched := lc.s.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		wake = wk.wait() // before the check: a session ending during it wakes the next
		if !lc.sess.Stands(ctx) {
			lc.endSession()
			return
		}
		if now := lc.s.Now(); now.Sub(touched) >= wk.Touch {
			touched = now
			lc.sess.Touch(ctx, now)
		}
	}
}

// checkSession checks the session of a logged-in user's socket before it
// acts as the user (a command, joining the media). Errors: ErrUnauthorized
// when the session ended; the socket then closes.
func (lc *liveConn) checkSession(ctx context.Context) error {
	if lc.sess == nil || lc.sess.Stands(ctx) {
		return nil
	}
	lc.endSession()
	return fmt.Errorf("%w: your session ended", council.ErrUnauthorized)
}

// endSession makes the writer close the socket with CloseSession.
func (lc *liveConn) endSession() {
	lc.endOnce.Do(func() {
		lc.s.Log.Info("live websocket closed: its session ended", "meeting_id", lc.meeting, "user_id", lc.sess.User())
		close(lc.ended)
	})
}
