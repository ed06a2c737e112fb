package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"

	"github.com/plenar/plenar/council"
)

// post sends form to path with c and extra headers (no CSRF token or
// Origin added) and returns status, Location and body.
func (e *testEnv) post(t *testing.T, c *http.Client, path string, form url.Values, hdr map[string]string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// submit is postForm returning status, Location and body.
func (e *testEnv) submit(t *testing.T, c *http.Client, path string, form url.Values) (int, string, string) {
	t.Helper()
	resp := e.postForm(t, c, path, form)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func wantStatus(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}

func TestLoginClerkTOTP(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleClerk, true)
	c := e.anon()

	status, loc, _ := e.submit(t, c, "/login", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {testPassword},
		"next": {"/admin/papers?x=1"}})
	wantStatus(t, "POST /login", status, http.StatusSeeOther)
	if loc != "/login/totp" {
		t.Fatalf("POST /login: Location %q, want /login/totp", loc)
	}
	ck := e.sessionCookie(c)
	if ck == nil {
		t.Fatal("POST /login: no session cookie")
	}
	// Half logged in: the session grants nothing.
	if got := e.sessionValue(t, c, keyUserID); got != "" {
		t.Errorf("after the password step: session user %q, want none", got)
	}
	_, body := e.get(t, c, "/login/no-such-page")
	mustNotContain(t, "page after password step", body, u.DisplayName, "/logout")
	status, body = e.get(t, c, "/login/totp")
	wantStatus(t, "GET /login/totp", status, http.StatusOK)
	mustContain(t, "GET /login/totp", body, `autocomplete="one-time-code"`, `inputmode="numeric"`, `name="csrf_token"`)

	status, _, body = e.submit(t, c, "/login/totp", url.Values{"code": {"000000"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("POST /login/totp with a wrong code: status %d, want 401 and aria-invalid", status)
	}
	status, loc, _ = e.submit(t, c, "/login/totp", url.Values{"code": {totpCode(t, u.TOTPSecret, time.Now())}})
	wantStatus(t, "POST /login/totp", status, http.StatusSeeOther)
	if loc != "/admin/papers?x=1" {
		t.Errorf("POST /login/totp: Location %q, want /admin/papers?x=1", loc)
	}
	if got := e.sessionValue(t, c, keyUserID); got != u.ID.String() {
		t.Errorf("after TOTP: session user %q, want %s", got, u.ID)
	}
	if nck := e.sessionCookie(c); nck == nil || nck.Value == ck.Value {
		t.Errorf("after TOTP: session token not renewed")
	}
	_, body = e.get(t, c, "/login/no-such-page")
	mustContain(t, "page after login", body, u.DisplayName, "/logout")
	// A logged-in user asking for /login goes on.
	status, body = e.get(t, c, "/login")
	wantStatus(t, "GET /login when logged in", status, http.StatusSeeOther)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	u := e.newTestUser(t, council.RoleCitizen, false)
	disabled := e.newTestUser(t, council.RoleCitizen, false)
	if err := e.council.SetUserDisabled(context.Background(), disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		msg    string
	}
	var first *result
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", u.Email, "wrong password 123"},
		{"unknown user", "nobody@plenar.test", testPassword},
		{"disabled user", disabled.Email, testPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.anon()
			status, _, body := e.submit(t, c, "/login?lang=en", url.Values{"email": {tc.email}, "password": {tc.password}})
			mustContain(t, tc.name, body, "The e-mail address or password is wrong.", `value="`+tc.email+`"`,
				`aria-invalid="true"`, `aria-describedby="f-password-error"`)
			mustNotContain(t, tc.name, body, tc.password)
			if e.sessionCookie(c) != nil {
				t.Errorf("%s: a session cookie was set", tc.name)
			}
			got := result{status, regexp.MustCompile(`<p class="field-error"[^>]*>[^<]*</p>`).FindString(body)}
			if first == nil {
				first = &got
			} else if got != *first {
				t.Errorf("%s: got %+v, want the same as for a wrong password %+v", tc.name, got, *first)
			}
		})
	}
	if first == nil || first.status != http.StatusUnauthorized {
		t.Errorf("failed login: %+v, want status 401", first)
	}
	status, _, body := e.submit(t, e.anon(), "/login", url.Values{"email": {""}, "password": {""}})
	wantStatus(t, "POST /login empty", status, http.StatusUnprocessableEntity)
	mustContain(t, "POST /login empty", body, "f-email-error", "f-password-error", "Bitte")
}

