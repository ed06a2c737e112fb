package web

import "github.com/go-chi/chi/v5"

// feedRoutes is replaced by feeds.go when that area lands.
func (s *Server) feedRoutes(r chi.Router) {}
