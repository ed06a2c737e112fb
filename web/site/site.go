package site

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
)

// HandlerFunc is a handler that returns its error for the server's
// adapter to render (an error page, or a JSON error).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// PathID parses the {id} URL parameter. Errors: ErrInvalid.
func PathID(r *http.Request) (council.ID, error) {
	return council.ParseID(chi.URLParam(r, "id"))
}

// URLID parses the URL parameter name as an id; malformed ids are
// ErrInvalid (400).
func URLID(r *http.Request, name string) (council.ID, error) {
	return council.ParseID(chi.URLParam(r, name))
}

// NotFound returns the same not-found error for an unknown object and for
// one the viewer may not see, so the 404 page does not tell them apart.
func NotFound(what string, id council.ID) error {
	return fmt.Errorf("%w: %s %s", council.ErrNotFound, what, id)
}

// HideMissing maps any ErrNotFound from a store to NotFound and passes
// other errors on.
func HideMissing(err error, what string, id council.ID) error {
	if errors.Is(err, council.ErrNotFound) {
		return NotFound(what, id)
	}
	return err
}

// BaseURL returns the public base URL without a trailing slash: the
// configured one, else the request's own scheme and host.
func BaseURL(configured string, r *http.Request) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Berlin is the time zone of pages, feeds and calendars (the German
// municipality's local time), loaded once.
var Berlin = mustLoadBerlin()

func mustLoadBerlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// NoStore keeps pages out of caches: back-office pages (contact data,
// drafts) and personal pages.
func NoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// State is what the server knows about a request's visitor; every
// audience package gets it from its Deps.
type State struct {
	Lang   string
	Viewer council.Viewer
	User   council.User // zero for the public
}

// Translator translates key into lang (the site's catalogue).
type Translator interface {
	T(lang, key string, args ...any) string
}
