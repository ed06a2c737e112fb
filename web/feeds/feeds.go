package feeds

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the feeds need from the site.
type Deps struct {
	Council  *council.Store
	Meetings *meetings.Store
	Log      *slog.Logger
	BaseURL  string // the configured public base URL; "": the request's
	Version  string // Plenar's, for the feeds' generator
	Now      func() time.Time
	I18n     Translator
	Langs    []string // the UI languages; the first is the default
	// Searcher returns the search (ErrUnavailable without an index).
	Searcher func() (*search.Searcher, error)
	// Handle adapts a handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// Lang is the request's UI language.
	Lang func(r *http.Request) string
	// Alerts reads the news of follows (alerts.go); Matcher evaluates
	// saved searches (nil without an index).
	Alerts  *alerts.Store
	Matcher func() alerts.Matcher
}

// Translator translates key into lang (site.Translator).
type Translator = site.Translator

// Server serves the feeds.
type Server struct {
	council  *council.Store
	meetings *meetings.Store
	log      *slog.Logger
	opt      Deps
	i18n     Translator
	langs    []string
	h        func(site.HandlerFunc) http.HandlerFunc
	render   func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
}

// Routes registers the feeds on r.
func Routes(r chi.Router, d Deps) {
	s := &Server{council: d.Council, meetings: d.Meetings, log: d.Log, opt: d, i18n: d.I18n, langs: d.Langs,
		h: d.Handle, render: d.Render}
	s.routes(r)
}

func (s *Server) routes(r chi.Router) {
	get := getAndHead(r)
	get("/meetings.ics", s.h(s.calendarAll))
	get("/bodies/{id}/meetings.ics", s.h(s.calendarOrg))
	get("/papers.atom", s.h(s.atomPapers))
	get("/decisions.atom", s.h(s.atomDecisions))
	get("/beschlusskontrolle.atom", s.h(s.atomTrail)) // atom_trail.go
	get("/bodies/{id}/feed.atom", s.h(s.atomOrg))
	get("/open-data", s.h(s.openDataPage))
	get("/open-data/catalog.jsonld", s.h(s.openDataCatalog))
	r.Get("/search/feed", s.h(s.searchFeed)) // atom.go: an Atom feed per search
	s.dumpRoutes(get)
	s.alertRoutes(get) // alerts.go: the news of a paper, a person, a user's follows
}

// getAndHead returns a function that registers a handler for GET and HEAD
// (feed readers and calendar clients probe with HEAD; net/http drops the
// body).
func getAndHead(r chi.Router) func(string, http.HandlerFunc) {
	return func(pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}
}

// feedCacheControl lets clients and proxies keep a feed for five minutes:
// the content is the same for every viewer.
const feedCacheControl = "public, max-age=300"

// baseURL returns the public base URL without a trailing slash.
func (s *Server) baseURL(r *http.Request) string { return site.BaseURL(s.opt.BaseURL, r) }

// directory loads the body's organizations and places.
func (s *Server) directory(ctx context.Context, body council.ID) (site.Directory, error) {
	return site.LoadDirectory(ctx, s.council, body)
}

// searcher returns the search, or an ErrUnavailable error when the server
// runs without an index.
func (s *Server) searcher() (*search.Searcher, error) {
	if s.opt.Searcher == nil {
		return nil, council.ErrUnavailable
	}
	return s.opt.Searcher()
}

// feedHost is the host name that makes calendar UIDs and tag URIs unique.
func (s *Server) feedHost(r *http.Request) string {
	if u, err := url.Parse(s.baseURL(r)); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "plenar.invalid"
}

// feedOrg loads the organization named by the {id} path parameter; it must
// belong to body and not be deleted. Errors: ErrInvalid, ErrNotFound.
func (s *Server) feedOrg(ctx context.Context, r *http.Request, body council.ID) (council.Organization, error) {
	id, err := site.PathID(r)
	if err != nil {
		return council.Organization{}, err
	}
	o, err := s.council.Organization(ctx, id)
	if err != nil {
		return council.Organization{}, site.HideMissing(err, "organization", id)
	}
	if o.Deleted || o.BodyID != body {
		return council.Organization{}, site.NotFound("organization", id)
	}
	return o, nil
}

// countingWriter counts the bytes that reached the client.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// stream sends a response produced by fn through a buffer. An error before
// the first byte left becomes an ordinary error page; an error after that
// is logged and aborts the connection, so the client sees a broken
// download instead of a file that silently ends early.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, contentType, filename string, fn func(io.Writer) error) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", feedCacheControl)
	if filename != "" {
		h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 32<<10)
	err := fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		return nil
	}
	if cw.n == 0 {
		h.Del("Content-Disposition")
		h.Del("Cache-Control")
		return err
	}
	s.log.Error("stream failed midway", "path", r.URL.Path, "bytes", cw.n, "err", err)
	panic(http.ErrAbortHandler)
}

// serveFeed sends a feed document b with a strong ETag (a hash of the
// bytes), so feed readers and calendar clients that poll every few minutes
// get 304 Not Modified while nothing changed. http.ServeContent answers
// If-None-Match, HEAD and Range.
func serveFeed(w http.ResponseWriter, r *http.Request, contentType, filename string, b []byte) {
	sum := sha256.Sum256(b)
	h := w.Header()
	h.Set("Content-Type", contentType)
	if h.Get("Cache-Control") == "" { // a private feed set its own
		h.Set("Cache-Control", feedCacheControl)
	}
	h.Set("ETag", `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`)
	if filename != "" {
		h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}
