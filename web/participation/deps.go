package participation

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the participation pages need from the site.
type Deps struct {
	Council  *council.Store
	Meetings *meetings.Store
	Now      func() time.Time
	I18n     Translator
	// Mailer queues the receipts of submitted motions; nil: no mail.
	Mailer council.ParticipationMailer
	// Handle adapts a page handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// State is the request's language and viewer (set by the server's
	// session middleware).
	State func(r *http.Request) State
	// UserMessage is a refusal's text in the user's words and language.
	UserMessage func(r *http.Request, err error) string
	// ClientAddr is the request's client address (the flood limits).
	ClientAddr func(r *http.Request) string
	// ReportWindow is the period of the reports' flood limit, counted
	// with the account forms' requests (account_requests).
	ReportWindow time.Duration
}

// State is what the server knows about a request's visitor.
type State struct {
	Lang   string
	Viewer council.Viewer
}

// Translator translates key into lang (site.Translator).
type Translator = site.Translator

// server serves the participation pages with what the site gave it.
type server struct{ Deps }

// Routes registers /beteiligung on r.
func Routes(r chi.Router, d Deps) {
	s := &server{d}
	s.participationRoutes(r) // participation.go
}
