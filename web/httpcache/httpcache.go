// Package httpcache makes Plenar's anonymous answers cacheable: by
// browsers and reverse proxies through validators and Cache-Control, and
// in the process through a small cache of rendered pages.
//
// The version of everything public is the newest change of the database
// (council.Changes: every change writes an outbox row and notifies every
// process). An anonymous answer is derived from the request (path, query,
// language), the binary and that version, plus the clock for pages that
// show "today" or "live now" — so its validator needs no rendering:
//
//	ETag: W/"<build>.<newest change>.<language>.<time slot>.<hash of the URL>"
//
// A request whose If-None-Match names the current validator gets 304
// without touching the handler or the database. Anything personal (a
// request with a session cookie, an answer that sets a cookie or its own
// Cache-Control) passes through untouched and is marked private. A
// change of visibility is a change like any other: the next answer has a
// new validator, and shared caches keep the old one at most MaxAge.
// docs/ARCHITECTURE.md ("HTTP caching") and docs/DEPLOY.md describe the
// whole path.
package httpcache

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Version is the newest change: its sequence number and time. The zero
// Version means "unknown": nothing is cached then.
type Version struct {
	Seq int64
	At  time.Time
}

// Options configure a Cache.
type Options struct {
	// Latest returns the newest change (council.Changes.Latest).
	Latest func() Version
	// Build names the binary (templates and code change with it).
	Build string
	// Personal reports whether the request belongs to someone (a session
	// cookie): such requests are never answered from or stored in a cache.
	Personal func(*http.Request) bool
	// Variant is what besides the URL selects the answer, e.g. the
	// language chosen from Accept-Language.
	Variant func(*http.Request) string
	// MaxAge is how long shared caches and browsers may use an answer
	// without asking (default 10 s). StaleWhileRevalidate (default 30 s) lets a proxy answer from
	// its copy while it fetches the next.
	MaxAge, StaleWhileRevalidate time.Duration
	// MaxEntries and MaxBytes bound the in-process page cache (defaults
	// 512 pages, 64 MiB); a page larger than MaxBytes/64 is not kept.
	MaxEntries int
	MaxBytes   int64
	// Slot is how long a page that shows the clock ("today", "live now")
	// may stay the same without a change (default 1 min): the validator
	// names the slot.
	Slot time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Cache is the middleware.
type Cache struct {
	opt    Options
	flight singleflight.Group

	mu      sync.Mutex
	pages   map[string]*page
	order   []string // insertion order, oldest first
	bytes   int64
	version int64 // the Seq the pages belong to

	hits, misses, notModified atomic.Int64
}

// page is one stored answer.
type page struct {
	header http.Header
	body   []byte
}

// New returns a Cache with opt's defaults filled in.
func New(opt Options) *Cache {
	if opt.MaxAge <= 0 {
		opt.MaxAge = 10 * time.Second
	}
	if opt.StaleWhileRevalidate <= 0 {
		opt.StaleWhileRevalidate = 30 * time.Second
	}
	if opt.MaxEntries <= 0 {
		opt.MaxEntries = 512
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 64 << 20
	}
	if opt.Slot <= 0 {
		opt.Slot = time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Variant == nil {
		opt.Variant = func(*http.Request) string { return "" }
	}
	if opt.Personal == nil {
		opt.Personal = func(*http.Request) bool { return false }
	}
	return &Cache{opt: opt, pages: map[string]*page{}}
}

// Stats returns the page cache's hits and misses and the 304 answers.
func (c *Cache) Stats() (hits, misses, notModified int64) {
	return c.hits.Load(), c.misses.Load(), c.notModified.Load()
}

// validator is the ETag and Last-Modified of an anonymous answer to r
// now; ok is false while the version is unknown.
func (c *Cache) validator(r *http.Request) (etag string, modified time.Time, ok bool) {
	v := c.opt.Latest()
	if v.Seq == 0 && v.At.IsZero() {
		return "", time.Time{}, false
	}
	now := c.opt.Now()
	slot := now.Truncate(c.opt.Slot)
	modified = v.At
	if slot.After(modified) {
		modified = slot
	}
	variant := strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, c.opt.Variant(r))
	uri := fnv.New64a()
	_, _ = uri.Write([]byte(r.URL.RequestURI()))
	etag = fmt.Sprintf(`W/"%s.%d.%s.%d.%x"`, c.opt.Build, v.Seq, variant, slot.Unix(), uri.Sum64())
	return etag, modified.UTC().Truncate(time.Second), true
}

// Middleware answers anonymous GET and HEAD requests from validators and
// the page cache, and marks every other answer private.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || c.opt.Personal(r) {
			next.ServeHTTP(&privateWriter{ResponseWriter: w}, r)
			return
		}
		etag, modified, ok := c.validator(r)
		if !ok {
			next.ServeHTTP(&privateWriter{ResponseWriter: w, anonymous: true}, r)
			return
		}
		if notModified(r, etag, modified) {
			c.notModified.Add(1)
			c.publicHeaders(w.Header(), etag, modified)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		key := r.URL.RequestURI() + "\x00" + etag
		if p := c.lookup(key); p != nil {
			c.hits.Add(1)
			p.write(w, r)
			return
		}
		c.misses.Add(1)
		if r.Method == http.MethodHead { // headers only: nothing to keep
			next.ServeHTTP(&teeWriter{ResponseWriter: w, c: c, etag: etag, modified: modified}, r)
			return
		}
		// Concurrent misses of one page render it once: a change makes
		// every client miss at the same moment. The first request's
		// answer streams to its client while it is copied; the others get
		// the copy, or run the handler themselves when there is none
		// (not cacheable: an error, a cookie, too large).
		var own bool
		v, _, _ := c.flight.Do(key, func() (any, error) {
			own = true
			tw := &teeWriter{ResponseWriter: w, c: c, etag: etag, modified: modified, limit: c.opt.MaxBytes / 64}
			next.ServeHTTP(tw, r)
			p := tw.page()
			if p != nil {
				c.store(key, p)
			}
			return p, nil
		})
		if own {
			return
		}
		if p, _ := v.(*page); p != nil {
			p.write(w, r)
			return
		}
		next.ServeHTTP(&privateWriter{ResponseWriter: w, anonymous: true}, r)
	})
}

