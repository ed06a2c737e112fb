package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
)

// Citizens' own accounts (docs/DOMAIN.md, "Citizen accounts"): /register,
// /register/resend, /verify, and the one-click unsubscribe of bulk mail.

// Rate limits of the account forms: requests per client address, and
// mails per e-mail address, within accountWindow.
const (
	accountWindow      = time.Hour
	maxAccountRequests = 10
	maxMailsPerAddress = 3
)

// accountKit is what the account pages need besides the council store.
type accountKit struct {
	mail   *mail.Store
	mailer mail.AccountMailer
	// participation queues the receipts of motions and the notes to
	// askers whose questions were moderated.
	participation mail.ParticipationMailer
	// members queues the members' mail (invitation, agenda changed,
	// minutes to approve); the meetings store holds it.
	members mail.MemberMailer
}

func (s *Server) newAccountKit() (*accountKit, error) {
	tpl, err := mail.ParseTemplates()
	if err != nil {
		return nil, err
	}
	ms := mail.NewStore(s.pool, s.opt.BaseURL)
	site := s.opt.BaseURL
	if u, err := url.Parse(s.opt.BaseURL); err == nil && u.Host != "" {
		site = u.Host
	}
	return &accountKit{mail: ms, mailer: mail.AccountMailer{Store: ms, Templates: tpl, Site: site},
		participation: mail.ParticipationMailer{Store: ms, Templates: tpl, Site: site},
		members:       mail.MemberMailer{Store: ms, Templates: tpl, Site: site, AgendaDelay: -1, Now: s.opt.Now}}, nil
}

func (s *Server) accountRoutes(r chi.Router) {
	r.Get("/register", s.h(s.registerForm))
	r.Post("/register", s.h(s.register))
	r.Get("/register/resend", s.h(s.resendForm))
	r.Post("/register/resend", s.h(s.resend))
	r.Get(mail.VerifyPath, s.h(s.verify))
	r.Get(mail.UnsubscribePath, s.h(s.unsubscribeForm))
	r.Post(mail.UnsubscribePath, s.h(s.unsubscribe))
}

// registerPage is the data of register.html (and register_resend.html).
type registerPage struct {
	formState
	Done      bool // the form was accepted: "check your mail"
	Throttled bool
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) error {
	if rs := requestStateOf(r); !rs.viewer.IsPublic() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "register", &registerPage{formState: newFormState(nil)})
	return nil
}

// throttleAccount counts this request of addr and, past a limit for addr
// or for the e-mail address, renders page with 429 and reports true.
func (s *Server) throttleAccount(w http.ResponseWriter, r *http.Request, email, page string, data *registerPage) (bool, error) {
	ctx := r.Context()
	n, err := s.council.RecordAccountRequest(ctx, s.clientAddr(r), accountWindow)
	if err != nil {
		return false, err
	}
	sent := 0
	if email != "" {
		if sent, err = s.accounts.mail.SentTo(ctx, email, s.opt.Now().Add(-accountWindow)); err != nil {
			return false, err
		}
	}
	if n <= maxAccountRequests && sent < maxMailsPerAddress {
		return false, nil
	}
	w.Header().Set("Retry-After", fmt.Sprint(int(accountWindow.Seconds())))
	data.Throttled = true
	s.render(w, r, http.StatusTooManyRequests, page, data)
	return true, nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: registration form: %w", council.ErrInvalid, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	f := r.PostForm
	data := &registerPage{formState: newFormState(f)}
	reg := council.Registration{Email: f.Get("email"), Password: f.Get("password"), DisplayName: f.Get("display_name"),
		GroupName: f.Get("group_name"), PublishName: f.Get("publish_name") == "1", Lang: requestStateOf(r).lang}
	if err := reg.Validate(); err != nil {
		var fe council.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		data.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, "register", data)
		return nil
	}
	if throttled, err := s.throttleAccount(w, r, reg.Email, "register", data); err != nil || throttled {
		return err
	}
	if err := s.council.Register(r.Context(), reg, s.accounts.mailer); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "register", &registerPage{formState: newFormState(url.Values{"email": {reg.Email}}), Done: true})
	return nil
}

