package web

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
)

// Login: e-mail and password, then for staff (and anyone who enabled it)
// a TOTP code; staff without a confirmed secret enrol first. Only after
// every factor the session carries keyUserID and grants anything.

// Throttling: failed passwords and TOTP codes within throttleWindow, per
// account and per client address.
const (
	throttleWindow      = 15 * time.Minute
	maxAccountFailures  = 5
	maxAddressFailures  = 20
	loginFailureMessage = "login.failed"
)

// dummyHash is an argon2id hash (same parameters as council.HashPassword)
// of a password nobody knows: checking an unknown e-mail's password
// against it takes as long as checking a real one.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$Ae7wwqg9DvzXvNJe0RkNpw$6ceokp5tfPYYOc75nq4ktpV90/7hh2V1JA0XAkQyrQk"

func (s *Server) authRoutes(r chi.Router) {
	r.Get("/login", s.h(s.loginForm))
	r.Post("/login", s.h(s.login))
	r.Get("/login/totp", s.h(s.totpForm))
	r.Post("/login/totp", s.h(s.totp))
	r.Get("/login/totp/setup", s.h(s.totpSetupForm))
	r.Post("/login/totp/setup", s.h(s.totpSetup))
	r.Post("/logout", s.h(s.logout))
	s.passkeyRoutes(r) // auth_passkey.go; the account page /account/security is package web/account
}

// loginPage is the data of login.html.
type loginPage struct {
	formState
	Next      string
	Throttled bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if rs := requestStateOf(r); !rs.viewer.IsPublic() {
		http.Redirect(w, r, landing(next, rs.viewer.Role), http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "login", &loginPage{formState: newFormState(nil), Next: next})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: login form: %w", council.ErrInvalid, err)
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	data := &loginPage{formState: newFormState(r.PostForm), Next: localPath(r.PostForm.Get("next"))}
	w.Header().Set("Cache-Control", "no-store")
	if email == "" {
		data.Errors["email"] = council.MsgRequired
	}
	if password == "" {
		data.Errors["password"] = council.MsgRequired
	}
	if len(data.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "login", data)
		return nil
	}
	addr := s.clientAddr(r)
	if throttled, err := s.throttled(ctx, email, addr); err != nil {
		return err
	} else if throttled {
		s.pause(ctx, start)
		w.Header().Set("Retry-After", fmt.Sprint(int(throttleWindow.Seconds())))
		data.Throttled = true
		s.render(w, r, http.StatusTooManyRequests, "login", data)
		return nil
	}
	u, err := s.council.UserByEmail(ctx, email)
	ok := false
	switch {
	case errors.Is(err, council.ErrNotFound):
		council.CheckPassword(password, dummyHash) // same work as for a real account
	case err != nil:
		return err
	default:
		ok = council.CheckPassword(password, u.PasswordHash) && !u.Disabled
	}
	if !ok {
		if err := s.council.RecordLoginFailure(ctx, email, addr, s.opt.Now()); err != nil {
			return err
		}
		s.pause(ctx, start)
		// One message for unknown e-mail, wrong password and disabled
		// account: the form does not tell which accounts exist.
		data.Errors["password"] = loginFailureMessage
		s.render(w, r, http.StatusUnauthorized, "login", data)
		return nil
	}
	if unverified, err := s.unverified(ctx, u); err != nil || unverified { // register.go
		if err == nil {
			data.Errors["email"] = loginUnverifiedMessage
			s.render(w, r, http.StatusForbidden, "login", data)
		}
		return err
	}
	sm := s.auth.sessions
	if err := sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if !u.Role.NeedsTOTP() && !u.TOTPEnabled {
		return s.finishLogin(w, r, u, data.Next)
	}
	sm.Put(ctx, keyPending, u.ID.String())
	sm.Put(ctx, keyPendingAt, s.opt.Now().Unix())
	sm.Put(ctx, keyPendingEpoch, u.SessionEpoch)
	sm.Put(ctx, keyNext, data.Next)
	sm.Put(ctx, keyCSRF, newSecret())
	sm.Put(ctx, keyLang, requestStateOf(r).lang)
	if u.TOTPEnabled {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
	}
	return nil
}

// finishLogin turns the session into a full one for u (see beginSession)
// and sends the browser on: after a password alone, or after the TOTP
// code of a half-logged-in session.
func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, u council.User, next string) error {
	method := council.LoginPassword
	if s.auth.sessions.GetString(r.Context(), keyPending) != "" {
		method = council.LoginPasswordTOTP
	}
	to, err := s.beginSession(r, u, next, method)
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// beginSession turns the session into a full one for u: a new token, a
// new CSRF token, u's session epoch, the failure count of the account
// forgotten, the login recorded (auth_sessions.go). It returns where to
// go.
func (s *Server) beginSession(r *http.Request, u council.User, next string, method council.LoginMethod) (string, error) {
	ctx := r.Context()
	sm := s.auth.sessions
	if err := sm.RenewToken(ctx); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	for _, k := range []string{keyPending, keyPendingAt, keyPendingEpoch, keyNext, keyEnrol} {
		sm.Remove(ctx, k)
	}
	sm.Put(ctx, keyUserID, u.ID.String())
	sm.Put(ctx, keyRole, string(u.Role))
	sm.Put(ctx, keyEpoch, u.SessionEpoch)
	sm.Put(ctx, keyCSRF, newSecret())
	sm.Put(ctx, keyLang, requestStateOf(r).lang)
	if err := s.council.ClearLoginFailures(ctx, u.Email, s.opt.Now().Add(-24*time.Hour)); err != nil {
		return "", err
	}
	if err := s.recordLogin(r, u, method); err != nil {
		return "", err
	}
	s.log.Info("login", "user_id", u.ID, "role", u.Role, "method", method)
	return landing(localPath(next), u.Role), nil
}

// landing is where a user of role goes after logging in: next, a path on
// this site (see localPath), unless it is only the start page; then staff
// land in the back office, members on "Meine Gremien", everyone else on
// the start page.
func landing(next string, role council.Role) string {
	if next != "/" {
		return next
	}
	switch {
	case role.IsStaff():
		return "/admin"
	case role == council.RoleMember:
		return "/my/bodies"
	}
	return "/"
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if s.auth.sessions.Token(ctx) != "" {
		if err := s.auth.sessions.Destroy(ctx); err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		// Its live websockets close: on this node now, on the others
		// when they hear of it (package web/live, session.go).
		s.sessionEnded()
		if err := s.council.NotifySessionEnded(ctx, requestStateOf(r).user.ID); err != nil {
			s.log.Warn("logout: notify the other nodes", "err", err)
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// throttled reports whether account or addr failed too often lately.
func (s *Server) throttled(ctx context.Context, account, addr string) (bool, error) {
	byAccount, byAddr, err := s.council.LoginFailures(ctx, account, addr, s.opt.Now().Add(-throttleWindow))
	if err != nil {
		return false, err
	}
	return byAccount >= maxAccountFailures || byAddr >= maxAddressFailures, nil
}

// pause makes a failed or throttled attempt last at least failDelay (plus
// some jitter) since start, so its timing tells nothing and guessing is
// slow.
func (s *Server) pause(ctx context.Context, start time.Time) {
	d := s.auth.failDelay - time.Since(start)
	if s.auth.failDelay > 0 {
		d += rand.N(s.auth.failDelay / 4)
	}
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// localPath returns next when it is a path on this site, else "/": no
// scheme, no host, no protocol-relative //host, no backslash tricks.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\x00\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	if u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") || u.Path == "/logout" {
		return "/"
	}
	return next
}
