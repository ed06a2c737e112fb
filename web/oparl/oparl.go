package oparl

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/httperr"
)

// Version is the path segment of this API version.
const Version = "v1.1"

// FileSource gives the API its File objects: the public files
// (documents.Store). Non-public files never come out of it.
type FileSource interface {
	// OParlFiles returns one page of public files (tombstones included
	// when q.Deleted is set) and the total when q.Count is set.
	OParlFiles(ctx context.Context, q council.ListQuery) ([]documents.OParlFile, int, error)
	// OParlFilesOf returns the public files attached to the papers,
	// meetings or agenda items ids, by owner, with their roles.
	OParlFilesOf(ctx context.Context, kind documents.LinkKind, ids []council.ID) (map[council.ID][]documents.OParlLinked, error)
	// Text returns at most max bytes of the extracted text of file id
	// (ok false when there is none); callers check that the file is public.
	Text(ctx context.Context, id council.ID, max int) (text string, ok bool, err error)
}

// Options configure a Handler.
type Options struct {
	Council  *council.Store
	Meetings *meetings.Store
	Files    FileSource   // nil: no files (empty list, 404)
	Log      *slog.Logger // nil: discard
	// BaseURL is the public base URL; ids are BaseURL + "/oparl/v1.1/…".
	BaseURL string
	// License is the licence URL of the data, set on the System and on
	// Bodies that have none of their own; "" omits it.
	License string
	// Product and Vendor are optional URLs for the System object.
	Product, Vendor string
}

// Handler serves the API under /oparl (mount it there).
type Handler struct {
	opt    Options
	log    *slog.Logger
	berlin *time.Location
	u      urls
	router chi.Router
}

// New returns a Handler. It fails when the Europe/Berlin zone is unknown.
func New(opt Options) (*Handler, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("oparl: %w", err)
	}
	h := &Handler{opt: opt, log: opt.Log, berlin: loc, u: urls{base: strings.TrimRight(opt.BaseURL, "/")}}
	h.router = h.routes()
	return h, nil
}

// ServeHTTP makes Handler an http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// handlerFunc returns the response object or an error.
type handlerFunc func(r *http.Request) (any, error)

func (h *Handler) routes() chi.Router {
	r := chi.NewRouter()
	get := func(pattern string, fn handlerFunc) {
		r.Get(pattern, h.serve(fn))
		r.Head(pattern, h.serve(fn))
		r.Options(pattern, h.preflight)
	}
	p := "/" + Version
	get(p+"/system", h.system)
	for _, k := range h.kinds() {
		if k.list == "" {
			get(p+"/"+k.path, h.list(k))
		} else {
			get(p+"/body/{body}/"+k.list, h.list(k))
		}
		get(p+"/"+k.path+"/{id}", h.object(k))
	}
	// The whole extracted text of a public file, which File.text carries
	// only in part (docs/OPARL.md, "Files").
	r.Get(p+"/"+pFile+"/{id}/text", h.fileText)
	r.Head(p+"/"+pFile+"/{id}/text", h.fileText)
	r.NotFound(h.serve(func(r *http.Request) (any, error) {
		return nil, fmt.Errorf("%w: no such OParl resource %s", council.ErrNotFound, r.URL.Path)
	}))
	r.MethodNotAllowed(h.serve(func(r *http.Request) (any, error) {
		return nil, fmt.Errorf("%w: use GET or HEAD", httperr.ErrMethodNotAllowed)
	}))
	return r
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "If-None-Match")
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// serve adapts fn: JSON with ETag, CORS and HEAD support; errors become
// OParl error objects.
func (h *Handler) serve(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		v, err := fn(r)
		if err != nil {
			status = httperr.Status(err)
			msg := err.Error()
			if status >= 500 {
				h.log.Error("oparl request failed", "path", r.URL.Path, "err", err)
				msg = "internal error"
			}
			v = apiError{Type: schemaBase + "Error", Message: msg, Status: status}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			h.log.Error("oparl encode", "path", r.URL.Path, "err", err)
			status = http.StatusInternalServerError
			buf.Reset()
			buf.WriteString(`{"type":"` + schemaBase + `Error","message":"internal error"}` + "\n")
		}
		hd := w.Header()
		hd.Set("Content-Type", "application/json; charset=utf-8")
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Expose-Headers", "ETag")
		if status == http.StatusMethodNotAllowed {
			hd.Set("Allow", "GET, HEAD, OPTIONS")
		}
		if status == http.StatusOK {
			sum := sha256.Sum256(buf.Bytes())
			etag := `"` + hex.EncodeToString(sum[:12]) + `"`
			hd.Set("ETag", etag)
			hd.Set("Cache-Control", "public, no-cache")
			if matchETag(r.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else {
			hd.Set("Cache-Control", "no-store")
		}
		hd.Set("Content-Length", fmt.Sprint(buf.Len()))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(buf.Bytes())
		}
	}
}

