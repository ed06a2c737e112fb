package web

import (
	"context"
	"mime/multipart"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/plenar/plenar/council"
)

// requestState is what middleware learns about a request and handlers and
// templates read: language, viewer, CSRF token.
type requestState struct {
	lang     string
	viewer   council.Viewer
	userName string
	user     council.User
	csrf     string
	// multipart is the body of a multipart form whose first part, the
	// CSRF token, checkCSRF has read (files_csrf.go); handlers go on
	// reading the remaining parts from it.
	multipart *multipart.Reader
}

type stateKey struct{}

func requestStateOf(r *http.Request) *requestState {
	if rs, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return rs
	}
	return &requestState{lang: langOf(r, "")}
}

// viewerOf returns who is looking at r.
func viewerOf(r *http.Request) council.Viewer { return requestStateOf(r).viewer }

// state puts a fresh requestState into the request's context with the
// language from the URL or Accept-Language; the session middleware
// refines it for logged-in users.
func (s *Server) state(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs := &requestState{lang: langOf(r, "")}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, rs)))
	})
}

// contentSecurityPolicy allows nothing but Plenar's own origin: no inline
// scripts or styles, no third-party hosts, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// hsts tells browsers to use only HTTPS for two years, subdomains
// included; sent only when the base URL is https:// (see securityHeaders).
const hsts = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers every answer carries; with https, also
// Strict-Transport-Security.
func securityHeaders(https bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			if https {
				h.Set("Strict-Transport-Security", hsts)
			}
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody caps request bodies at n bytes; reading past it gives an
// *http.MaxBytesError, which the adapter maps to 413.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isUpload(r) { // files.go: uploads stream under their own limit
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > n {
				w.Header().Set("Connection", "close")
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
			"bytes", ww.BytesWritten(), "duration_ms", time.Since(start).Milliseconds())
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
