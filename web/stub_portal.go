package web

import "github.com/go-chi/chi/v5"

// portalRoutes is replaced by portal.go.
func (s *Server) portalRoutes(r chi.Router) {}
