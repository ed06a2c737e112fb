package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/account"
)

// Passkeys (WebAuthn) next to passwords and TOTP (docs/DOMAIN.md,
// "Account security"). A logged-in user registers passkeys on
// /account/security; /login offers "Mit Passkey anmelden" (a discoverable
// credential: no e-mail needed); after the password step, a user who
// owes a second factor may answer with a passkey instead of a TOTP code.
// Every ceremony requires user verification (PIN or biometrics on the
// device), so a passkey alone is two factors and completes a login of
// every role, staff included.
//
// Each ceremony's challenge lives in the server-side session only (never
// in the browser), is taken out by the finish step whatever its outcome
// (single use) and expires after passkeyTimeout.

// Session keys of the passkey ceremonies.
const (
	keyPasskeyRegister = "passkey_register" // JSON passkeyCeremony: a registration in progress
	keyPasskeyLogin    = "passkey_login"    // JSON passkeyCeremony: a passkey login in progress
	keyPasskeySecond   = "passkey_second"   // JSON passkeyCeremony: a passkey as second factor in progress
)

// passkeyTimeout is how long a ceremony may take, from its challenge to
// the browser's answer.
const passkeyTimeout = 5 * time.Minute

// passkeyFailAccount is the account name under which failed passkey
// logins are counted (per address; it is no e-mail address, so it never
// meets a real account's count).
const passkeyFailAccount = "(passkey)"

// passkeyCeremony is what a ceremony keeps in the session between its
// begin and finish steps.
type passkeyCeremony struct {
	Data webauthn.SessionData `json:"data"`
	Name string               `json:"name,omitempty"` // registration: the passkey's name
	Next string               `json:"next,omitempty"` // login: where to go afterwards
}

// newWebAuthn configures the relying party from the public base URL: its
// host is the RP ID and its origin the only accepted origin. No base URL,
// or one whose host is an IP address (WebAuthn needs a domain): nil,
// passkeys are off.
func newWebAuthn(baseURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if baseURL == "" || err != nil || u.Hostname() == "" || protocol.ValidateRPID(u.Hostname()) != nil {
		return nil, nil
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyTimeout, TimeoutUVD: passkeyTimeout}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "Plenar",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.VerificationRequired,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return nil, fmt.Errorf("webauthn for %s: %w", baseURL, err)
	}
	return w, nil
}

func (s *Server) passkeyRoutes(r chi.Router) {
	r.Post("/login/passkey/begin", s.api(s.passkeyLoginBegin))
	r.Post("/login/passkey/finish", s.api(s.passkeyLoginFinish))
	r.Post("/login/passkey/second/begin", s.api(s.passkeySecondBegin))
	r.Post("/login/passkey/second/finish", s.api(s.passkeySecondFinish))
	r.Post("/account/passkeys/begin", s.api(s.passkeyRegisterBegin))
	r.Post("/account/passkeys/finish", s.api(s.passkeyRegisterFinish))
}

// passkeyUser is a user as the WebAuthn library sees it. The user handle
// is the account's id: random, stable, no personal data.
type passkeyUser struct {
	u    council.User
	keys []council.Passkey
}

func (p passkeyUser) WebAuthnID() []byte { return p.u.ID[:] }
func (p passkeyUser) WebAuthnName() string {
	return p.u.Email
}
func (p passkeyUser) WebAuthnDisplayName() string {
	if p.u.DisplayName != "" {
		return p.u.DisplayName
	}
	return p.u.Email
}
func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(p.keys))
	for i, k := range p.keys {
		tr := make([]protocol.AuthenticatorTransport, len(k.Transports))
		for j, t := range k.Transports {
			tr[j] = protocol.AuthenticatorTransport(t)
		}
		out[i] = webauthn.Credential{
			ID: k.CredentialID, PublicKey: k.PublicKey, AttestationFormat: k.AttestationFormat, Transport: tr,
			Flags: webauthn.CredentialFlags{UserPresent: true, UserVerified: k.UserVerified,
				BackupEligible: k.BackupEligible, BackupState: k.BackupState},
			Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount},
		}
	}
	return out
}

// passkeyUserOf loads u's passkeys.
func (s *Server) passkeyUserOf(r *http.Request, u council.User) (passkeyUser, error) {
	keys, err := s.council.Passkeys(r.Context(), u.ID)
	return passkeyUser{u: u, keys: keys}, err
}

