package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // German time on machines without a zoneinfo database

	"github.com/go-chi/chi/v5"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/feeds"
	"github.com/plenar/plenar/web/httpcache"
	liveweb "github.com/plenar/plenar/web/live"
	"github.com/plenar/plenar/web/portal"
)

// Options configure a Server.
type Options struct {
	Pool         *pgxpool.Pool
	Log          *slog.Logger
	BaseURL      string // public base URL, e.g. https://ratsinfo.musterstadt.de
	MetricsToken string // bearer token for /metrics from non-loopback addresses; "" allows loopback only
	Version      string
	// InsecureCookies drops the Secure flag from cookies, for plain-HTTP
	// local development on http://localhost (make run). Production runs
	// behind TLS and leaves it false.
	InsecureCookies bool
	// DataDir is the data directory (files, search index); "" in tests
	// that need neither.
	DataDir string
	// FilesDir holds the blobs of uploaded and generated files; "" means
	// DataDir/files. Several processes may share it (docs/DEPLOY.md).
	FilesDir string
	// Changes follows the newest change of the database (running); the
	// portal's anonymous answers are cached on it (cache.go). nil: every
	// anonymous answer is no-cache.
	Changes *council.Changes
	// SearchIndex is the search index; nil answers search requests with 503.
	SearchIndex *search.Index
	// MaxUpload is the largest file upload in bytes; 0 means
	// documents.DefaultMaxSize (50 MB).
	MaxUpload int64
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// Live is the live-session hub (running); nil answers the live
	// websocket with 503.
	Live *live.Hub
	// Media is the live media of this process (package meetings/media,
	// running); nil: no media (media messages, ICE, WHIP and WHEP answer
	// "unavailable"). Needs Live.
	Media *media.Service
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (login throttling per address); none: the header is
	// ignored. See ParseTrustedProxies.
	TrustedProxies []netip.Prefix
	// DPOContact is the data protection officer's contact, shown in the
	// footer of every page (PLENAR_DPO_CONTACT); "" names none.
	DPOContact string
	// RecordingRetention is PLENAR_RECORDING_RETENTION's value, for the
	// record of processing activities ("" is forever).
	RecordingRetention string
}

// Server is the HTTP application.
type Server struct {
	opt      Options
	log      *slog.Logger
	pool     *pgxpool.Pool
	council  *council.Store
	meetings *meetings.Store
	tmpl     templates
	static   *staticAssets
	i18n     catalog
	metrics  *metrics
	router   chi.Router
	docs     *documents.Store   // files: metadata in PostgreSQL, blobs in DataDir/files
	pages    *httpcache.Cache   // cache.go
	auth     *authKit           // session.go: sessions, CSRF
	accounts *accountKit        // register.go: citizens' accounts, the mail they get
	alerts   *alerts.Store      // follows, digests, the private feeds (web/account, web/feeds, alerts.go)
	wake     *liveweb.Wake      // live_mount.go: wakes the live websockets to check their sessions
	webauthn *webauthn.WebAuthn // auth_passkey.go: passkeys; nil when the base URL allows none
}

