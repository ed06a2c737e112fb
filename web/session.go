package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gorilla/websocket"

	"github.com/plenar/plenar/council"
)

// Sessions live in PostgreSQL (table sessions, scs pgxstore schema), so
// several web nodes share them and logging out really ends a session. A
// session is only ever created by a successful password step or the start
// of a passkey login (auth_passkey.go: it holds the challenge for five
// minutes): anonymous visitors never get a cookie.
const (
	sessionIdle     = 2 * time.Hour
	sessionLifetime = 12 * time.Hour
	// pendingLifetime is how long a password-checked session may wait for
	// its second factor.
	pendingLifetime = 10 * time.Minute
)

// Session keys.
const (
	keyUserID       = "user_id"         // set only once every factor is checked: a full session
	keyRole         = "role"            // role at login, to renew the token on a privilege change
	keyEpoch        = "session_epoch"   // the user's SessionEpoch at login; a session of another epoch is void
	keyCSRF         = "csrf"            // the session-bound CSRF token
	keyLang         = "lang"            // the UI language chosen by the user
	keyPending      = "pending_user_id" // password checked, second factor missing
	keyPendingAt    = "pending_at"      // unix time of the password step
	keyPendingEpoch = "pending_epoch"   // the user's SessionEpoch at the password step
	keyNext         = "next"            // where to go after the second factor
	keyEnrol        = "totp_enrol_url"  // otpauth:// URL of a TOTP secret being enrolled
)

// authKit holds the session manager and the cross-origin checker.
type authKit struct {
	sessions *scs.SessionManager
	cop      *http.CrossOriginProtection
	// failDelay is the least time a failed or throttled login takes.
	failDelay time.Duration
}

func (s *Server) newAuthKit() (*authKit, error) {
	sm := scs.New()
	// No background goroutine per Server: CleanSessions does the cleanup.
	sm.Store = pgxstore.NewWithCleanupInterval(s.pool, 0)
	sm.IdleTimeout = sessionIdle
	sm.Lifetime = sessionLifetime
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // a browser session cookie; the server decides the expiry
	if s.opt.InsecureCookies {
		sm.Cookie.Name = "plenar_session"
		sm.Cookie.Secure = false
	} else {
		sm.Cookie.Name = "__Host-plenar_session" // Secure, Path=/, no Domain
		sm.Cookie.Secure = true
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, fmt.Errorf("session: %w", err))
	}
	cop := http.NewCrossOriginProtection()
	if s.opt.BaseURL != "" {
		u, err := url.Parse(s.opt.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("base url %q: %w", s.opt.BaseURL, err)
		}
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w", s.opt.BaseURL, err)
		}
	}
	return &authKit{sessions: sm, cop: cop, failDelay: 300 * time.Millisecond}, nil
}

// CleanSessions deletes expired sessions and login failures older than a
// day, every interval until ctx ends. The serve command runs it next to
// the HTTP server; it returns ctx's error.
func (s *Server) CleanSessions(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		s.cleanSessions(ctx)
	}
}

// cleanSessions is one round of CleanSessions.
func (s *Server) cleanSessions(ctx context.Context) {
	now := s.opt.Now()
	if n, err := s.council.DeleteExpiredSessions(ctx, now); err != nil && ctx.Err() == nil {
		s.log.Warn("clean sessions", "err", err)
	} else if n > 0 {
		s.log.Debug("expired sessions deleted", "count", n)
	}
	if err := s.council.ClearLoginFailures(ctx, "", now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
		s.log.Warn("clean login failures", "err", err)
	}
	s.forgetLogins(ctx) // auth_sessions.go
}

// session is the middleware that loads the session (without creating
// one), refuses cross-origin and token-less state changes, and fills the
// requestState with the viewer.
func (s *Server) session(next http.Handler) http.Handler {
	socket := s.socketSession(next) // session_socket.go
	saved := s.auth.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := s.loadViewer(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.checkCSRF(r); err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && websocket.IsWebSocketUpgrade(r) {
			socket.ServeHTTP(w, r) // GET: no CSRF check to make
			return
		}
		saved.ServeHTTP(w, r)
	})
}

