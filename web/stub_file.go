package web

import "github.com/go-chi/chi/v5"

// fileRoutes is replaced by files.go when that area lands.
func (s *Server) fileRoutes(r chi.Router) {}
