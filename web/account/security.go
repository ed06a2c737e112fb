package account

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
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/web/site"
)

// The account page of every logged-in user (docs/DOMAIN.md, "Account
// security"): their passkeys (add, rename, remove), the sessions that
// still stand (end any but this one) and their recent logins.

func (s *server) securityRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.RequireRole(council.Roles...), site.NoStore)
		r.Get("/account/security", s.Handle(s.accountSecurity))
		r.Post("/account/passkeys/{id}/rename", s.Handle(s.accountRenamePasskey))
		r.Post("/account/passkeys/{id}/delete", s.Handle(s.accountDeletePasskey))
		r.Post("/account/sessions/{id}/end", s.Handle(s.accountEndSession))
		r.Post("/account/sessions/end-others", s.Handle(s.accountEndOtherSessions))
		r.Post("/account/birth-year", s.Handle(s.accountBirthYear))
	})
}

// accountRecentLogins is how many logins the page lists.
const accountRecentLogins = 20

// accountPage is the data of account_security.html.
type accountPage struct {
	site.Form
	Notice     string // translation key, "" for none
	PasskeysOn bool   // the base URL allows WebAuthn
	Passkeys   []council.Passkey
	Renaming   council.ID // the passkey whose rename failed
	Sessions   []council.Login
	Current    council.ID // the login of this session
	Logins     []council.Login
	LoginDays  int // the retention period of logins (privacy.Logins)
	BirthYear  int // 0: not given (web/participation: the age rule of co-signing)
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

func (s *server) accountSecurity(w http.ResponseWriter, r *http.Request) error {
	data := &accountPage{Form: site.NewForm(nil), Notice: accountNotices[r.URL.Query().Get("notice")]}
	return s.renderAccount(w, r, http.StatusOK, data)
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, status int, data *accountPage) error {
	ctx := r.Context()
	u := s.State(r).User
	var err error
	data.PasskeysOn = s.PasskeysOn
	if data.Passkeys, err = s.Council.Passkeys(ctx, u.ID); err != nil {
		return err
	}
	if data.Sessions, err = s.Council.Sessions(ctx, u.ID); err != nil {
		return err
	}
	if data.Current, err = s.CurrentLogin(r); err != nil {
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
	if data.LoginDays, err = s.Privacy.Days(ctx, privacy.Logins); err != nil {
		return err
	}
	since := s.Now().AddDate(0, 0, -data.LoginDays)
	if data.Logins, err = s.Council.Logins(ctx, u.ID, since, accountRecentLogins); err != nil {
		return err
	}
	acc, err := s.Council.Account(ctx, u.ID)
	if err != nil {
		return err
	}
	data.BirthYear = acc.BirthYear
	s.Render(w, r, status, "account_security", data)
	return nil
}

// accountBirthYear stores (or, empty, removes) the user's year of birth:
// the only age data Plenar keeps, for the minimum age of co-signing a
// citizens' motion.
func (s *server) accountBirthYear(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	v := strings.TrimSpace(r.PostForm.Get("birth_year"))
	year := 0
	if v != "" {
		var err error
		if year, err = strconv.Atoi(v); err != nil || year < 1900 || year > s.Now().Year() {
			data := &accountPage{Form: site.NewForm(r.PostForm)}
			data.Errors["birth_year"] = council.MsgInvalid
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, data)
		}
	}
	if err := s.Council.SetBirthYear(r.Context(), s.State(r).User.ID, year); err != nil {
		return err
	}
	s.accountBack(w, r, "birth_year")
	return nil
}

// accountBack sends the browser back to the account page with a notice.
func (s *server) accountBack(w http.ResponseWriter, r *http.Request, notice string) {
	s.back(w, r, SecurityPath, notice)
}

// SecurityPath is the account page's path (the passkey ceremony sends the
// browser back to it).
const SecurityPath = "/account/security"

func (s *server) accountRenamePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	err = s.Council.RenamePasskey(r.Context(), s.State(r).User.ID, id, r.PostForm.Get("name"))
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		data := &accountPage{Form: site.NewForm(r.PostForm), Renaming: id}
		data.Errors = fe
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, data)
	}
	if err != nil {
		return err
	}
	s.accountBack(w, r, "passkey_renamed")
	return nil
}

func (s *server) accountDeletePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.Council.DeletePasskey(r.Context(), s.State(r).User.ID, id); err != nil {
		return err
	}
	s.Log.Info("passkey deleted", "user_id", s.State(r).User.ID, "passkey_id", id)
	s.accountBack(w, r, "passkey_deleted")
	return nil
}

// accountEndSession ends one of the user's other sessions. This session
// ends with "Abmelden".
func (s *server) accountEndSession(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	cur, err := s.CurrentLogin(r)
	if err != nil {
		return err
	}
	if id == cur {
		return &council.UserError{Kind: council.ErrConflict, Key: "account.err.current_session",
			Text: "this is the session you are using: log out instead"}
	}
	u := s.State(r).User
	if err := s.Council.EndSession(r.Context(), u.ID, id); err != nil {
		return err
	}
	s.SessionEnded() // this node's live websockets check their sessions now
	s.Log.Info("session ended by its user", "user_id", u.ID, "login_id", id)
	s.accountBack(w, r, "session_ended")
	return nil
}

// accountEndOtherSessions ends every session of the user but this one.
func (s *server) accountEndOtherSessions(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.CurrentLogin(r)
	if err != nil {
		return err
	}
	u := s.State(r).User
	ss, err := s.Council.Sessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	ended := 0
	for _, l := range ss {
		if l.ID == cur {
			continue
		}
		// One that ended meanwhile (logout, expiry) is no error.
		if err := s.Council.EndSession(r.Context(), u.ID, l.ID); err != nil && !errors.Is(err, council.ErrNotFound) {
			return err
		}
		ended++
	}
	if ended > 0 {
		s.SessionEnded()
	}
	s.Log.Info("other sessions ended by their user", "user_id", u.ID, "count", ended)
	s.accountBack(w, r, "sessions_ended")
	return nil
}