// matchETag reports whether an If-None-Match header matches etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func matchETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// urls builds the API's and the portal's absolute URLs.
type urls struct{ base string }

func (u urls) api(parts ...string) string {
	return u.base + "/oparl/" + Version + "/" + strings.Join(parts, "/")
}
func (u urls) system() string                           { return u.api("system") }
func (u urls) bodies() string                           { return u.api("body") }
func (u urls) obj(path string, id council.ID) string    { return u.api(path, id.String()) }
func (u urls) list(body council.ID, list string) string { return u.api("body", body.String(), list) }

// web is a link to Plenar's HTML page path + id.
func (u urls) web(path string, id council.ID) string { return u.base + path + id.String() }

// objs maps ids to object URLs of one path, skipping NilID; nil for none.
func (u urls) objs(path string, ids []council.ID) []string {
	return mapIDs(ids, func(id council.ID) string { return u.obj(path, id) })
}

func mapIDs(ids []council.ID, f func(council.ID) string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != council.NilID {
			out = append(out, f(id))
		}
	}
	return out
}

// system answers the System object.
func (h *Handler) system(r *http.Request) (any, error) {
	bodies, _, err := h.opt.Council.OParlBodies(r.Context(), council.ListQuery{})
	if err != nil {
		return nil, err
	}
	s := system{ID: h.u.system(), Type: typeSystem, OParlVersion: schemaBase, License: h.opt.License,
		Body: h.u.bodies(), Name: "Plenar", Website: h.u.base + "/", Vendor: h.opt.Vendor, Product: h.opt.Product,
		Web: h.u.base + "/"}
	var created, modified time.Time
	for i, b := range bodies {
		if i == 0 {
			s.Name = b.Name
			if s.License == "" {
				s.License = b.License // the (first) Body's licence is the configured one
			}
		}
		if created.IsZero() || b.Created.Before(created) {
			created = b.Created
		}
		if b.Modified.After(modified) {
			modified = b.Modified
		}
	}
	s.Created, s.Modified = h.dateTime(created), h.dateTime(modified)
	return s, nil
}

// dateTime formats t as yyyy-mm-ddThh:mm:ss±hh:mm in German time; the zero
// time gives "" (omitted).
func (h *Handler) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(h.berlin).Format("2006-01-02T15:04:05-07:00")
}

// date formats a calendar date; the zero time gives "".
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// fileText answers the whole extracted text of a public, live file as
// text/plain; 404 for anything else, as its File object.
func (h *Handler) fileText(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { h.serve(func(*http.Request) (any, error) { return nil, err })(w, r) }
	id, err := council.ParseID(chi.URLParam(r, "id"))
	if err != nil {
		fail(err)
		return
	}
	if h.opt.Files == nil || id == council.NilID {
		fail(fmt.Errorf("%w: no text of file %s", council.ErrNotFound, id))
		return
	}
	files, _, err := h.opt.Files.OParlFiles(r.Context(), council.ListQuery{ID: id, Limit: 1})
	if err != nil {
		fail(err)
		return
	}
	if len(files) != 1 || files[0].ID != id || files[0].Deleted || !files[0].HasText {
		fail(fmt.Errorf("%w: no text of file %s", council.ErrNotFound, id))
		return
	}
	text, ok, err := h.opt.Files.Text(r.Context(), id, documents.DefaultMaxText)
	if err != nil || !ok {
		fail(fmt.Errorf("text of file %s: %w", id, cmp.Or(err, council.ErrNotFound)))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Content-Length", fmt.Sprint(len(text)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.WriteString(w, text)
}
