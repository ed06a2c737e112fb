package web

import (
	"net/http"
	"net/url"

	"github.com/plenar/plenar/council"
)

// requireRole lets a request through only when the viewer (set by the
// session middleware in auth.go) has one of roles. Anonymous visitors are
// sent to the login page; logged-in users without the role get 403.
func (s *Server) requireRole(roles ...council.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := requestStateOf(r).viewer
			if v.IsPublic() {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			for _, role := range roles {
				if v.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			s.fail(w, r, council.ErrForbidden)
		})
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
