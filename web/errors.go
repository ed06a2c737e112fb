package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/plenar/plenar/council"
)

// handlerFunc is a handler that returns its error for the adapter to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusOf maps error kinds to HTTP status codes: the one table.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, council.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, council.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, council.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, council.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, council.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, council.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, errTooManyRequests):
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

var errTooManyRequests = errors.New("too many requests")

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Message string // a domain message for 4xx; empty for 5xx
}

// h adapts a handlerFunc: errors become a status page; 5xx are logged with
// the request and shown as a generic page, 4xx show the domain message.
func (s *Server) h(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	page := errorPage{Status: status}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	} else {
		page.Message = s.userMessage(r, err)
		s.log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	s.render(w, r, status, "error", page)
}

// api adapts a handlerFunc of the JSON API: errors become
// {"error": {"status": 400, "message": "…"}} with the status from the same
// table as pages; 5xx are logged and show a generic message.
func (s *Server) api(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.apiFail(w, r, err)
		}
	}
}

// apiFail renders err as the JSON API's error.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := s.userMessage(r, err)
	if status >= 500 {
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		msg = http.StatusText(status)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"status": status, "message": msg}})
}

// userMessage is the message of a 4xx error for the user: the domain
// message, or a translation for errors the web layer raises itself.
func (s *Server) userMessage(r *http.Request, err error) string {
	if errors.Is(err, errBadChars) {
		return s.i18n.T(requestStateOf(r).lang, "err.bad_chars")
	}
	return err.Error()
}

// notFound and methodNotAllowed render chi's fallbacks as pages.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, council.ErrNotFound)
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusMethodNotAllowed)
	s.render(w, r, http.StatusMethodNotAllowed, "error", errorPage{Status: http.StatusMethodNotAllowed,
		Message: "method " + r.Method + " not allowed"})
}