func (c *Cache) publicHeaders(h http.Header, etag string, modified time.Time) {
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d, stale-while-revalidate=%d",
		int(c.opt.MaxAge.Seconds()), int(c.opt.StaleWhileRevalidate.Seconds())))
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.Format(http.TimeFormat))
	h.Set("Vary", "Accept-Language, Cookie")
}

func (c *Cache) lookup(key string) *page {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropOutdated()
	return c.pages[key]
}

func (c *Cache) store(key string, p *page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropOutdated()
	if _, ok := c.pages[key]; ok {
		return
	}
	c.pages[key] = p
	c.order = append(c.order, key)
	c.bytes += int64(len(p.body))
	for len(c.order) > c.opt.MaxEntries || c.bytes > c.opt.MaxBytes {
		old := c.order[0]
		c.order = c.order[1:]
		if q, ok := c.pages[old]; ok {
			c.bytes -= int64(len(q.body))
			delete(c.pages, old)
		}
	}
}

// dropOutdated empties the cache when the version moved on: the keys
// name the version, so old pages would only take memory. Called with
// c.mu held.
func (c *Cache) dropOutdated() {
	if v := c.opt.Latest().Seq; v != c.version {
		clear(c.pages)
		c.order, c.bytes, c.version = nil, 0, v
	}
}

// write sends the stored page (headers cloned: the handler's writer may
// add its own).
func (p *page) write(w http.ResponseWriter, r *http.Request) {
	for k, vs := range p.header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

// notModified applies RFC 9110's conditional GET: If-None-Match when
// present, otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.After(t)
	}
	return false
}

// teeWriter passes an anonymous answer to its client and keeps a copy
// while it may be stored. At the header it decides: a 200 without a
// cookie and without a Cache-Control of the handler's own becomes public
// with the validators; anything else is no-cache (the handler's own
// Cache-Control wins) and is not kept.
type teeWriter struct {
	http.ResponseWriter
	c        *Cache
	etag     string
	modified time.Time
	limit    int64

	wrote     bool
	cacheable bool
	status    int
	body      bytes.Buffer
}

func (w *teeWriter) WriteHeader(status int) {
	if w.wrote {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.wrote, w.status = true, status
	h := w.Header()
	w.cacheable = status == http.StatusOK && h.Get("Set-Cookie") == "" && h.Get("Cache-Control") == ""
	switch {
	case w.cacheable:
		w.c.publicHeaders(h, w.etag, w.modified)
	case h.Get("Set-Cookie") != "":
		h.Set("Cache-Control", "private, no-store")
	case h.Get("Cache-Control") == "":
		h.Set("Cache-Control", "no-cache")
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.cacheable {
		if int64(w.body.Len()+len(b)) > w.limit {
			w.cacheable = false
			w.body = bytes.Buffer{}
		} else {
			w.body.Write(b)
		}
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// page is the kept answer, or nil.
func (w *teeWriter) page() *page {
	if !w.wrote || !w.cacheable {
		return nil
	}
	h := w.Header().Clone()
	h.Del("Content-Length")
	return &page{header: h, body: bytes.Clone(w.body.Bytes())}
}

// privateWriter marks an answer that is not shared: no-store for a
// personal request, no-cache for an anonymous one whose version is not
// known yet; a handler's own Cache-Control wins.
type privateWriter struct {
	http.ResponseWriter
	anonymous bool
	done      bool
}

func (w *privateWriter) WriteHeader(status int) {
	if !w.done {
		w.done = true
		h := w.Header()
		if h.Get("Cache-Control") == "" {
			if w.anonymous {
				h.Set("Cache-Control", "no-cache")
			} else {
				h.Set("Cache-Control", "private, no-store")
			}
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *privateWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (websockets,
// flushing).
func (w *privateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