func (s *Server) resendForm(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "register_resend", &registerPage{formState: newFormState(nil)})
	return nil
}

func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: resend form: %w", council.ErrInvalid, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	data := &registerPage{formState: newFormState(r.PostForm)}
	email, err := mail.ParseAddress(r.PostForm.Get("email"))
	if err != nil {
		data.Errors["email"] = council.MsgEmail
		s.render(w, r, http.StatusUnprocessableEntity, "register_resend", data)
		return nil
	}
	if throttled, err := s.throttleAccount(w, r, email, "register_resend", data); err != nil || throttled {
		return err
	}
	if err := s.council.ResendVerification(r.Context(), email, requestStateOf(r).lang, s.accounts.mailer); err != nil {
		return err
	}
	data.Done = true
	s.render(w, r, http.StatusOK, "register_resend", data)
	return nil
}

// verifyPage is the data of verify.html.
type verifyPage struct{ OK bool }

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token stays here
	_, err := s.council.VerifyEmail(r.Context(), r.URL.Query().Get("token"))
	switch {
	case errors.Is(err, council.ErrNotFound):
		s.render(w, r, http.StatusNotFound, "verify", &verifyPage{})
		return nil
	case err != nil:
		return err
	}
	s.render(w, r, http.StatusOK, "verify", &verifyPage{OK: true})
	return nil
}

// unsubscribePage is the data of unsubscribe.html.
type unsubscribePage struct {
	Token, List string
	Done        bool
}

// unsubscribeForm shows a button for the token of a bulk message's link
// (a GET changes nothing: link scanners open links).
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.URL.Query().Get("t")
	list, err := s.accounts.mail.TokenList(r.Context(), token)
	if errors.Is(err, council.ErrNotFound) {
		return fmt.Errorf("%w: this unsubscribe link is not known (any more)", council.ErrNotFound)
	}
	if err != nil {
		return err
	}
	name, err := s.listName(r, list)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "unsubscribe", &unsubscribePage{Token: token, List: name})
	return nil
}

// listName is what the unsubscribe page calls a mail list: a follow's
// digests by what is followed, a list of the members' mail by its
// translated name (unsubscribe.list.<list>), anything else as it is.
func (s *Server) listName(r *http.Request, list string) (string, error) {
	lang := requestStateOf(r).lang
	label, ok, err := s.alerts.ListLabel(r.Context(), list)
	if err != nil || ok {
		return s.i18n.T(lang, "unsubscribe.list.alert", label), err
	}
	if key := "unsubscribe.list." + list; s.i18n.Has(lang, key) {
		return s.i18n.T(lang, key), nil
	}
	return list, nil
}

// unsubscribe is the one-click endpoint of RFC 8058 (a mail client POSTs
// "List-Unsubscribe=One-Click" to the link, without cookies) and the
// page's button.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: unsubscribe: %w", council.ErrInvalid, err)
	}
	token := r.URL.Query().Get("t")
	if token == "" {
		token = r.PostForm.Get("t")
	}
	list, err := s.accounts.mail.Unsubscribe(r.Context(), strings.TrimSpace(token))
	if errors.Is(err, council.ErrNotFound) {
		return fmt.Errorf("%w: this unsubscribe link is not known (any more)", council.ErrNotFound)
	}
	if err != nil {
		return err
	}
	name, err := s.listName(r, list) // before the follow ends with its label
	if err != nil {
		return err
	}
	if err := s.alerts.Unsubscribed(r.Context(), list); err != nil { // council/alerts: a follow's digest ends the follow
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "unsubscribe", &unsubscribePage{List: name, Done: true})
	return nil
}

// loginUnverifiedMessage is the login form's answer to the right password
// of an account whose address is not verified yet (only who knows the
// password learns that the account exists).
const loginUnverifiedMessage = "login.unverified"

// unverified reports whether u registered and has not verified the
// address: such an account cannot log in.
func (s *Server) unverified(ctx context.Context, u council.User) (bool, error) {
	a, err := s.council.Account(ctx, u.ID)
	if err != nil {
		return false, err
	}
	return !a.Verified, nil
}