// errPasskeysOff answers every passkey endpoint when the base URL allows
// no WebAuthn.
var errPasskeysOff = &council.UserError{Kind: council.ErrUnavailable, Key: "passkey.err.off",
	Text: "passkeys are not available on this site"}

// passkeyErr is a refusal with a message for the user: kind decides the
// status, key the text, cause goes to the log (as text only: an error
// kind inside it, such as the ErrNotFound of an unknown credential, must
// not decide the status).
func passkeyErr(kind error, key, text string, cause error) error {
	if cause != nil {
		cause = errors.New(cause.Error())
	}
	return &council.UserError{Kind: kind, Key: key, Text: text, Cause: cause}
}

func errNoCeremony(cause error) error {
	return passkeyErr(council.ErrInvalid, "passkey.err.no_ceremony",
		"no passkey ceremony in progress, or it expired: start again", cause)
}

func errPasskeyFailed(cause error) error {
	return passkeyErr(council.ErrUnauthorized, "passkey.err.failed", "the passkey was not accepted", cause)
}

func errPasskeyMalformed(cause error) error {
	return passkeyErr(council.ErrInvalid, "passkey.err.malformed", "the browser's answer is not a passkey answer", cause)
}

// beginCeremony keeps c in the session under key and sends the options
// to the browser.
func (s *Server) beginCeremony(w http.ResponseWriter, r *http.Request, key string, c passkeyCeremony, options any) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("passkey ceremony: %w", err)
	}
	s.auth.sessions.Put(r.Context(), key, string(b))
	return writeJSON(w, options)
}

// takeCeremony takes the ceremony under key out of the session (it is
// used once, whatever the outcome) and checks that it has not expired.
func (s *Server) takeCeremony(r *http.Request, key string) (passkeyCeremony, error) {
	var c passkeyCeremony
	raw := s.auth.sessions.PopString(r.Context(), key)
	if raw == "" {
		return c, errNoCeremony(nil)
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return c, errNoCeremony(err)
	}
	if c.Data.Expires.IsZero() || !s.opt.Now().Before(c.Data.Expires) {
		return c, errNoCeremony(errors.New("expired"))
	}
	return c, nil
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(v)
}

// readJSON decodes a small JSON request body into v.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: request body: %w", council.ErrInvalid, err)
	}
	return nil
}

// passkeyRegisterBegin starts registering a passkey of the logged-in
// user: {"name": "…", "password": "…"} in, creation options out. The
// current password confirms it: a passkey outlives a password change, so
// whoever rides on a stolen session must not be able to add one.
func (s *Server) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	rs := requestStateOf(r)
	if rs.viewer.IsPublic() {
		return council.ErrUnauthorized
	}
	if s.webauthn == nil {
		return errPasskeysOff
	}
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := (council.Passkey{Name: in.Name, CredentialID: []byte{0}, PublicKey: []byte{0}}).Validate(); err != nil {
		return err
	}
	if t, err := s.passkeyThrottled(w, r, rs.user.Email); err != nil || t {
		return err
	}
	if !council.CheckPassword(in.Password, rs.user.PasswordHash) {
		if err := s.council.RecordLoginFailure(r.Context(), rs.user.Email, s.clientAddr(r), s.opt.Now()); err != nil {
			return err
		}
		s.pause(r.Context(), start)
		return passkeyErr(council.ErrUnauthorized, "passkey.err.password", "the password is wrong", nil)
	}
	pu, err := s.passkeyUserOf(r, rs.user)
	if err != nil {
		return err
	}
	creation, data, err := s.webauthn.BeginRegistration(pu,
		webauthn.WithExclusions(webauthn.Credentials(pu.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return fmt.Errorf("begin passkey registration: %w", err)
	}
	return s.beginCeremony(w, r, keyPasskeyRegister, passkeyCeremony{Data: *data, Name: in.Name}, creation)
}

// passkeyRegisterFinish checks the browser's new credential against the
// ceremony and stores it.
func (s *Server) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) error {
	rs := requestStateOf(r)
	if rs.viewer.IsPublic() {
		return council.ErrUnauthorized
	}
	if s.webauthn == nil {
		return errPasskeysOff
	}
	c, err := s.takeCeremony(r, keyPasskeyRegister)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(r.Body)
	if err != nil {
		return errPasskeyMalformed(err)
	}
	pu, err := s.passkeyUserOf(r, rs.user)
	if err != nil {
		return err
	}
	cred, err := s.webauthn.CreateCredential(pu, c.Data, parsed)
	if err != nil {
		return passkeyErr(council.ErrInvalid, "passkey.err.register", "the passkey could not be registered", err)
	}
	tr := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		tr[i] = string(t)
	}
	p, err := s.council.AddPasskey(r.Context(), council.Passkey{
		UserID: rs.user.ID, CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		Transports: tr, AAGUID: cred.Authenticator.AAGUID, AttestationFormat: cred.AttestationFormat,
		UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		Name: c.Name,
	})
	if err != nil {
		return err
	}
	s.log.Info("passkey registered", "user_id", rs.user.ID, "passkey_id", p.ID)
	return writeJSON(w, map[string]any{"id": p.ID, "location": account.NoticePath(account.SecurityPath, "passkey_added", requestStateOf(r).lang, langs[0])})
}

