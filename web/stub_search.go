package web

import "github.com/go-chi/chi/v5"

// searchRoutes is replaced by search.go when that area lands.
func (s *Server) searchRoutes(r chi.Router) {}
