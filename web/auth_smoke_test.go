package web

import (
	"net/http"
	"testing"

	"github.com/plenar/plenar/council"
)

func TestAuthHarnessLogin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, role := range council.Roles {
		t.Run(string(role), func(t *testing.T) {
			c, u := e.login(t, role)
			// Any page shows the logged-in layout (even a 404).
			_, body := e.get(t, c, "/login/no-such-page")
			mustContain(t, "page as "+string(role), body, u.DisplayName, `name="csrf_token" value="`)
			resp := e.postForm(t, c, "/logout", nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST /logout: status %d, want 303", resp.StatusCode)
			}
		})
	}
}
