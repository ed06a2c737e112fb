package liveweb

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the live pages and endpoints need from the site.
type Deps struct {
	Meetings *meetings.Store
	Docs     *documents.Store // the segments of recorded sessions
	// Live is the live-session hub (running); nil answers the live
	// websocket, the console and ICE with 503.
	Live *live.Hub
	// Media is the live media of this process (running); nil: no media
	// (media messages, ICE, WHIP and WHEP answer "unavailable"). Needs
	// Live.
	Media   *media.Service
	Log     *slog.Logger
	BaseURL string // the configured public base URL (the URL a new media token is for)
	Now     func() time.Time
	// I18n translates key into lang (the site's catalogue); I18nKeys are
	// the catalogue's keys (the live page hands whole groups of them to
	// the browser).
	I18n     Translator
	I18nKeys []string
	// Handle adapts a page handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// API adapts a JSON handler: errors become the API's JSON error.
	API func(site.HandlerFunc) http.HandlerFunc
	// Fail answers err as the site's error page (the websocket's refusals
	// before the upgrade).
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// State is the request's language, viewer and logged-in user (set by
	// the server's session middleware).
	State func(r *http.Request) State
	// ClientAddr is the client's IP address (behind trusted proxies, the
	// one they name), for rate limits.
	ClientAddr func(r *http.Request) string
	// Session returns the login session a logged-in user's websocket is
	// opened with; nil for the public.
	Session func(r *http.Request) Session
	// Wake wakes this node's websockets to check their sessions (the
	// server fires it when a session ends).
	Wake *Wake
	// AllowCrossOrigin exempts a route pattern from the server's
	// cross-origin protection (WHIP and WHEP: programs without cookies,
	// possibly on other sites).
	AllowCrossOrigin func(pattern string)
}

// State is what the server knows about a request's visitor (site.State).
type State = site.State

// Translator translates key into lang (site.Translator).
type Translator = site.Translator

// Session is the login session of a logged-in user's websocket (package
// web's sessions): see session.go.
type Session interface {
	// User is the session's user.
	User() council.ID
	// Stands reports whether the session still stands: not logged out,
	// expired, reset or disabled, and the user's role unchanged. It waits
	// at most SessionCheck for the answer; a database error counts as
	// standing: the next check decides.
	Stands(ctx context.Context) bool
	// Touch moves the session's idle expiry forward from now, never past
	// its absolute deadline. Errors are logged: the next check decides.
	Touch(ctx context.Context, now time.Time)
}

// server serves the live pages and endpoints with what the site gave it.
type server struct {
	Deps
	jsKeys []string // liveJSKeys and the key groups the live page's script uses
}

// Routes registers the live-session routes on r: the websocket, ICE, the
// public live page, the member's view and the chair/clerk console, the
// console's media tokens, WHIP and WHEP, and the segments of recorded
// sessions. The console lives under /admin but is open to the chair (a
// member account); the hub decides what each viewer may do.
func Routes(r chi.Router, d Deps) {
	s := &server{Deps: d, jsKeys: jsKeys(d.I18nKeys)}
	s.recordingRoutes(r) // recordings.go: segments of recorded sessions
	s.liveRoutes(r)      // pages.go, ws.go, ice.go, tokens.go, whip.go
}

// actor is the request's viewer as a live-session actor: the viewer and
// the person the user account is linked to.
func (s *server) actor(r *http.Request) live.Actor {
	st := s.State(r)
	return live.Actor{Viewer: st.Viewer, PersonID: st.User.PersonID}
}
