package council_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	person := e.person(t, "Erika", "Mustermann")
	admin := e.user(t, "admin@example.org", council.RoleAdmin)

	m := e.mark(t)
	in := council.User{Email: "  Erika.Mustermann@Example.org ", DisplayName: "Erika", PasswordHash: "$argon2id$x",
		Role: council.RoleMember, PersonID: person.ID}
	u, err := e.s.CreateUser(council.WithActor(e.ctx, admin.ID), in)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	e.wantTrail(t, "CreateUser", m, admin.ID, change{"user", u.ID, "create", council.NilID})
	want := in
	want.ID, want.Email = u.ID, "Erika.Mustermann@Example.org"
	if diff := cmp.Diff(want, u, ignoreMeta); diff != "" {
		t.Errorf("CreateUser (-want +got):\n%s", diff)
	}

	for _, email := range []string{"erika.mustermann@example.org", "ERIKA.MUSTERMANN@EXAMPLE.ORG", " erika.mustermann@example.org"} {
		got, err := e.s.UserByEmail(e.ctx, email)
		if err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail(%q) = %v, %v; want %v", email, got.ID, err, u.ID)
		}
	}
	if _, err := e.s.UserByEmail(e.ctx, "nobody@example.org"); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("UserByEmail(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.User(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("User(unknown) error = %v, want ErrNotFound", err)
	}

	for _, tc := range []struct {
		name  string
		in    council.User
		want  error
		field string
	}{
		{"same email other case", council.User{Email: "ERIKA.mustermann@example.ORG", PasswordHash: "h", Role: council.RoleCitizen}, council.ErrConflict, ""},
		{"no email", council.User{PasswordHash: "h", Role: council.RoleCitizen}, council.ErrInvalid, "email"},
		{"email without @", council.User{Email: "erika", PasswordHash: "h", Role: council.RoleCitizen}, council.ErrInvalid, "email"},
		{"email starting with @", council.User{Email: "@example.org", PasswordHash: "h", Role: council.RoleCitizen}, council.ErrInvalid, ""},
		{"unknown role", council.User{Email: "x@example.org", PasswordHash: "h", Role: "root"}, council.ErrInvalid, "role"},
		{"no password", council.User{Email: "x@example.org", Role: council.RoleCitizen}, council.ErrInvalid, "password"},
		{"unknown person", council.User{Email: "y@example.org", PasswordHash: "h", Role: council.RoleMember, PersonID: council.NewID()}, council.ErrInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.mark(t)
			_, err := e.s.CreateUser(e.ctx, tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("CreateUser(%+v) error = %v, want %v", tc.in, err, tc.want)
			}
			var fe council.FieldErrors
			if tc.field != "" && (!errors.As(err, &fe) || fe[tc.field] == "") {
				t.Errorf("CreateUser(%+v) error = %v, want FieldErrors with %q", tc.in, err, tc.field)
			}
			e.wantTrail(t, "failed CreateUser", m, council.NilID)
		})
	}

	t.Run("password and totp", func(t *testing.T) {
		m := e.mark(t)
		if err := e.s.SetPassword(e.ctx, u.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetTOTP(e.ctx, u.ID, "JBSWY3DPEHPK3PXP", true); err != nil {
			t.Fatal(err)
		}
		e.wantTrail(t, "SetPassword, SetTOTP", m, council.NilID,
			change{"user", u.ID, "update", council.NilID}, change{"user", u.ID, "update", council.NilID})
		got, err := e.s.User(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != "$argon2id$new" || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || !got.TOTPEnabled || !got.Modified.After(u.Modified) {
			t.Errorf("after SetPassword/SetTOTP: hash %q secret %q enabled %t modified %v; want new values, modified after %v",
				got.PasswordHash, got.TOTPSecret, got.TOTPEnabled, got.Modified, u.Modified)
		}

		for _, tc := range []struct {
			step int64
			want bool
		}{
			{1000, true}, {1000, false}, {999, false}, {1001, true}, {1000, false}, {1003, true},
		} {
			got, err := e.s.UseTOTPStep(e.ctx, u.ID, tc.step)
			if err != nil || got != tc.want {
				t.Errorf("UseTOTPStep(%d) = %t, %v; want %t", tc.step, got, err, tc.want)
			}
		}
		// A new secret starts a new sequence of steps.
		if err := e.s.SetTOTP(e.ctx, u.ID, "", false); err != nil {
			t.Fatal(err)
		}
		reset, _ := e.s.User(e.ctx, u.ID)
		if reset.TOTPSecret != "" || reset.TOTPEnabled || reset.TOTPLastStep != 0 {
			t.Errorf("after SetTOTP(\"\") = %q %t %d, want reset", reset.TOTPSecret, reset.TOTPEnabled, reset.TOTPLastStep)
		}

		for what, err := range map[string]error{
			"SetPassword":     e.s.SetPassword(e.ctx, council.NewID(), "h"),
			"SetTOTP":         e.s.SetTOTP(e.ctx, council.NewID(), "s", true),
			"SetUserDisabled": e.s.SetUserDisabled(e.ctx, council.NewID(), true),
		} {
			if !errors.Is(err, council.ErrNotFound) {
				t.Errorf("%s(unknown user) error = %v, want ErrNotFound", what, err)
			}
		}
		if ok, err := e.s.UseTOTPStep(e.ctx, council.NewID(), 5); ok || err != nil {
			t.Errorf("UseTOTPStep(unknown user) = %t, %v; want false, nil", ok, err)
		}
	})
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		account, addr string
		at            time.Time
	}{
		{"Erika@example.org", "192.0.2.1", base.Add(-2 * time.Hour)}, // old
		{"erika@example.org", "192.0.2.1", base.Add(-5 * time.Minute)},
		{"ERIKA@example.org", "192.0.2.2", base.Add(-4 * time.Minute)},
		{"hans@example.org", "192.0.2.1", base.Add(-3 * time.Minute)},
	} {
		if err := e.s.RecordLoginFailure(e.ctx, f.account, f.addr, f.at); err != nil {
			t.Fatal(err)
		}
	}
	count := func(account, addr string, since time.Time) [2]int {
		t.Helper()
		a, b, err := e.s.LoginFailures(e.ctx, account, addr, since)
		if err != nil {
			t.Fatal(err)
		}
		return [2]int{a, b}
	}
	for _, tc := range []struct {
		account, addr string
		since         time.Time
		want          [2]int
	}{
		{"erika@example.org", "192.0.2.1", base.Add(-time.Hour), [2]int{2, 2}},
		{"Erika@Example.org", "192.0.2.1", base.Add(-3 * time.Hour), [2]int{3, 3}},
		{"hans@example.org", "192.0.2.2", base.Add(-time.Hour), [2]int{1, 1}},
		{"nobody@example.org", "198.51.100.1", base.Add(-time.Hour), [2]int{0, 0}},
	} {
		if got := count(tc.account, tc.addr, tc.since); got != tc.want {
			t.Errorf("LoginFailures(%q, %q, %v) = %v, want %v", tc.account, tc.addr, tc.since, got, tc.want)
		}
	}

	// Erika logs in: her failures go, and so does everything older than an hour.
	if err := e.s.ClearLoginFailures(e.ctx, "ERIKA@example.org", base.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := count("erika@example.org", "192.0.2.1", time.Time{}), [2]int{0, 1}; got != want {
		t.Errorf("after ClearLoginFailures: LoginFailures(erika, 192.0.2.1) = %v, want %v (hans's failure stays)", got, want)
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	// argon2id with 64 MiB is slow under -race: hash as few times as possible.
	for _, tc := range []struct {
		name     string
		password string
		wantErr  bool
	}{
		{"too short", "kurz", true},
		{"nine runes", "äöüäöüäöü", true},
		{"too long", strings.Repeat("x", 1025), true},
		{"ten runes", "äöüäöüäöüß", false},
	} {
		h, err := council.HashPassword(tc.password)
		if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, council.ErrInvalid)) {
			t.Errorf("HashPassword(%s) error = %v, want error %t (ErrInvalid)", tc.name, err, tc.wantErr)
		}
		if err == nil && !strings.HasPrefix(h, "$argon2id$") {
			t.Errorf("HashPassword(%s) = %q, want an argon2id PHC string", tc.name, h)
		}
	}

	const pw = "korrekt Pferd Batterie Heftklammer"
	h, err := council.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		password, hash string
		want           bool
	}{
		{pw, h, true},
		{pw + "!", h, false},
		{pw, "", false},
		{pw, "plain", false},
		{pw, "$argon2id$v=19$m=1,t=1,p=1$bad", false},
		{strings.Repeat("x", 1025), h, false},
	} {
		if got := council.CheckPassword(tc.password, tc.hash); got != tc.want {
			t.Errorf("CheckPassword(%q, %q) = %t, want %t", tc.password, tc.hash, got, tc.want)
		}
	}
	if h2, _ := council.HashPassword(pw); h2 == h {
		t.Errorf("two hashes of the same password are equal; want a fresh salt each time")
	}
}