// passkeyLoginBegin starts a login with a discoverable passkey:
// {"next": "/path"} in, request options out. A visitor without a session
// gets one that holds only the challenge and ends after passkeyTimeout.
func (s *Server) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) error {
	if s.webauthn == nil {
		return errPasskeysOff
	}
	var in struct {
		Next string `json:"next"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if t, err := s.passkeyThrottled(w, r, ""); err != nil || t {
		return err
	}
	assertion, data, err := s.webauthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return fmt.Errorf("begin passkey login: %w", err)
	}
	sm := s.auth.sessions
	if sm.Token(r.Context()) == "" {
		sm.SetDeadline(r.Context(), s.opt.Now().Add(passkeyTimeout))
	}
	return s.beginCeremony(w, r, keyPasskeyLogin, passkeyCeremony{Data: *data, Next: localPath(in.Next)}, assertion)
}

// passkeyThrottled answers 429 and reports true when the client's
// address (and, unless "", account) failed too often lately: passwords,
// codes and passkeys alike.
func (s *Server) passkeyThrottled(w http.ResponseWriter, r *http.Request, account string) (bool, error) {
	byAccount, byAddr, err := s.council.LoginFailures(r.Context(), account, s.clientAddr(r), s.opt.Now().Add(-throttleWindow))
	if err != nil {
		return false, err
	}
	if byAddr < maxAddressFailures && (account == "" || byAccount < maxAccountFailures) {
		return false, nil
	}
	w.Header().Set("Retry-After", fmt.Sprint(int(throttleWindow.Seconds())))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	msg := s.i18n.T(requestStateOf(r).lang, "login.throttled")
	return true, json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"status": http.StatusTooManyRequests, "message": msg}})
}

// passkeyLoginFinish checks the browser's assertion: the credential must
// be known, its owner the user the authenticator names, the signature
// over this ceremony's challenge valid and the user verified. Then the
// session is a full one; the answer names where to go.
func (s *Server) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	if s.webauthn == nil {
		return errPasskeysOff
	}
	c, err := s.takeCeremony(r, keyPasskeyLogin)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
	if err != nil {
		return errPasskeyMalformed(err)
	}
	var pu passkeyUser
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		k, err := s.council.PasskeyByCredential(r.Context(), rawID)
		if err != nil {
			return nil, err
		}
		if string(k.UserID[:]) != string(userHandle) {
			return nil, fmt.Errorf("%w: the credential belongs to another user than the authenticator names", council.ErrNotFound)
		}
		u, err := s.council.User(r.Context(), k.UserID)
		if err != nil {
			return nil, err
		}
		if u.Disabled || u.Deleted {
			return nil, fmt.Errorf("%w: account disabled", council.ErrNotFound)
		}
		pu, err = s.passkeyUserOf(r, u)
		return pu, err
	}
	_, cred, err := s.webauthn.ValidatePasskeyLogin(handler, c.Data, parsed)
	if err == nil {
		err = s.usePasskey(r, pu, cred)
	}
	if err != nil {
		return s.passkeyFailed(r, start, passkeyFailAccount, err)
	}
	to, err := s.beginSession(r, pu.u, c.Next, council.LoginPasskey)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]string{"location": to})
}

// usePasskey records the use of the credential cred of pu (counter,
// backup state, time). A counter that went backwards (a cloned
// authenticator) refuses the login.
func (s *Server) usePasskey(r *http.Request, pu passkeyUser, cred *webauthn.Credential) error {
	for _, k := range pu.keys {
		if string(k.CredentialID) != string(cred.ID) {
			continue
		}
		if cred.Authenticator.CloneWarning {
			s.log.Warn("passkey signature counter went backwards", "user_id", pu.u.ID, "passkey_id", k.ID)
			return fmt.Errorf("%w: signature counter went backwards", council.ErrUnauthorized)
		}
		return s.council.UsePasskey(r.Context(), k.ID, k.SignCount, cred.Authenticator.SignCount,
			cred.Flags.BackupState, s.opt.Now())
	}
	return fmt.Errorf("%w: credential vanished", council.ErrNotFound)
}

// passkeyFailed counts a failed passkey answer against account and the
// client's address, waits as a failed password does, and returns the
// refusal. Database failures stay errors.
func (s *Server) passkeyFailed(r *http.Request, start time.Time, account string, err error) error {
	var pe *protocol.Error
	var pu *protocol.ErrorUnknownCredential
	known := errors.As(err, &pe) || errors.As(err, &pu) || errors.Is(err, council.ErrNotFound) ||
		errors.Is(err, council.ErrUnauthorized) || errors.Is(err, council.ErrConflict)
	if !known {
		return err
	}
	if rerr := s.council.RecordLoginFailure(r.Context(), account, s.clientAddr(r), s.opt.Now()); rerr != nil {
		return rerr
	}
	s.pause(r.Context(), start)
	return errPasskeyFailed(err)
}

// passkeySecondBegin starts a passkey as the second factor of a
// half-logged-in user (password checked): request options for the
// user's own passkeys.
func (s *Server) passkeySecondBegin(w http.ResponseWriter, r *http.Request) error {
	if s.webauthn == nil {
		return errPasskeysOff
	}
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		return errNoCeremony(errors.New("no password step"))
	}
	pu, err := s.passkeyUserOf(r, u)
	if err != nil {
		return err
	}
	if len(pu.keys) == 0 {
		return passkeyErr(council.ErrNotFound, "passkey.err.none", "this account has no passkey", nil)
	}
	assertion, data, err := s.webauthn.BeginLogin(pu, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return fmt.Errorf("begin passkey second factor: %w", err)
	}
	return s.beginCeremony(w, r, keyPasskeySecond, passkeyCeremony{Data: *data}, assertion)
}

// passkeySecondFinish checks the assertion against the half-logged-in
// user's passkeys and completes the login.
func (s *Server) passkeySecondFinish(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	if s.webauthn == nil {
		return errPasskeysOff
	}
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	c, cerr := s.takeCeremony(r, keyPasskeySecond)
	if !ok {
		return errNoCeremony(errors.New("no password step"))
	}
	if cerr != nil {
		return cerr
	}
	if t, err := s.passkeyThrottled(w, r, u.Email); err != nil || t {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
	if err != nil {
		return errPasskeyMalformed(err)
	}
	pu, err := s.passkeyUserOf(r, u)
	if err != nil {
		return err
	}
	cred, err := s.webauthn.ValidateLogin(pu, c.Data, parsed)
	if err == nil {
		err = s.usePasskey(r, pu, cred)
	}
	if err != nil {
		return s.passkeyFailed(r, start, u.Email, err)
	}
	to, err := s.beginSession(r, u, s.auth.sessions.GetString(r.Context(), keyNext), council.LoginPasswordPasskey)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]string{"location": to})
}

// PasskeysOn reports whether the site offers passkeys (templates).
func (p *page) PasskeysOn() bool { return p.s.webauthn != nil }

// passkeyButton is the data of the passkey_button partial.
type passkeyButton struct {
	Page *page
	Mode string // "login" or "second"
	Next string
}

// Passkey is the data of the passkey_button partial of mode.
//
//	{{template "passkey_button" ($.Passkey "login" .Next)}}
func (p *page) Passkey(mode, next string) passkeyButton {
	return passkeyButton{Page: p, Mode: mode, Next: next}
}

// offerPasskey reports whether the second-factor pages offer u a passkey.
func (s *Server) offerPasskey(r *http.Request, u council.User) bool {
	if s.webauthn == nil {
		return false
	}
	keys, err := s.council.Passkeys(r.Context(), u.ID)
	if err != nil {
		s.log.Warn("passkeys of pending user", "user_id", u.ID, "err", err)
		return false
	}
	return len(keys) > 0
}
