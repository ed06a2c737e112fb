package web

import "github.com/go-chi/chi/v5"

// adminRoutes is replaced by admin.go.
func (s *Server) adminRoutes(r chi.Router) {}
