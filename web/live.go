package web

import (
	"github.com/go-chi/chi/v5"
)

// liveRoutes registers the live-session routes: the websocket, the
// public live page, the member's view and the chair/clerk console.
func (s *Server) liveRoutes(r chi.Router) {
	r.Get("/meetings/{id}/live/ws", s.liveWS)
}
