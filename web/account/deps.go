package account

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the account pages need from the site.
type Deps struct {
	Council  *council.Store
	Meetings *meetings.Store // a member's childcare claims
	Alerts   *alerts.Store   // follows and the private feed
	Privacy  *privacy.Store  // export, erasure, retention periods
	Log      *slog.Logger
	BaseURL  string // the configured public base URL; "": the request's
	Now      func() time.Time
	I18n     Translator
	// DefaultLang is the site's default language: links in it carry no
	// ?lang=.
	DefaultLang string
	// RecordingRetention is PLENAR_RECORDING_RETENTION's value, for the
	// record of processing activities ("" is forever).
	RecordingRetention string
	// PasskeysOn reports that the base URL allows WebAuthn.
	PasskeysOn bool
	// Handle adapts a page handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// State is the request's language, viewer and logged-in user (set by
	// the server's session middleware).
	State func(r *http.Request) State
	// RequireRole lets only logged-in users of one of roles through.
	RequireRole func(roles ...council.Role) func(http.Handler) http.Handler
	// Actor returns the request's context with the logged-in user as the
	// actor of every change (the audit trail).
	Actor func(r *http.Request) context.Context
	// CurrentLogin is the login (council.Login) of the request's session.
	CurrentLogin func(r *http.Request) (council.ID, error)
	// SessionEnded tells this node's live websockets to check their
	// sessions now.
	SessionEnded func()
	// EndSession ends the request's own session (the erased account's).
	EndSession func(ctx context.Context) error
	// CheckPassword checks the logged-in user's password again as the
	// login does: throttled (too many failures: not checked), a failure
	// counted and paced.
	CheckPassword func(r *http.Request, password string) (ok, throttled bool, err error)
}

// State is what the server knows about a request's visitor (site.State).
type State = site.State

// Translator translates key into lang (the site's catalogue).
type Translator interface {
	T(lang, key string, args ...any) string
	// Has reports whether key has a translation (in lang or the default
	// language).
	Has(lang, key string) bool
}

// server serves the account pages with what the site gave it.
type server struct{ Deps }

// Routes registers the account pages, the privacy pages and the
// members' childcare claims on r.
func Routes(r chi.Router, d Deps) {
	s := &server{d}
	s.securityRoutes(r)  // security.go: /account/security
	s.privacyRoutes(r)   // privacy.go: /datenschutz, the record of processing, /account/data, /admin/privacy
	s.alertRoutes(r)     // alerts.go: /account/alerts, following
	s.childcareRoutes(r) // childcare.go: /my/childcare, members' childcare claims
}

// NoticePath is path with ?notice=notice and, unless lang is deflt (the
// site's default language), &lang=lang: where a change sends the browser
// back to.
func NoticePath(path, notice, lang, deflt string) string {
	to := path + "?notice=" + notice
	if lang != deflt {
		to += "&lang=" + lang
	}
	return to
}

// back answers a change with the page at path and a notice, in the
// request's language.
func (s *server) back(w http.ResponseWriter, r *http.Request, path, notice string) {
	http.Redirect(w, r, NoticePath(path, notice, s.State(r).Lang, s.DefaultLang), http.StatusSeeOther)
}
