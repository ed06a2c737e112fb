package web

import "github.com/go-chi/chi/v5"

// authRoutes is replaced by auth.go.
func (s *Server) authRoutes(r chi.Router) {}
