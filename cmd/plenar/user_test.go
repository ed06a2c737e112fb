package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web"
)

func TestUserCommands(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	env := map[string]string{"PLENAR_DATABASE_URL": dbURL, "PLENAR_LOG_LEVEL": "warn", "PLENAR_DATA_DIR": t.TempDir()}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := council.NewStore(pool)
	user := func(email string) council.User {
		t.Helper()
		u, err := store.UserByEmail(ctx, email)
		if err != nil {
			t.Fatalf("UserByEmail(%s): %v", email, err)
		}
		return u
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, stderr := runCmd(t, env, args...)
		if code != 0 {
			t.Fatalf("plenar %q: exit %d, stderr %s", args, code, stderr)
		}
		return out
	}
	field := func(out, label string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + label + `:\s+(\S+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %q in output:\n%s", label, out)
		}
		return m[1]
	}

	// A clerk gets a generated password and an enabled TOTP secret.
	out := must("user", "add", "--email", "clerk@example.org", "--role", "clerk", "--name", "Klara Clerk")
	clerk := user("clerk@example.org")
	if pw := field(out, "Password"); !council.CheckPassword(pw, clerk.PasswordHash) || len(pw) < 20 {
		t.Errorf("printed password %q does not match the stored hash or is short", pw)
	}
	secret := field(out, "TOTP secret")
	if clerk.TOTPSecret != secret || !clerk.TOTPEnabled || clerk.DisplayName != "Klara Clerk" || clerk.Role != council.RoleClerk {
		t.Errorf("stored clerk = %+v; want the printed secret %s, enabled, name and role", clerk, secret)
	}
	uri, err := url.Parse(field(out, "TOTP URI"))
	if err != nil || uri.Scheme != "otpauth" || uri.Query().Get("issuer") != "Plenar" || uri.Query().Get("secret") != secret ||
		!strings.Contains(uri.Path, "clerk@example.org") {
		t.Errorf("TOTP URI %v (err %v): want otpauth, issuer Plenar, the secret and the account", uri, err)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil || !totp.Validate(code, clerk.TOTPSecret) {
		t.Errorf("a code from the printed secret does not validate against the stored one (err %v)", err)
	}

	// A citizen with a given password: nothing secret is printed.
	out = must("user", "add", "--email", "citizen@example.org", "--role", "citizen", "--password", "correct horse battery")
	citizen := user("citizen@example.org")
	if strings.Contains(out, "Password") || strings.Contains(out, "TOTP") || citizen.TOTPEnabled ||
		!council.CheckPassword("correct horse battery", citizen.PasswordHash) {
		t.Errorf("citizen add printed %q, stored %+v; want no secrets printed, no TOTP, the given password", out, citizen)
	}

	if code, _, stderr := runCmd(t, env, "user", "add", "--email", "CITIZEN@example.org", "--role", "member"); code != 1 ||
		!strings.Contains(stderr, "already exists") {
		t.Errorf("duplicate e-mail: exit %d, stderr %q; want 1, already exists", code, stderr)
	}

	out = must("user", "reset-password", "--email", "citizen@example.org")
	if pw := field(out, "Password"); !council.CheckPassword(pw, user("citizen@example.org").PasswordHash) {
		t.Errorf("reset password %q does not match the stored hash", pw)
	}
	if got := user("citizen@example.org").SessionEpoch; got != citizen.SessionEpoch+1 {
		t.Errorf("reset-password: SessionEpoch %d, want %d (sessions ended)", got, citizen.SessionEpoch+1)
	}

	if _, err := store.AddPasskey(ctx, council.Passkey{UserID: clerk.ID, CredentialID: []byte{1}, PublicKey: []byte{2}, Name: "Laptop"}); err != nil {
		t.Fatal(err)
	}
	out = must("user", "reset-2fa", "--email", "clerk@example.org")
	if keys, err := store.Passkeys(ctx, clerk.ID); err != nil || len(keys) != 0 || field(out, "Passkeys removed") != "1" {
		t.Errorf("reset-2fa left passkeys %v (%v); output:\n%s", keys, err, out)
	}
	if s := field(out, "TOTP secret"); s == secret || user("clerk@example.org").TOTPSecret != s {
		t.Errorf("reset-2fa printed %s (old %s, stored %s); want a new stored secret", s, secret, user("clerk@example.org").TOTPSecret)
	}
	if got := user("clerk@example.org").SessionEpoch; got != clerk.SessionEpoch+1 {
		t.Errorf("reset-2fa: SessionEpoch %d, want %d (sessions ended)", got, clerk.SessionEpoch+1)
	}

	before := user("citizen@example.org").SessionEpoch
	must("user", "disable", "--email", "citizen@example.org")
	if u := user("citizen@example.org"); !u.Disabled || u.SessionEpoch != before+1 {
		t.Errorf("disable: disabled %t, SessionEpoch %d; want true, %d", u.Disabled, u.SessionEpoch, before+1)
	}
	out = must("user", "list")
	if !regexp.MustCompile(`citizen@example.org\s+citizen\s+off\s+disabled`).MatchString(out) ||
		!regexp.MustCompile(`clerk@example.org\s+clerk\s+Klara Clerk\s+on\s+active`).MatchString(out) {
		t.Errorf("user list:\n%s", out)
	}
	must("user", "enable", "--email", "citizen@example.org")
	if u := user("citizen@example.org"); u.Disabled || u.SessionEpoch != before+1 {
		t.Errorf("enable: disabled %t, SessionEpoch %d; want false, %d (unchanged)", u.Disabled, u.SessionEpoch, before+1)
	}

	// --password-stdin keeps the password out of the process list.
	withStdin := func(in string, args ...string) (int, string, string) {
		t.Helper()
		var out, errOut syncBuffer
		a := &app{env: mapEnv(env), stdin: strings.NewReader(in), stdout: &out, stderr: &errOut}
		return a.run(ctx, args), out.String(), errOut.String()
	}
	if code, out, stderr := withStdin("Stdin-Passwort mit Leerzeichen\r\nsecond line ignored\n",
		"user", "reset-password", "--email", "citizen@example.org", "--password-stdin"); code != 0 ||
		strings.Contains(out, "Password:") || !council.CheckPassword("Stdin-Passwort mit Leerzeichen", user("citizen@example.org").PasswordHash) {
		t.Errorf("reset-password --password-stdin: exit %d, out %q, stderr %q; want the first line as the password, nothing printed", code, out, stderr)
	}
	if code, _, stderr := withStdin("Noch ein Passwort\n", "user", "add", "--email", "stdin@example.org", "--role", "citizen",
		"--password-stdin"); code != 0 || !council.CheckPassword("Noch ein Passwort", user("stdin@example.org").PasswordHash) {
		t.Errorf("add --password-stdin: exit %d, stderr %q", code, stderr)
	}
	for _, tc := range []struct{ in, extra, want string }{
		{"", "", "holds no password"},
		{"\n", "", "holds no password"},
		{strings.Repeat("x", 5000), "", "longer than 4096"},
		{"pw\n", "--password=other", "not both"},
	} {
		args := []string{"user", "reset-password", "--email", "citizen@example.org", "--password-stdin"}
		if tc.extra != "" {
			args = append(args, tc.extra)
		}
		if code, _, stderr := withStdin(tc.in, args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("--password-stdin with %q %s: exit %d, stderr %q; want 2 and %q", tc.in, tc.extra, code, stderr, tc.want)
		}
	}
	if !council.CheckPassword("Stdin-Passwort mit Leerzeichen", user("citizen@example.org").PasswordHash) {
		t.Error("a refused --password-stdin changed the password")
	}

	if code, _, stderr := runCmd(t, env, "user", "disable", "--email", "nobody@example.org"); code != 1 ||
		!strings.Contains(stderr, "no account with e-mail nobody@example.org") {
		t.Errorf("unknown e-mail: exit %d, stderr %q", code, stderr)
	}
}

// TestUserCommandsEndSessions logs in through the real web server and
// checks that reset-password, disable and reset-2fa end the account's
// sessions, and only its sessions.
func TestUserCommandsEndSessions(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	env := map[string]string{"PLENAR_DATABASE_URL": dbURL, "PLENAR_LOG_LEVEL": "warn", "PLENAR_DATA_DIR": t.TempDir()}
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, err := web.New(web.Options{Pool: pool, Log: slog.New(slog.DiscardHandler), BaseURL: "http://plenar.test",
		InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	const password = "correct horse battery"
	must := func(args ...string) {
		t.Helper()
		if code, _, stderr := runCmd(t, env, args...); code != 0 {
			t.Fatalf("plenar %q: exit %d, stderr %s", args, code, stderr)
		}
	}
	login := func(email string) *http.Client {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login",
			strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("login %s: %d %q, want 303 /", email, resp.StatusCode, resp.Header.Get("Location"))
		}
		return c
	}
	loggedIn := func(c *http.Client) bool {
		t.Helper()
		resp, err := c.Get(ts.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `action="/logout"`)
	}

	must("user", "add", "--email", "erika@example.org", "--role", "citizen", "--password", password)
	must("user", "add", "--email", "hans@example.org", "--role", "citizen", "--password", password)
	bystander := login("hans@example.org")
	for _, args := range [][]string{
		{"reset-password", "--password", password},
		{"disable"},
		{"reset-2fa"}, // last: Erika then needs a second factor to log in
	} {
		c := login("erika@example.org")
		if !loggedIn(c) {
			t.Fatalf("before user %s: not logged in", args[0])
		}
		must(append([]string{"user", args[0], "--email", "erika@example.org"}, args[1:]...)...)
		if loggedIn(c) {
			t.Errorf("after user %s: the session still works", args[0])
		}
		if !loggedIn(bystander) {
			t.Errorf("after user %s on another account: the bystander's session ended", args[0])
		}
		if args[0] == "disable" {
			must("user", "enable", "--email", "erika@example.org")
		}
	}
}