func TestTOTPReplayRejected(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleAdmin, true)
	code := totpCode(t, u.TOTPSecret, time.Now())
	for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
		c := e.anon()
		status, _, _ := e.submit(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
		wantStatus(t, "POST /login", status, http.StatusSeeOther)
		status, _, _ = e.submit(t, c, "/login/totp", url.Values{"code": {code}})
		if status != want {
			t.Fatalf("login %d with code %s: status %d, want %d", i+1, code, status, want)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	u := e.newTestUser(t, council.RoleCitizen, false)
	for i := range maxAccountFailures {
		status, _, _ := e.submit(t, e.anon(), "/login", url.Values{"email": {u.Email}, "password": {"wrong password 123"}})
		wantStatus(t, "failed login "+string(rune('1'+i)), status, http.StatusUnauthorized)
	}
	// Now even the right password is refused, in the user's language.
	c := e.anon()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/login",
		strings.NewReader(url.Values{"email": {u.Email}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantStatus(t, "login after 5 failures", resp.StatusCode, http.StatusTooManyRequests)
	mustContain(t, "429 page", string(b), "Too many failed login attempts")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429: no Retry-After")
	}
	// Another account from the same address still works.
	e.login(t, council.RoleMember)

	// TOTP failures count too.
	clerk := e.newTestUser(t, council.RoleClerk, true)
	c = e.anon()
	e.submit(t, c, "/login", url.Values{"email": {clerk.Email}, "password": {testPassword}})
	for range maxAccountFailures {
		e.submit(t, c, "/login/totp", url.Values{"code": {"000000"}})
	}
	status, _, _ := e.submit(t, c, "/login/totp", url.Values{"code": {totpCode(t, clerk.TOTPSecret, time.Now())}})
	wantStatus(t, "TOTP after 5 wrong codes", status, http.StatusTooManyRequests)
}

func TestTOTPEnrolment(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleClerk, false)
	c := e.anon()
	status, loc, _ := e.submit(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if status != http.StatusSeeOther || loc != "/login/totp/setup" {
		t.Fatalf("POST /login for a clerk without TOTP: %d %q, want 303 /login/totp/setup", status, loc)
	}
	status, loc = func() (int, string) {
		resp, err := c.Get(e.ts.URL + "/login/totp")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}()
	if loc != "/login/totp/setup" {
		t.Errorf("GET /login/totp before enrolment: %d %q, want a redirect to setup", status, loc)
	}
	status, body := e.get(t, c, "/login/totp/setup")
	wantStatus(t, "GET /login/totp/setup", status, http.StatusOK)
	mustContain(t, "setup page", body, `src="data:image/png;base64,`, `class="secret"`)
	key, err := otp.NewKeyFromURL(e.sessionValue(t, c, keyEnrol))
	if err != nil {
		t.Fatalf("enrol key in session: %v", err)
	}
	if !strings.Contains(strings.ReplaceAll(body, " ", ""), key.Secret()) {
		t.Errorf("setup page does not show the secret %s", key.Secret())
	}
	// Still nothing granted, nothing stored.
	if got := e.sessionValue(t, c, keyUserID); got != "" {
		t.Errorf("before enrolment: session user %q, want none", got)
	}
	status, _, _ = e.submit(t, c, "/login/totp/setup", url.Values{"code": {"123 45"}})
	wantStatus(t, "setup with a bad code", status, http.StatusUnauthorized)
	code := totpCode(t, key.Secret(), time.Now())
	status, loc, _ = e.submit(t, c, "/login/totp/setup", url.Values{"code": {code[:3] + " " + code[3:]}})
	if status != http.StatusSeeOther || loc != "/admin" {
		t.Fatalf("setup with the right code: %d %q, want 303 /admin (staff land in the back office)", status, loc)
	}
	got, err := e.council.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.TOTPEnabled || got.TOTPSecret != key.Secret() || got.TOTPLastStep == 0 {
		t.Errorf("after enrolment: enabled %v, secret stored %v, last step %d; want true, true, >0",
			got.TOTPEnabled, got.TOTPSecret == key.Secret(), got.TOTPLastStep)
	}
	if e.sessionValue(t, c, keyUserID) != u.ID.String() {
		t.Error("after enrolment: not logged in")
	}
	// Enrolling ends every older session (SetTOTP), not the new one.
	if status, _ := e.get(t, c, "/admin"); status != http.StatusOK {
		t.Errorf("GET /admin after enrolment: status %d, want 200", status)
	}
}

func TestAnonymousGetsNoCookie(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, path := range []string{"/", "/login", "/login?lang=en&next=/admin", "/login/totp", "/login/totp/setup", "/no-such-page"} {
		resp, err := e.anon().Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("GET %s as anonymous: Set-Cookie %q, want none", path, sc)
		}
	}
	status, _, _ := e.post(t, e.anon(), "/logout", nil, map[string]string{"Origin": e.ts.URL})
	wantStatus(t, "anonymous POST /logout", status, http.StatusSeeOther)
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c, _ := e.login(t, council.RoleCitizen)
	tok := e.sessionValue(t, c, keyCSRF)
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
		want int
	}{
		{"no token", nil, map[string]string{"Origin": e.ts.URL}, http.StatusForbidden},
		{"wrong token", url.Values{"csrf_token": {tok[:len(tok)-1] + "x"}}, map[string]string{"Origin": e.ts.URL}, http.StatusForbidden},
		{"cross-site with token", url.Values{"csrf_token": {tok}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"header token", nil, map[string]string{"X-CSRF-Token": tok, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	} {
		status, _, _ := e.post(t, c, "/logout", tc.form, tc.hdr)
		if status != tc.want {
			t.Errorf("POST /logout, %s: status %d, want %d", tc.name, status, tc.want)
		}
	}
}

func TestCrossOriginLoginRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleCitizen, false)
	form := url.Values{"email": {u.Email}, "password": {testPassword}}
	for _, hdr := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
	} {
		c := e.anon()
		status, _, body := e.post(t, c, "/login", form, hdr)
		if status != http.StatusForbidden {
			t.Errorf("cross-origin POST /login %v: status %d, want 403", hdr, status)
		}
		mustContain(t, "cross-origin 403", body, "403")
		if e.sessionCookie(c) != nil {
			t.Errorf("cross-origin POST /login %v: session created", hdr)
		}
	}
}

func TestLoginNextOnlyLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ next, want string }{
		{"", "/"},
		{"/papers?q=a", "/papers?q=a"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/login", "/"},
		{"/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"},
	} {
		if got := localPath(tc.next); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleCitizen, false)
	_, loc, _ := e.submit(t, e.anon(), "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"//evil.example/"}})
	if loc != "/" {
		t.Errorf("POST /login next=//evil.example/: Location %q, want /", loc)
	}
	_, body := e.get(t, e.anon(), "/login?next=https://evil.example/")
	mustContain(t, "GET /login?next=https://evil.example/", body, `name="next" value="/"`)
}

func TestLogoutDestroysSession(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c, u := e.login(t, council.RoleMember)
	old := *e.sessionCookie(c)
	status, loc, _ := e.submit(t, c, "/logout", nil)
	if status != http.StatusSeeOther || loc != "/" {
		t.Fatalf("POST /logout: %d %q, want 303 /", status, loc)
	}
	if e.sessionCookie(c) != nil {
		t.Error("after logout: the browser still has the session cookie")
	}
	var n int
	if err := e.srv.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, old.Value).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after logout: %d session rows for the old token, want 0", n)
	}
	// Replaying the old cookie gets an anonymous page.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/login", nil)
	req.AddCookie(&old)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantStatus(t, "GET /login with the old cookie", resp.StatusCode, http.StatusOK)
	mustNotContain(t, "GET /login with the old cookie", string(b), u.DisplayName)
}

func TestDisabledUserLosesSession(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c, u := e.login(t, council.RoleCitizen)
	if err := e.council.SetUserDisabled(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	_, body := e.get(t, c, "/login")
	mustContain(t, "GET /login of a disabled user", body, `name="password"`)
	if e.sessionCookie(c) != nil {
		t.Error("disabled user: session cookie kept")
	}
}

// viewerOfClient runs the session middleware for c's cookie and returns
// the viewer it builds.
func (e *testEnv) viewerOfClient(t *testing.T, c *http.Client, target string) (council.Viewer, string) {
	t.Helper()
	var v council.Viewer
	var lang string
	h := e.srv.state(e.srv.session(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, lang = requestStateOf(r).viewer, requestStateOf(r).lang
	})))
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if ck := e.sessionCookie(c); ck != nil {
		req.AddCookie(ck)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	return v, lang
}

