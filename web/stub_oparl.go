package web

import "github.com/go-chi/chi/v5"

// oparlRoutes is replaced by oparl_mount.go when that area lands.
func (s *Server) oparlRoutes(r chi.Router) {}