func TestSessionEpoch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(t, "erika@example.org", council.RoleClerk)
	other := e.user(t, "hans@example.org", council.RoleClerk)
	if u.SessionEpoch != 0 {
		t.Fatalf("new user: SessionEpoch %d, want 0", u.SessionEpoch)
	}
	want := int64(0)
	for _, tc := range []struct {
		name string
		do   func() error
		ends bool
	}{
		{"SetPassword", func() error { return e.s.SetPassword(e.ctx, u.ID, "$argon2id$new") }, true},
		{"SetTOTP", func() error { return e.s.SetTOTP(e.ctx, u.ID, "JBSWY3DPEHPK3PXP", true) }, true},
		{"SetTOTP reset", func() error { return e.s.SetTOTP(e.ctx, u.ID, "", false) }, true},
		{"UseTOTPStep", func() error { _, err := e.s.UseTOTPStep(e.ctx, u.ID, 7); return err }, false},
		{"SetUserDisabled(true)", func() error { return e.s.SetUserDisabled(e.ctx, u.ID, true) }, true},
		{"SetUserDisabled(false)", func() error { return e.s.SetUserDisabled(e.ctx, u.ID, false) }, false},
		{"EndSessions", func() error { return e.s.EndSessions(e.ctx, u.ID) }, true},
	} {
		if err := tc.do(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.ends {
			want++
		}
		got, err := e.s.User(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SessionEpoch != want {
			t.Errorf("after %s: SessionEpoch %d, want %d", tc.name, got.SessionEpoch, want)
		}
	}
	m := e.mark(t)
	if err := e.s.EndSessions(council.WithActor(e.ctx, other.ID), u.ID); err != nil {
		t.Fatal(err)
	}
	e.wantTrail(t, "EndSessions", m, other.ID, change{"user", u.ID, "update", council.NilID})
	if got, err := e.s.User(e.ctx, other.ID); err != nil || got.SessionEpoch != 0 {
		t.Errorf("other user: SessionEpoch %d (err %v), want 0", got.SessionEpoch, err)
	}
	if err := e.s.EndSessions(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("EndSessions(unknown user) error = %v, want ErrNotFound", err)
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for token, expiry := range map[string]time.Time{
		"expired":  now.Add(-time.Minute),
		"just now": now,
		"valid":    now.Add(time.Hour),
	} {
		if _, err := e.pool.Exec(e.ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, '\x00', $2)`, token, expiry); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.s.DeleteExpiredSessions(e.ctx, now)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1, nil", n, err)
	}
	var left []string
	rows, err := e.pool.Query(e.ctx, `SELECT token FROM sessions ORDER BY token`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			t.Fatal(err)
		}
		left = append(left, tok)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"just now", "valid"}, left); diff != "" {
		t.Errorf("sessions left (-want +got):\n%s", diff)
	}
}
