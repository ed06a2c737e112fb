package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/plenar/plenar/council"
)

// totpOpts are the authenticator-app defaults: 6 digits, 30 s, SHA-1,
// one step of clock skew either way.
func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// totpPage is the data of totp.html and totp_setup.html.
type totpPage struct {
	formState
	Throttled bool
	Secret    string       // setup: the secret in groups of four
	QR        template.URL // setup: data:image/png;base64,…
	Passkey   bool         // offer the user's passkey instead (auth_passkey.go)
}

// pendingUser returns the user of a half-logged-in session whose password
// step is recent and whose sessions were not ended since, or false.
func (s *Server) pendingUser(r *http.Request) (council.User, bool, error) {
	ctx := r.Context()
	sm := s.auth.sessions
	idText := sm.GetString(ctx, keyPending)
	at := time.Unix(sm.GetInt64(ctx, keyPendingAt), 0)
	if idText == "" || s.opt.Now().Sub(at) > pendingLifetime {
		return council.User{}, false, nil
	}
	id, err := council.ParseID(idText)
	if err != nil {
		return council.User{}, false, nil
	}
	u, err := s.council.User(ctx, id)
	if errors.Is(err, council.ErrNotFound) {
		return council.User{}, false, nil
	} else if err != nil {
		return council.User{}, false, err
	}
	if u.Disabled || u.Deleted || sm.GetInt64(ctx, keyPendingEpoch) != u.SessionEpoch {
		return council.User{}, false, nil
	}
	return u, true, nil
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case !u.TOTPEnabled:
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
	default:
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, http.StatusOK, "totp", &totpPage{formState: newFormState(nil), Passkey: s.offerPasskey(r, u)})
	}
	return nil
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if !u.TOTPEnabled {
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
		return nil
	}
	data := &totpPage{formState: newFormState(nil)}
	if _, ok, err := s.checkCode(w, r, start, u, u.TOTPSecret, &data.formState, &data.Throttled); err != nil || !ok {
		if err == nil {
			s.render(w, r, data.status(), "totp", data)
		}
		return err
	}
	return s.finishLogin(w, r, u, s.auth.sessions.GetString(r.Context(), keyNext))
}

// checkCode checks the submitted code against secret and returns its time
// step, counting failures and refusing throttled accounts; it fills fs and
// throttled for the page.
func (s *Server) checkCode(w http.ResponseWriter, r *http.Request, start time.Time, u council.User, secret string,
	fs *formState, throttled *bool) (int64, bool, error) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		return 0, false, fmt.Errorf("%w: code form: %w", council.ErrInvalid, err)
	}
	addr := s.clientAddr(r)
	if t, err := s.throttled(ctx, u.Email, addr); err != nil {
		return 0, false, err
	} else if t {
		s.pause(ctx, start)
		w.Header().Set("Retry-After", fmt.Sprint(int(throttleWindow.Seconds())))
		*throttled = true
		return 0, false, nil
	}
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, r.PostForm.Get("code"))
	if code == "" {
		fs.Errors["code"] = council.MsgRequired
		return 0, false, nil
	}
	step, ok := matchTOTP(secret, code, s.opt.Now())
	if ok {
		// Each time step is accepted once: a code seen over a shoulder
		// or in a proxy log cannot be replayed.
		fresh, err := s.council.UseTOTPStep(ctx, u.ID, step)
		if err != nil {
			return 0, false, err
		}
		ok = fresh
	}
	if !ok {
		if err := s.council.RecordLoginFailure(ctx, u.Email, addr, s.opt.Now()); err != nil {
			return 0, false, err
		}
		s.pause(ctx, start)
		fs.Errors["code"] = "totp.failed"
		return 0, false, nil
	}
	return step, true, nil
}

// status is the HTTP status of a re-rendered code form.
func (p *totpPage) status() int {
	switch {
	case p.Throttled:
		return http.StatusTooManyRequests
	case p.Errors["code"] == council.MsgRequired:
		return http.StatusUnprocessableEntity
	default:
		return http.StatusUnauthorized
	}
}

// matchTOTP returns the time step whose code equals code, within one step
// of now (totp.ValidateCustom checks the same window but does not say
// which step matched, and the step is what replay protection records).
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	opts := totpOpts()
	period := int64(opts.Period)
	step := now.Unix() / period
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*period, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// enrolKey returns the TOTP key being enrolled in this session, making one
// when there is none yet. The secret stays in the server-side session
// until the user confirms it with a code.
func (s *Server) enrolKey(r *http.Request, u council.User, create bool) (*otp.Key, error) {
	ctx := r.Context()
	sm := s.auth.sessions
	if raw := sm.GetString(ctx, keyEnrol); raw != "" {
		k, err := otp.NewKeyFromURL(raw)
		if err != nil {
			return nil, fmt.Errorf("enrol key: %w", err)
		}
		return k, nil
	}
	if !create {
		return nil, nil
	}
	issuer := "Plenar"
	if b, err := url.Parse(s.opt.BaseURL); err == nil && b.Host != "" {
		issuer += " " + b.Host
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email})
	if err != nil {
		return nil, fmt.Errorf("generate totp secret: %w", err)
	}
	sm.Put(ctx, keyEnrol, k.URL())
	return k, nil
}

// setupPage fills the secret and its QR code into data.
func setupPage(data *totpPage, k *otp.Key) error {
	img, err := k.Image(240, 240)
	if err != nil {
		return fmt.Errorf("totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("totp qr code: %w", err)
	}
	// A data: URL the CSP allows (img-src data:); safe, since we made it.
	data.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	sec := k.Secret()
	var groups []string
	for len(sec) > 4 {
		groups = append(groups, sec[:4])
		sec = sec[4:]
	}
	data.Secret = strings.Join(append(groups, sec), " ")
	return nil
}

func (s *Server) totpSetupForm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	case u.TOTPEnabled:
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return nil
	}
	k, err := s.enrolKey(r, u, true)
	if err != nil {
		return err
	}
	data := &totpPage{formState: newFormState(nil), Passkey: s.offerPasskey(r, u)}
	if err := setupPage(data, k); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "totp_setup", data)
	return nil
}

func (s *Server) totpSetup(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if u.TOTPEnabled {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return nil
	}
	k, err := s.enrolKey(r, u, false)
	if err != nil {
		return err
	}
	if k == nil {
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
		return nil
	}
	data := &totpPage{formState: newFormState(nil)}
	step, ok, err := s.checkCode(w, r, start, u, k.Secret(), &data.formState, &data.Throttled)
	if err != nil || !ok {
		if err == nil {
			if err := setupPage(data, k); err != nil {
				return err
			}
			s.render(w, r, data.status(), "totp_setup", data)
		}
		return err
	}
	// SetTOTP resets the used-step counter: record the step again.
	if err := s.council.SetTOTP(r.Context(), u.ID, k.Secret(), true); err != nil {
		return err
	}
	// SetTOTP also ended every session (SessionEpoch+1); this login is the
	// first of the new epoch. Should another change have ended sessions
	// meanwhile, the epoch stored here is stale and the new session ends
	// too: the safe side.
	u.SessionEpoch++
	if _, err := s.council.UseTOTPStep(r.Context(), u.ID, step); err != nil {
		return err
	}
	s.log.Info("totp enrolled", "user_id", u.ID)
	u.TOTPEnabled = true
	return s.finishLogin(w, r, u, s.auth.sessions.GetString(r.Context(), keyNext))
}
