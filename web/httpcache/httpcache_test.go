package httpcache_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plenar/plenar/web/httpcache"
)

// site is a handler behind a Cache with a version and a clock the test
// moves.
type site struct {
	mu      sync.Mutex
	version httpcache.Version
	now     time.Time
	calls   atomic.Int64
	cache   *httpcache.Cache
	h       http.Handler
}

func newSite(t *testing.T, handler http.HandlerFunc) *site {
	t.Helper()
	s := &site{version: httpcache.Version{Seq: 7, At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		now: time.Date(2026, 12, 7, 18, 0, 5, 0, time.UTC)}
	s.cache = httpcache.New(httpcache.Options{
		Latest:   func() httpcache.Version { s.mu.Lock(); defer s.mu.Unlock(); return s.version },
		Build:    "b1",
		Personal: func(r *http.Request) bool { _, err := r.Cookie("plenar_session"); return err == nil },
		Variant:  func(r *http.Request) string { return r.Header.Get("Accept-Language") },
		Now:      func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now },
	})
	s.h = s.cache.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		handler(w, r)
	}))
	return s
}

func (s *site) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return s.do(t, http.MethodGet, path, header...)
}

func (s *site) do(t *testing.T, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func (s *site) change(seq int64) {
	s.mu.Lock()
	s.version = httpcache.Version{Seq: seq, At: s.now}
	s.mu.Unlock()
}

func page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<h1>Ratsinformation "+r.URL.Path+"</h1>")
}

func TestAnonymousPagesAreSharedAndRevalidated(t *testing.T) {
	s := newSite(t, page)
	first := s.get(t, "/")
	cc, etag := first.Header().Get("Cache-Control"), first.Header().Get("ETag")
	if first.Code != 200 || cc != "public, max-age=10, stale-while-revalidate=30" || etag == "" ||
		first.Header().Get("Last-Modified") == "" || first.Header().Get("Vary") != "Accept-Language, Cookie" {
		t.Fatalf("first answer %d, headers %v", first.Code, first.Header())
	}
	second := s.get(t, "/")
	if s.calls.Load() != 1 || second.Body.String() != first.Body.String() || second.Header().Get("ETag") != etag {
		t.Errorf("second request: handler ran %d times, body %q; want 1 run and the kept page", s.calls.Load(), second.Body)
	}
	if head := s.do(t, http.MethodHead, "/"); head.Code != 200 || head.Body.Len() != 0 || s.calls.Load() != 1 {
		t.Errorf("HEAD from the cache: %d, %d bytes, %d runs", head.Code, head.Body.Len(), s.calls.Load())
	}
	// The validator answers 304 without the handler.
	if nm := s.get(t, "/", "If-None-Match", etag); nm.Code != http.StatusNotModified || nm.Body.Len() != 0 ||
		nm.Header().Get("ETag") != etag || s.calls.Load() != 1 {
		t.Errorf("If-None-Match: %d, body %q, %d runs; want 304 without running the handler", nm.Code, nm.Body, s.calls.Load())
	}
	if ims := s.get(t, "/", "If-Modified-Since", first.Header().Get("Last-Modified")); ims.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since the page's own date: %d, want 304", ims.Code)
	}
	// Another URL, another language: other validators, other pages.
	if other := s.get(t, "/meetings", "If-None-Match", etag); other.Code != 200 || other.Header().Get("ETag") == etag {
		t.Errorf("another URL with the first's validator: %d, ETag %q", other.Code, other.Header().Get("ETag"))
	}
	if en := s.get(t, "/", "Accept-Language", "en"); en.Header().Get("ETag") == etag {
		t.Error("the English page has the German page's validator")
	}

	// A change anywhere: a new validator, the old one no longer matches,
	// and the page is rendered again.
	runs := s.calls.Load()
	s.change(8)
	after := s.get(t, "/", "If-None-Match", etag)
	if after.Code != 200 || after.Header().Get("ETag") == etag || s.calls.Load() != runs+1 {
		t.Errorf("after a change: %d, ETag %q (old %q), %d runs", after.Code, after.Header().Get("ETag"), etag, s.calls.Load()-runs)
	}
	if ims := s.get(t, "/", "If-Modified-Since", first.Header().Get("Last-Modified")); ims.Code != 200 {
		t.Errorf("If-Modified-Since before the change: %d, want 200", ims.Code)
	}
	// The clock's slot moves on: pages that show "today" are rendered anew.
	etag8 := after.Header().Get("ETag")
	s.mu.Lock()
	s.now = s.now.Add(time.Minute)
	s.mu.Unlock()
	if later := s.get(t, "/", "If-None-Match", etag8); later.Code != 200 || later.Header().Get("ETag") == etag8 {
		t.Errorf("a minute later: %d with ETag %q; want a fresh page", later.Code, later.Header().Get("ETag"))
	}
}

