package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
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

	out = must("user", "reset-2fa", "--email", "clerk@example.org")
	if s := field(out, "TOTP secret"); s == secret || user("clerk@example.org").TOTPSecret != s {
		t.Errorf("reset-2fa printed %s (old %s, stored %s); want a new stored secret", s, secret, user("clerk@example.org").TOTPSecret)
	}

	must("user", "disable", "--email", "citizen@example.org")
	if !user("citizen@example.org").Disabled {
		t.Error("disable: account still enabled")
	}
	out = must("user", "list")
	if !regexp.MustCompile(`citizen@example.org\s+citizen\s+off\s+disabled`).MatchString(out) ||
		!regexp.MustCompile(`clerk@example.org\s+clerk\s+Klara Clerk\s+on\s+active`).MatchString(out) {
		t.Errorf("user list:\n%s", out)
	}
	must("user", "enable", "--email", "citizen@example.org")
	if user("citizen@example.org").Disabled {
		t.Error("enable: account still disabled")
	}

	if code, _, stderr := runCmd(t, env, "user", "disable", "--email", "nobody@example.org"); code != 1 ||
		!strings.Contains(stderr, "no account with e-mail nobody@example.org") {
		t.Errorf("unknown e-mail: exit %d, stderr %q", code, stderr)
	}
}