// New builds a Server: it parses templates and translations (failing fast
// on any error) and wires the routes.
func New(opt Options) (*Server, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{opt: opt, log: opt.Log, pool: opt.Pool,
		council: council.NewStore(opt.Pool), meetings: meetings.NewStore(opt.Pool), wake: liveweb.NewWake(),
		alerts: alerts.NewStore(opt.Pool)}
	var err error
	if s.i18n, err = loadCatalog(); err != nil {
		return nil, err
	}
	if s.static, err = newStaticAssets(); err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	if s.tmpl, err = parseTemplates(template.FuncMap{}); err != nil {
		return nil, err
	}
	if s.auth, err = s.newAuthKit(); err != nil {
		return nil, err
	}
	if s.accounts, err = s.newAccountKit(); err != nil {
		return nil, err
	}
	// The members' mail: invitations, agenda changes, minutes to approve.
	s.meetings = s.meetings.WithMailer(s.accounts.members)
	if s.webauthn, err = newWebAuthn(opt.BaseURL); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(opt.Pool, opt.Version)
	docsDir := opt.FilesDir
	if docsDir == "" && opt.DataDir != "" {
		docsDir = filepath.Join(opt.DataDir, "files")
	}
	s.docs = documents.NewStore(opt.Pool, docsDir, documents.Limits{MaxSize: opt.MaxUpload})
	s.pages = s.newPageCache()
	s.router = s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// maxBody is the largest request body accepted by forms (uploads get their
// own limit).
const maxBody = 1 << 20

func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)
	r.Use(s.recoverer, s.metrics.middleware, s.logRequests,
		securityHeaders(isHTTPS(s.opt.BaseURL)), limitBody(maxBody), s.state, s.session,
		s.checkInput) // input.go: no NUL or invalid UTF-8 past this point

	r.Get("/healthz", s.healthz)
	r.Head("/healthz", s.healthz)
	r.Get("/metrics", s.serveMetrics)
	r.Handle("/static/*", s.static)
	r.Get("/favicon.ico", s.static.serveFavicon)
	r.Head("/favicon.ico", s.static.serveFavicon)

	// Each area registers its own routes in its own file.
	s.authRoutes(r)                       // auth.go: /login, /logout, TOTP, passkeys
	s.accountRoutes(r)                    // register.go: /register, /verify, /unsubscribe
	s.mountParticipation(r)               // account_mount.go: /beteiligung, citizens' and groups' motions (package web/participation)
	s.mountAccount(r)                     // account_mount.go: /account/*, /datenschutz, /admin/privacy, /my/childcare (package web/account)
	cached := r.With(s.pages.Middleware)  // cache.go: validators and the page cache for anonymous answers
	portal.Routes(cached, s.portalDeps()) // package web/portal: the public pages and the search page, /api/v1/search
	s.adminRoutes(r)                      // admin_mount.go: the clerk back office (package web/admin) under /admin
	s.oparlRoutes(r)                      // oparl_mount.go: the OParl 1.1 API (package web/oparl) under /oparl
	feeds.Routes(r, s.feedDeps())         // package web/feeds: iCalendar, Atom, CSV/JSON dumps, DCAT, the open-data page
	s.fileRoutes(r)                       // files*.go: file downloads and uploads (package documents)
	s.liveRoutes(r)                       // live_mount.go: live sessions (package web/live: websocket, WHIP/WHEP, console, live pages, recordings)
	return r
}

// feedDeps are what package web/feeds needs from the server.
func (s *Server) feedDeps() feeds.Deps {
	return feeds.Deps{Council: s.council, Meetings: s.meetings, Log: s.log, BaseURL: s.opt.BaseURL, Version: s.opt.Version,
		Now: s.opt.Now, I18n: s.i18n, Langs: langs, Searcher: s.searcher, Handle: s.h, Render: s.render,
		Lang: func(r *http.Request) string { return requestStateOf(r).lang }, Alerts: s.alerts, Matcher: s.matcher}
}

// portalDeps are what package web/portal needs from the server.
func (s *Server) portalDeps() portal.Deps {
	d := portal.Deps{Council: s.council, Meetings: s.meetings, Docs: s.docs, Log: s.log, BaseURL: s.opt.BaseURL,
		Now: s.opt.Now, I18n: s.i18n, SearchIndex: func() *search.Index { return s.opt.SearchIndex }, Searcher: s.searcher, Handle: s.h, API: s.api,
		Render: s.render, State: func(r *http.Request) portal.State {
			rs := requestStateOf(r)
			return portal.State{Lang: rs.lang, Viewer: rs.viewer, User: rs.user}
		}}
	if s.opt.Live != nil {
		d.Minutes = s.opt.Live.MinutesDocument
	}
	return d
}

// searcher returns the searcher, or an ErrUnavailable error when the
// server runs without an index.
func (s *Server) searcher() (*search.Searcher, error) {
	if s.opt.SearchIndex == nil {
		return nil, council.ErrUnavailable
	}
	return search.NewSearcher(s.opt.SearchIndex, s.pool), nil
}

// isHTTPS reports whether baseURL is an https:// URL.
func isHTTPS(baseURL string) bool {
	u, err := url.Parse(baseURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}

// healthz answers 200 when the database answers, 503 otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.pool.Ping(ctx); err != nil {
		s.log.Warn("health check: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}
