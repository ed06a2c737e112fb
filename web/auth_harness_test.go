package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/plenar/plenar/council"
)

// testPassword is the password of every user login creates.
const testPassword = "correct horse battery staple"

// newTestUser creates a user of role with testPassword (hashed with the
// real argon2id parameters); clerks and admins get an enabled TOTP secret.
func (e *testEnv) newTestUser(t testing.TB, role council.Role, totpEnabled bool) council.User {
	t.Helper()
	hash, err := council.HashPassword(testPassword)
	if err != nil {
		t.Fatalf("hash password: %v", err)
	}
	u := council.User{
		Email:        string(role) + "-" + council.NewID().String()[:8] + "@plenar.test",
		DisplayName:  "Test " + string(role),
		PasswordHash: hash,
		Role:         role,
	}
	if totpEnabled {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Plenar test", AccountName: u.Email})
		if err != nil {
			t.Fatalf("generate totp secret: %v", err)
		}
		u.TOTPSecret, u.TOTPEnabled = key.Secret(), true
	}
	u, err = e.council.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("create user %s: %v", role, err)
	}
	return u
}

// totpCode returns the current code of secret (as an authenticator app).
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totpOpts())
	if err != nil {
		t.Fatalf("totp code: %v", err)
	}
	return code
}

// login creates a user of role (with an enabled TOTP secret for clerk and
// admin), logs in through the real /login (and /login/totp) and returns a
// client with the session cookie that does not follow redirects.
func (e *testEnv) login(t testing.TB, role council.Role) (*http.Client, council.User) {
	t.Helper()
	u := e.newTestUser(t, role, role.NeedsTOTP())
	c := e.anon()
	resp := e.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login as %s: status %d, want %d", role, resp.StatusCode, http.StatusSeeOther)
	}
	if loc := resp.Header.Get("Location"); loc == "/login/totp" {
		resp = e.postForm(t, c, "/login/totp", url.Values{"code": {totpCode(t, u.TOTPSecret, time.Now())}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /login/totp as %s: status %d, want %d", role, resp.StatusCode, http.StatusSeeOther)
		}
	} else if want := landing("/", role); loc != want {
		t.Fatalf("POST /login as %s: Location %q, want %s or /login/totp", role, loc, want)
	}
	if e.sessionValue(t, c, keyUserID) != u.ID.String() {
		t.Fatalf("login as %s: session has no user", role)
	}
	return c, u
}

// postForm posts form to path with c, adding the session's CSRF token (if c
// has a session) and an Origin header of the test server, as a browser
// would. The caller closes the response body.
func (e *testEnv) postForm(t testing.TB, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if tok := e.sessionValue(t, c, keyCSRF); tok != "" && f.Get("csrf_token") == "" {
		f.Set("csrf_token", tok)
	}
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ts.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// sessionCookie returns c's session cookie for the test server, or nil.
func (e *testEnv) sessionCookie(c *http.Client) *http.Cookie {
	if c.Jar == nil {
		return nil
	}
	u, _ := url.Parse(e.ts.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == e.srv.auth.sessions.Cookie.Name {
			return ck
		}
	}
	return nil
}

// sessionValue reads key of c's server-side session ("" without one).
func (e *testEnv) sessionValue(t testing.TB, c *http.Client, key string) string {
	t.Helper()
	ck := e.sessionCookie(c)
	if ck == nil {
		return ""
	}
	sm := e.srv.auth.sessions
	ctx, err := sm.Load(context.Background(), ck.Value)
	if err != nil {
		t.Fatalf("load session: %v", err)
	}
	return sm.GetString(ctx, key)
}
