package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

// sessionRows counts the rows of token in table sessions.
func (e *testEnv) sessionRows(t *testing.T, token string) int {
	t.Helper()
	var n int
	if err := e.srv.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, token).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEndedSessionsLoseAccess(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		end  func(id council.ID) error
	}{
		{"SetPassword", func(id council.ID) error { return e.council.SetPassword(ctx, id, "$argon2id$reset") }},
		{"SetTOTP", func(id council.ID) error { return e.council.SetTOTP(ctx, id, "JBSWY3DPEHPK3PXP", true) }},
		{"SetUserDisabled", func(id council.ID) error { return e.council.SetUserDisabled(ctx, id, true) }},
		{"EndSessions", func(id council.ID) error { return e.council.EndSessions(ctx, id) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			victim, u := e.login(t, council.RoleClerk)
			bystander, _ := e.login(t, council.RoleClerk)
			for who, c := range map[string]*http.Client{"victim": victim, "bystander": bystander} {
				if status, _ := e.get(t, c, "/admin"); status != http.StatusOK {
					t.Fatalf("%s before %s: GET /admin status %d, want 200", who, tc.name, status)
				}
			}
			token := e.sessionCookie(victim).Value
			if err := tc.end(u.ID); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}

			resp, err := victim.Get(e.ts.URL + "/admin")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fadmin" {
				t.Errorf("victim after %s: GET /admin %d %q, want 303 to the login page", tc.name, resp.StatusCode, loc)
			}
			if e.sessionCookie(victim) != nil {
				t.Errorf("victim after %s: session cookie kept", tc.name)
			}
			if n := e.sessionRows(t, token); n != 0 {
				t.Errorf("victim after %s: %d session rows for the old token, want 0", tc.name, n)
			}
			if status, _ := e.get(t, bystander, "/admin"); status != http.StatusOK {
				t.Errorf("bystander after %s on another user: GET /admin status %d, want 200", tc.name, status)
			}
		})
	}
}

// A password reset between the password step and the second factor voids
// the half-finished login.
func TestEndedSessionsVoidPendingLogin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleClerk, true)
	c := e.anon()
	status, loc, _ := e.submit(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if status != http.StatusSeeOther || loc != "/login/totp" {
		t.Fatalf("POST /login: %d %q, want 303 /login/totp", status, loc)
	}
	if err := e.council.SetPassword(context.Background(), u.ID, "$argon2id$reset"); err != nil {
		t.Fatal(err)
	}
	status, loc, _ = e.submit(t, c, "/login/totp", url.Values{"code": {totpCode(t, u.TOTPSecret, time.Now())}})
	if status != http.StatusSeeOther || loc != "/login" {
		t.Errorf("POST /login/totp after a password reset: %d %q, want 303 /login", status, loc)
	}
	if got := e.sessionValue(t, c, keyUserID); got != "" {
		t.Errorf("after a password reset mid-login: session user %q, want none", got)
	}
}

func TestCleanSessions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c, _ := e.login(t, council.RoleCitizen)
	live := e.sessionCookie(c).Value
	if _, err := e.srv.pool.Exec(context.Background(), `INSERT INTO sessions (token, data, expiry) VALUES ('old', '\x00', $1)`,
		time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	e.srv.cleanSessions(context.Background())
	if n := e.sessionRows(t, "old"); n != 0 {
		t.Errorf("expired session: %d rows after cleanSessions, want 0", n)
	}
	if n := e.sessionRows(t, live); n != 1 {
		t.Errorf("live session: %d rows after cleanSessions, want 1", n)
	}
}