func TestPersonalAnswersAreNeverShared(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "csrf", Value: "secret-token"})
		case "/live":
			w.Header().Set("Cache-Control", "no-store")
		case "/missing":
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "Hallo "+r.URL.Path)
	})
	if w := s.get(t, "/", "Cookie", "plenar_session=abc"); w.Header().Get("Cache-Control") != "private, no-store" ||
		w.Header().Get("ETag") != "" {
		t.Errorf("logged-in page: Cache-Control %q, ETag %q", w.Header().Get("Cache-Control"), w.Header().Get("ETag"))
	}
	if w := s.get(t, "/"); w.Header().Get("Cache-Control") == "private, no-store" || s.calls.Load() != 2 {
		t.Errorf("the anonymous page after a logged-in one: %q, %d runs (the personal page must not be kept)",
			w.Header().Get("Cache-Control"), s.calls.Load())
	}
	for i := range 2 {
		w := s.get(t, "/login")
		if w.Header().Get("Cache-Control") != "private, no-store" || !strings.Contains(w.Header().Get("Set-Cookie"), "secret-token") {
			t.Errorf("answer %d with a cookie: Cache-Control %q, Set-Cookie %q", i, w.Header().Get("Cache-Control"), w.Header().Get("Set-Cookie"))
		}
	}
	if w := s.get(t, "/live"); w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("ETag") != "" {
		t.Errorf("the handler's own no-store: %q, ETag %q", w.Header().Get("Cache-Control"), w.Header().Get("ETag"))
	}
	if w := s.get(t, "/missing"); w.Code != 404 || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("404: %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
	runs := s.calls.Load()
	s.get(t, "/login")
	s.get(t, "/live")
	s.get(t, "/missing")
	if got := s.calls.Load() - runs; got != 3 {
		t.Errorf("answers with a cookie, no-store or 404 were kept: %d of 3 requests ran the handler", got)
	}
	if w := s.do(t, http.MethodPost, "/"); w.Header().Get("Cache-Control") != "private, no-store" {
		t.Errorf("POST: Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}

func TestUnknownVersionAndLargeAnswers(t *testing.T) {
	big := strings.Repeat("x", 2<<20) // beyond MaxBytes/64 (1 MiB)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		page(w, r)
	})
	for range 2 {
		if w := s.get(t, "/big"); w.Body.Len() != len(big) || w.Header().Get("Cache-Control") == "" {
			t.Fatalf("large answer: %d bytes, Cache-Control %q", w.Body.Len(), w.Header().Get("Cache-Control"))
		}
	}
	if s.calls.Load() != 2 {
		t.Errorf("a large answer was kept: %d runs of 2 requests", s.calls.Load())
	}
	s.mu.Lock()
	s.version = httpcache.Version{}
	s.mu.Unlock()
	if w := s.get(t, "/"); w.Header().Get("Cache-Control") != "no-cache" || w.Header().Get("ETag") != "" {
		t.Errorf("while the version is unknown: Cache-Control %q, ETag %q", w.Header().Get("Cache-Control"), w.Header().Get("ETag"))
	}
}

// TestConcurrentMissesRenderOnce: after a change every client misses at
// once; the page is rendered once and the others get the copy.
func TestConcurrentMissesRenderOnce(t *testing.T) {
	release := make(chan struct{})
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		page(w, r)
	})
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Go(func() { bodies[i] = s.get(t, "/").Body.String() })
	}
	time.Sleep(100 * time.Millisecond) // let the requests queue behind the first
	close(release)
	wg.Wait()
	if s.calls.Load() != 1 {
		t.Errorf("20 concurrent requests ran the handler %d times, want 1", s.calls.Load())
	}
	for i, b := range bodies {
		if b != bodies[0] || b == "" {
			t.Fatalf("request %d got %q, want %q", i, b, bodies[0])
		}
	}
	hits, misses, _ := s.cache.Stats()
	if hits+misses != 20 {
		t.Errorf("stats: %d hits + %d misses, want 20 requests", hits, misses)
	}
}

// BenchmarkNotModified is the server's work for a revalidation that
// answers 304 (issue 21: ≤ 0.2 ms of CPU), and BenchmarkHit for a page
// from the in-process cache; both without the network.
func BenchmarkNotModified(b *testing.B) {
	s := newSite(&testing.T{}, page)
	etag := s.get(&testing.T{}, "/meetings/4f1c").Header().Get("ETag")
	r := httptest.NewRequest(http.MethodGet, "/meetings/4f1c", nil)
	r.Header.Set("If-None-Match", etag)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusNotModified {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkHit(b *testing.B) {
	s := newSite(&testing.T{}, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("<p>Tagesordnung</p>", 2000)) // ~40 KB, a meeting page
	})
	s.get(&testing.T{}, "/meetings/4f1c")
	r := httptest.NewRequest(http.MethodGet, "/meetings/4f1c", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
	}
}
