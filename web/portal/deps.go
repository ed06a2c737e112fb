package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the portal needs from the site.
type Deps struct {
	Council  *council.Store
	Meetings *meetings.Store
	Docs     *documents.Store // the files listed on meeting and paper pages
	Log      *slog.Logger
	BaseURL  string // the configured public base URL; "": the request's
	Now      func() time.Time
	I18n     Translator
	// SearchIndex returns the search index (suggestions); nil answers 503.
	SearchIndex func() *search.Index
	// Searcher returns the search (ErrUnavailable without an index).
	Searcher func() (*search.Searcher, error)
	// Minutes returns the members' version of a meeting's minutes, the
	// draft included (live.Hub.MinutesDocument); nil: the server runs no
	// live hub, and only approved minutes are shown.
	Minutes func(ctx context.Context, meeting council.ID) (meetings.MinutesRecord, []meetings.MinutesEdit, error)
	// Handle adapts a page handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// API adapts a JSON handler: errors become the API's JSON error.
	API func(site.HandlerFunc) http.HandlerFunc
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// State is the request's language, viewer and logged-in user (set by
	// the server's session middleware).
	State func(r *http.Request) State
}

// State is what the server knows about a request's visitor (site.State).
type State = site.State

// Translator translates key into lang (site.Translator).
type Translator = site.Translator

// Server serves the public pages.
type Server struct {
	council  *council.Store
	meetings *meetings.Store
	docs     *documents.Store
	log      *slog.Logger
	opt      Deps
	i18n     Translator
	h        func(site.HandlerFunc) http.HandlerFunc
	api      func(site.HandlerFunc) http.HandlerFunc
	render   func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
}

// Routes registers the public pages and the search on r (the server
// mounts them behind its page cache).
func Routes(r chi.Router, d Deps) {
	s := &Server{council: d.Council, meetings: d.Meetings, docs: d.Docs, log: d.Log, opt: d, i18n: d.I18n,
		h: d.Handle, api: d.API, render: d.Render}
	s.portalRoutes(r) // portal.go: home, calendar, meetings, bodies, persons, papers, my bodies
	s.searchRoutes(r) // search.go: the search page, /api/v1/search
}

// requestState is the request's visitor as the handlers read it.
type requestState struct {
	lang   string
	viewer council.Viewer
	user   council.User
}

func (s *Server) requestStateOf(r *http.Request) requestState {
	st := s.opt.State(r)
	return requestState{lang: st.Lang, viewer: st.Viewer, user: st.User}
}
