package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// The account page of every logged-in user (docs/DOMAIN.md, "Account
// security"): their passkeys (add, rename, remove), the sessions that
// still stand (end any but this one) and their recent logins.

func (s *Server) securityRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(council.Roles...), site.NoStore)
		r.Get("/account/security", s.h(s.accountSecurity))
		r.Post("/account/passkeys/{id}/rename", s.h(s.accountRenamePasskey))
		r.Post("/account/passkeys/{id}/delete", s.h(s.accountDeletePasskey))
		r.Post("/account/sessions/{id}/end", s.h(s.accountEndSession))
		r.Post("/account/sessions/end-others", s.h(s.accountEndOtherSessions))
		r.Post("/account/birth-year", s.h(s.accountBirthYear))
	})
}

// accountRecentLogins is how many logins the page lists.
const accountRecentLogins = 20

// accountPage is the data of account_security.html.
type accountPage struct {
	formState
	Notice     string // translation key, "" for none
	PasskeysOn bool   // the base URL allows WebAuthn
	Passkeys   []council.Passkey
	Renaming   council.ID // the passkey whose rename failed
	Sessions   []council.Login
	Current    council.ID // the login of this session
	Logins     []council.Login
	BirthYear  int // 0: not given (participation.go: the age rule of co-signing)
}

// accountNotices are the notices the page shows after a change.
var accountNotices = map[string]string{
	"passkey_added":   "account.notice.passkey_added",
	"passkey_renamed": "account.notice.passkey_renamed",
	"passkey_deleted": "account.notice.passkey_deleted",
	"session_ended":   "account.notice.session_ended",
	"sessions_ended":  "account.notice.sessions_ended",
	"birth_year":      "account.notice.birth_year",
}

func (s *Server) accountSecurity(w http.ResponseWriter, r *http.Request) error {
	data := &accountPage{formState: newFormState(nil), Notice: accountNotices[r.URL.Query().Get("notice")]}
	return s.renderAccount(w, r, http.StatusOK, data)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, data *accountPage) error {
	ctx := r.Context()
	u := requestStateOf(r).user
	var err error
	data.PasskeysOn = s.webauthn != nil
	if data.Passkeys, err = s.council.Passkeys(ctx, u.ID); err != nil {
		return err
	}
	if data.Sessions, err = s.council.Sessions(ctx, u.ID); err != nil {
		return err
	}
	if data.Current, err = s.currentLogin(r); err != nil {
		return err
	}
	// This session first, then the others by their last use.
	current := func(l council.Login) int {
		if l.ID == data.Current {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(data.Sessions, func(a, b council.Login) int { return cmp.Compare(current(a), current(b)) })
	since := s.opt.Now().Add(-council.LoginRetention)
	if data.Logins, err = s.council.Logins(ctx, u.ID, since, accountRecentLogins); err != nil {
		return err
	}
	acc, err := s.council.Account(ctx, u.ID)
	if err != nil {
		return err
	}
	data.BirthYear = acc.BirthYear
	s.render(w, r, status, "account_security", data)
	return nil
}

// accountBirthYear stores (or, empty, removes) the user's year of birth:
// the only age data Plenar keeps, for the minimum age of co-signing a
// citizens' motion.
func (s *Server) accountBirthYear(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	v := strings.TrimSpace(r.PostForm.Get("birth_year"))
	year := 0
	if v != "" {
		var err error
		if year, err = strconv.Atoi(v); err != nil || year < 1900 || year > s.opt.Now().Year() {
			data := &accountPage{formState: newFormState(r.PostForm)}
			data.Errors["birth_year"] = council.MsgInvalid
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, data)
		}
	}
	if err := s.council.SetBirthYear(r.Context(), requestStateOf(r).user.ID, year); err != nil {
		return err
	}
	accountBack(w, r, "birth_year")
	return nil
}

// accountBack sends the browser back to the account page with a notice.
func accountBack(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, accountPath(r, notice), http.StatusSeeOther)
}

// accountPath is the account page with a notice, in the request's
// language.
func accountPath(r *http.Request, notice string) string {
	to := "/account/security?notice=" + notice
	if l := requestStateOf(r).lang; l != langs[0] {
		to += "&lang=" + l
	}
	return to
}

func (s *Server) accountRenamePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	err = s.council.RenamePasskey(r.Context(), requestStateOf(r).user.ID, id, r.PostForm.Get("name"))
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		data := &accountPage{formState: newFormState(r.PostForm), Renaming: id}
		data.Errors = fe
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, data)
	}
	if err != nil {
		return err
	}
	accountBack(w, r, "passkey_renamed")
	return nil
}

func (s *Server) accountDeletePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.council.DeletePasskey(r.Context(), requestStateOf(r).user.ID, id); err != nil {
		return err
	}
	s.log.Info("passkey deleted", "user_id", requestStateOf(r).user.ID, "passkey_id", id)
	accountBack(w, r, "passkey_deleted")
	return nil
}

// accountEndSession ends one of the user's other sessions. This session
// ends with "Abmelden".
func (s *Server) accountEndSession(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	cur, err := s.currentLogin(r)
	if err != nil {
		return err
	}
	if id == cur {
		return passkeyErr(council.ErrConflict, "account.err.current_session",
			"this is the session you are using: log out instead", nil)
	}
	u := requestStateOf(r).user
	if err := s.council.EndSession(r.Context(), u.ID, id); err != nil {
		return err
	}
	s.sessionEnded() // this node's live websockets check their sessions now
	s.log.Info("session ended by its user", "user_id", u.ID, "login_id", id)
	accountBack(w, r, "session_ended")
	return nil
}

// accountEndOtherSessions ends every session of the user but this one.
func (s *Server) accountEndOtherSessions(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.currentLogin(r)
	if err != nil {
		return err
	}
	u := requestStateOf(r).user
	ss, err := s.council.Sessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	ended := 0
	for _, l := range ss {
		if l.ID == cur {
			continue
		}
		// One that ended meanwhile (logout, expiry) is no error.
		if err := s.council.EndSession(r.Context(), u.ID, l.ID); err != nil && !errors.Is(err, council.ErrNotFound) {
			return err
		}
		ended++
	}
	if ended > 0 {
		s.sessionEnded()
	}
	s.log.Info("other sessions ended by their user", "user_id", u.ID, "count", ended)
	accountBack(w, r, "sessions_ended")
	return nil
}
