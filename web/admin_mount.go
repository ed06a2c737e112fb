package web

import (
	"context"
	"mime/multipart"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/web/admin"
	"github.com/plenar/plenar/web/site"
)

// adminRoutes mounts the clerk back office (package web/admin) under
// /admin, for the clerk and admin roles only, never cached.
func (s *Server) adminRoutes(r chi.Router) {
	r.Route("/admin", func(r chi.Router) {
		r.Use(s.requireRole(council.RoleClerk, council.RoleAdmin), site.NoStore)
		var minutes admin.MinutesService
		if s.opt.Live != nil {
			minutes = s.opt.Live
		}
		d := admin.Deps{Council: s.council, Meetings: s.meetings, Docs: s.docs, Minutes: minutes, Now: s.opt.Now,
			Handle: s.h, API: s.api, Render: s.render, Actor: actor, Notice: s.notice,
			Mailer: s.accounts.participation, Log: s.log,
			Multipart: func(r *http.Request) *multipart.Reader { return requestStateOf(r).multipart }}
		if hub := s.opt.Live; hub != nil {
			d.ShowQuestions = func(r *http.Request, meeting council.ID) {
				rs := requestStateOf(r)
				// A session that does not run, or is on another item,
				// has nothing to show: the error is not the clerk's.
				if _, err := hub.Do(r.Context(), meeting, live.Actor{Viewer: rs.viewer, PersonID: rs.user.PersonID},
					live.ShowQuestions{}); err != nil && council.KindOf(err) == council.KindInternal {
					s.log.Warn("live: show questions", "meeting", meeting, "err", err)
				}
			}
		}
		admin.Routes(r, d)
	})
}

// actor returns the request's context carrying the logged-in user as the
// actor of every change.
func actor(r *http.Request) context.Context {
	rs := requestStateOf(r)
	id := rs.user.ID
	if id == council.NilID {
		id = rs.viewer.UserID
	}
	return council.WithActor(r.Context(), id)
}

// notice returns the translation key of the ?notice= parameter, or "" when
// it names no known notice.
func (s *Server) notice(r *http.Request) string {
	n := r.URL.Query().Get("notice")
	if n == "" {
		return ""
	}
	key := "admin.notice." + n
	if _, ok := s.i18n[langs[0]][key]; !ok {
		return ""
	}
	return key
}
