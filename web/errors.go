package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/httperr"
	"github.com/plenar/plenar/web/site"
)

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Message string // a domain message for 4xx; empty for 5xx
}

// h adapts a site.HandlerFunc: errors become a status page; 5xx are logged with
// the request and shown as a generic page, 4xx show the domain message.
func (s *Server) h(fn site.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r, err) {
		w.WriteHeader(statusClientClosed) // for the metrics; the client reads nothing
		return
	}
	status := httperr.Status(err)
	page := errorPage{Status: status}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	} else {
		page.Message = s.userMessage(r, err)
		s.log.Debug("request rejected", append([]any{"method", r.Method, "path", r.URL.Path, "status", status}, httperr.LogAttrs(err)...)...)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	s.render(w, r, status, "error", page)
}

// api adapts a site.HandlerFunc of the JSON API: errors become
// {"error": {"status": 400, "message": "…"}} with the status from the same
// table as pages; 5xx are logged and show a generic message.
func (s *Server) api(fn site.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.apiFail(w, r, err)
		}
	}
}

// apiFail renders err as the JSON API's error.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r, err) {
		w.WriteHeader(statusClientClosed) // for the metrics; the client reads nothing
		return
	}
	status := httperr.Status(err)
	msg := s.userMessage(r, err)
	if status >= 500 {
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		msg = http.StatusText(status)
	} else {
		s.log.Debug("api request rejected", append([]any{"method", r.Method, "path", r.URL.Path, "status", status}, httperr.LogAttrs(err)...)...)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"status": status, "message": msg}})
}

// userMessage is the message of a 4xx error for the user: a translation
// for the database's refusals (council.UserError) and for errors the web
// layer raises itself, none where the status says it all, else the domain
// message.
func (s *Server) userMessage(r *http.Request, err error) string {
	lang := requestStateOf(r).lang
	var ue *council.UserError
	var fe council.FieldErrors
	switch {
	case errors.Is(err, site.ErrBadChars):
		return s.i18n.T(lang, council.MsgBadChars)
	case errors.As(err, &ue):
		return s.i18n.T(lang, ue.Key)
	case errors.As(err, &fe):
		// Forms show these beside their fields; this is for a request
		// that reaches the error page with them (a hand-made request).
		fields := make([]string, 0, len(fe))
		for f := range fe {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f + " – " + s.i18n.T(lang, fe[f])
		}
		return s.i18n.T(lang, "err.fields") + " " + strings.Join(parts, "; ")
	case errors.Is(err, httperr.ErrMethodNotAllowed):
		return ""
	}
	return err.Error()
}

// notFound and methodNotAllowed render chi's fallbacks as pages through
// fail, which writes the header once, with Content-Language.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, council.ErrNotFound)
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, fmt.Errorf("%w: %s", httperr.ErrMethodNotAllowed, r.Method))
}

// clientGone reports whether err only says that the client went away
// (its request's context was canceled: a closed tab, a load generator
// that stopped): nobody is left to answer, and it is no server error to
// log. The metrics record such a request as 499, nginx's code for it.
func clientGone(r *http.Request, err error) bool {
	if !errors.Is(err, context.Canceled) || !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	return true
}

// statusClientClosed is nginx's 499 "client closed request".
const statusClientClosed = 499