// loadViewer fills the requestState from the session: language, CSRF
// token and, for a full session, the user and viewer. A session of a
// disabled, deleted or vanished user is destroyed, and so is one from
// before the user's sessions were ended (its epoch is not the user's
// SessionEpoch: password or second factor reset, "log out everywhere").
func (s *Server) loadViewer(r *http.Request) (*http.Request, error) {
	ctx := r.Context()
	sm := s.auth.sessions
	rs := requestStateOf(r)
	if sm.Token(ctx) == "" {
		return r, nil // anonymous: nothing to load, nothing to write
	}
	rs.csrf = sm.GetString(ctx, keyCSRF)
	rs.lang = langOf(r, sm.GetString(ctx, keyLang))
	idText := sm.GetString(ctx, keyUserID)
	if idText == "" {
		return r, nil // half logged in (or empty): grants nothing
	}
	id, err := council.ParseID(idText)
	var u council.User
	if err == nil {
		u, err = s.council.User(ctx, id)
	}
	if err != nil && !errors.Is(err, council.ErrNotFound) && !errors.Is(err, council.ErrInvalid) {
		return r, fmt.Errorf("session user: %w", err)
	}
	ended := err == nil && sm.GetInt64(ctx, keyEpoch) != u.SessionEpoch
	if err != nil || u.Disabled || u.Deleted || ended {
		if ended {
			s.log.Info("ended session refused", "user_id", u.ID)
		}
		if err := sm.Destroy(ctx); err != nil {
			return r, fmt.Errorf("destroy session: %w", err)
		}
		rs.csrf = ""
		return r, nil
	}
	if sm.GetString(ctx, keyRole) != string(u.Role) {
		// Privilege change: a new token, so an old one cannot ride on it.
		if err := s.renewSession(ctx); err != nil {
			return r, fmt.Errorf("renew session: %w", err)
		}
		sm.Put(ctx, keyRole, string(u.Role))
	}
	if l := r.URL.Query().Get("lang"); (l == "de" || l == "en") && isSafeMethod(r.Method) && sm.GetString(ctx, keyLang) != l {
		sm.Put(ctx, keyLang, l)
	}
	s.sessionSeen(ctx) // auth_sessions.go
	v := council.Viewer{UserID: u.ID, Role: u.Role}
	if u.Role == council.RoleMember && u.PersonID != council.NilID {
		if v.Orgs, err = s.council.OrgsOf(ctx, u.PersonID, council.Today(s.opt.Now())); err != nil {
			return r, fmt.Errorf("session viewer: %w", err)
		}
	}
	rs.viewer, rs.user, rs.userName = v, u, u.DisplayName
	if rs.userName == "" {
		rs.userName = u.Email
	}
	return r.WithContext(council.WithActor(ctx, u.ID)), nil
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// errCSRF is the 403 for a forged or stale form.
var errCSRF = fmt.Errorf("%w: the form is outdated or came from another site; reload the page and try again", council.ErrForbidden)

// checkCSRF refuses a state-changing request that a browser sent from
// another origin (http.CrossOriginProtection: Sec-Fetch-Site, Origin), and
// for a request with a session one without the session's token in the
// csrf_token form field or the X-CSRF-Token header.
func (s *Server) checkCSRF(r *http.Request) error {
	if isSafeMethod(r.Method) {
		return nil
	}
	if err := s.auth.cop.Check(r); err != nil {
		return fmt.Errorf("%w (%w)", errCSRF, err)
	}
	want := requestStateOf(r).csrf
	if want == "" {
		return nil // no session: nothing to ride on (e.g. the login form)
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = formCSRFToken(r) // files_csrf.go: multipart forms without buffering
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// newSecret returns 32 random bytes, URL-safe base64.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