func TestMemberViewerOrgs(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	p, err := e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: "Erika", FamilyName: "Mustermann"})
	if err != nil {
		t.Fatal(err)
	}
	var orgs []council.Organization
	for _, name := range []string{"Rat", "Bauausschuss", "Schulausschuss"} {
		o, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: name, Kind: council.KindCommittee})
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	today := council.Today(time.Now())
	for i, m := range []council.Membership{
		{OrganizationID: orgs[0].ID, Start: today.AddDate(-1, 0, 0)},
		{OrganizationID: orgs[1].ID},
		{OrganizationID: orgs[2].ID, Start: today.AddDate(-2, 0, 0), End: today.AddDate(0, 0, -1)}, // ended
	} {
		m.PersonID, m.Role = p.ID, "Mitglied"
		if _, err := e.council.SaveMembership(ctx, m); err != nil {
			t.Fatalf("membership %d: %v", i, err)
		}
	}
	hash, _ := council.HashPassword(testPassword)
	u, err := e.council.CreateUser(ctx, council.User{Email: "erika@plenar.test", PasswordHash: hash, Role: council.RoleMember, PersonID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := e.anon()
	status, _, _ := e.submit(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	wantStatus(t, "member login", status, http.StatusSeeOther)
	v, _ := e.viewerOfClient(t, c, "/")
	want := map[council.ID]bool{orgs[0].ID: true, orgs[1].ID: true}
	if v.UserID != u.ID || v.Role != council.RoleMember || len(v.Orgs) != 2 || !v.Orgs[orgs[0].ID] || !v.Orgs[orgs[1].ID] {
		t.Errorf("member viewer = %+v, want user %s, role member, orgs %v", v, u.ID, want)
	}
	if !v.SeesNonPublicOf(orgs[1].ID) || v.SeesNonPublicOf(orgs[2].ID) {
		t.Errorf("member sees non-public of current org %v, of former org %v; want true, false",
			v.SeesNonPublicOf(orgs[1].ID), v.SeesNonPublicOf(orgs[2].ID))
	}
	// The language choice of a logged-in user sticks in the session.
	if _, lang := e.viewerOfClient(t, c, "/?lang=en"); lang != "en" {
		t.Errorf("GET /?lang=en: lang %q, want en", lang)
	}
	if got := e.sessionValue(t, c, keyLang); got != "en" {
		t.Errorf("session lang after ?lang=en: %q, want en", got)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	u := e.newTestUser(t, council.RoleCitizen, false)
	for _, insecure := range []bool{false, true} {
		srv, err := New(Options{Pool: e.srv.pool, Log: slog.New(slog.DiscardHandler), BaseURL: "https://plenar.test", InsecureCookies: insecure})
		if err != nil {
			t.Fatal(err)
		}
		srv.auth.failDelay = 0
		req := httptest.NewRequest(http.MethodPost, "https://plenar.test/login",
			strings.NewReader(url.Values{"email": {u.Email}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://plenar.test")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		wantStatus(t, "POST /login", rec.Code, http.StatusSeeOther)
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("insecure=%v: cookies %v, want one", insecure, cookies)
		}
		ck := cookies[0]
		wantName := "__Host-plenar_session"
		if insecure {
			wantName = "plenar_session"
		}
		if ck.Name != wantName || ck.Secure == insecure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("insecure=%v: cookie %s, want %s, Secure=%v, HttpOnly, SameSite=Lax, Path=/", insecure, ck, wantName, !insecure)
		}
	}
}

// TestLoginLanding: after logging in without a page to return to, clerks
// and admins land in the back office, members on "Meine Gremien", citizens
// on the start page; a safe next parameter wins, an unsafe one is dropped.
func TestLoginLanding(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	loginAt := func(role council.Role, next string) (*http.Client, string) {
		t.Helper()
		u := e.newTestUser(t, role, role.NeedsTOTP())
		c := e.anon()
		form := url.Values{"email": {u.Email}, "password": {testPassword}}
		if next != "" {
			form.Set("next", next)
		}
		status, loc, _ := e.submit(t, c, "/login", form)
		wantStatus(t, "POST /login as "+string(role), status, http.StatusSeeOther)
		if loc == "/login/totp" {
			status, loc, _ = e.submit(t, c, "/login/totp", url.Values{"code": {totpCode(t, u.TOTPSecret, time.Now())}})
			wantStatus(t, "POST /login/totp as "+string(role), status, http.StatusSeeOther)
		}
		return c, loc
	}
	for _, tc := range []struct {
		role       council.Role
		next, want string
	}{
		{council.RoleClerk, "", "/admin"},
		{council.RoleAdmin, "", "/admin"},
		{council.RoleMember, "", "/my/bodies"},
		{council.RoleCitizen, "", "/"},
		{council.RoleClerk, "/", "/admin"},
		{council.RoleClerk, "/meetings?body=mine", "/meetings?body=mine"},
		{council.RoleMember, "/papers?q=a", "/papers?q=a"},
		{council.RoleClerk, "//evil.example/", "/admin"},
		{council.RoleMember, "https://evil.example/", "/my/bodies"},
	} {
		if _, loc := loginAt(tc.role, tc.next); loc != tc.want {
			t.Errorf("login as %s with next %q: Location %q, want %q", tc.role, tc.next, loc, tc.want)
		}
	}
	// Already logged in, /login goes on to the landing page too.
	c, _ := loginAt(council.RoleMember, "")
	resp, err := c.Get(e.ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/my/bodies" {
		t.Errorf("member GET /login: %d %q, want 303 /my/bodies", resp.StatusCode, loc)
	}
}
