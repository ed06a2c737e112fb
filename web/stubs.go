package web

import (
	"net/url"

	"github.com/go-chi/chi/v5"
)

// Placeholders replaced by auth.go, portal.go and admin.go as they land.

func (s *Server) authRoutes(r chi.Router)   {}
func (s *Server) portalRoutes(r chi.Router) {}
func (s *Server) adminRoutes(r chi.Router)  {}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
