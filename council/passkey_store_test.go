package council_test

import (
	"errors"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

func TestPasskeyStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna, ben := e.user(t, "anna@plenar.test", council.RoleMember), e.user(t, "ben@plenar.test", council.RoleMember)
	key := council.Passkey{UserID: anna.ID, CredentialID: []byte{1, 2, 3}, PublicKey: []byte{4, 5}, SignCount: 7,
		Transports: []string{"internal", "hybrid"}, AAGUID: make([]byte, 16), AttestationFormat: "none",
		UserVerified: true, BackupEligible: true, BackupState: true, Name: "  Laptop "}
	p, err := e.s.AddPasskey(e.ctx, key)
	if err != nil {
		t.Fatalf("AddPasskey: %v", err)
	}
	if p.Name != "Laptop" || p.SignCount != 7 || len(p.Transports) != 2 || !p.BackupEligible || !p.LastUsed.IsZero() {
		t.Errorf("AddPasskey = %+v", p)
	}
	// One credential never belongs to two accounts, nor twice to one.
	for _, owner := range []council.ID{anna.ID, ben.ID} {
		dup := key
		dup.UserID = owner
		if _, err := e.s.AddPasskey(e.ctx, dup); !errors.Is(err, council.ErrConflict) {
			t.Errorf("AddPasskey(same credential for %s) = %v, want ErrConflict", owner, err)
		}
	}
	for _, bad := range []council.Passkey{
		{UserID: anna.ID, CredentialID: []byte{9}, PublicKey: []byte{1}, Name: " "},
		{UserID: anna.ID, CredentialID: []byte{9}, PublicKey: []byte{1}, Name: string(make([]rune, 101))},
		{UserID: anna.ID, PublicKey: []byte{1}, Name: "x"},
		{UserID: council.NewID(), CredentialID: []byte{9}, PublicKey: []byte{1}, Name: "x"},
	} {
		if _, err := e.s.AddPasskey(e.ctx, bad); err == nil {
			t.Errorf("AddPasskey(%+v): accepted", bad)
		}
	}
	got, err := e.s.PasskeyByCredential(e.ctx, []byte{1, 2, 3})
	if err != nil || got.ID != p.ID || got.UserID != anna.ID {
		t.Errorf("PasskeyByCredential = %+v, %v", got, err)
	}
	if _, err := e.s.PasskeyByCredential(e.ctx, []byte{3, 2, 1}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("PasskeyByCredential(unknown) = %v, want ErrNotFound", err)
	}

	// Only the owner renames or removes.
	if err := e.s.RenamePasskey(e.ctx, ben.ID, p.ID, "Mine now"); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("RenamePasskey by another user = %v, want ErrNotFound", err)
	}
	if err := e.s.RenamePasskey(e.ctx, anna.ID, p.ID, ""); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("RenamePasskey(empty) = %v, want ErrInvalid", err)
	}
	if err := e.s.RenamePasskey(e.ctx, anna.ID, p.ID, "Smartphone"); err != nil {
		t.Fatalf("RenamePasskey: %v", err)
	}

	// The counter moves only from what the caller read.
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if err := e.s.UsePasskey(e.ctx, p.ID, 7, 8, false, at); err != nil {
		t.Fatalf("UsePasskey: %v", err)
	}
	if err := e.s.UsePasskey(e.ctx, p.ID, 7, 9, false, at); !errors.Is(err, council.ErrConflict) {
		t.Errorf("UsePasskey from a stale counter = %v, want ErrConflict", err)
	}
	keys, err := e.s.Passkeys(e.ctx, anna.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("Passkeys = %v, %v", keys, err)
	}
	if k := keys[0]; k.Name != "Smartphone" || k.SignCount != 8 || k.BackupState || !k.LastUsed.Equal(at) {
		t.Errorf("after rename and use: %+v", k)
	}
	if keys, _ := e.s.Passkeys(e.ctx, ben.ID); len(keys) != 0 {
		t.Errorf("Passkeys(ben) = %v, want none", keys)
	}

	if err := e.s.DeletePasskey(e.ctx, ben.ID, p.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("DeletePasskey by another user = %v, want ErrNotFound", err)
	}
	if err := e.s.DeletePasskey(e.ctx, anna.ID, p.ID); err != nil {
		t.Fatalf("DeletePasskey: %v", err)
	}
	if keys, _ := e.s.Passkeys(e.ctx, anna.ID); len(keys) != 0 {
		t.Errorf("Passkeys after delete = %v", keys)
	}
	var audits int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM audit WHERE entity = 'passkey' AND entity_id = $1`, p.ID).Scan(&audits); err != nil || audits != 3 {
		t.Errorf("audit rows of the passkey = %d (%v), want 3 (create, rename, delete)", audits, err)
	}
}

func TestLoginsAndSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna, ben := e.user(t, "anna@plenar.test", council.RoleMember), e.user(t, "ben@plenar.test", council.RoleMember)
	now := time.Now()
	session := func(token string) {
		t.Helper()
		if _, err := e.pool.Exec(e.ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, '\x00', $2)`,
			token, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	login := func(u council.User, token string, m council.LoginMethod, at time.Time) council.ID {
		t.Helper()
		session(token)
		id, err := e.s.RecordLogin(e.ctx, council.LoginInput{UserID: u.ID, At: at, Method: m, Token: token,
			UserAgent: "Firefox, Linux", Addr: council.TruncateAddr("203.0.113.77"), Epoch: u.SessionEpoch})
		if err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
		return id
	}
	first := login(anna, "tok-a1", council.LoginPassword, now.Add(-time.Hour))
	second := login(anna, "tok-a2", council.LoginPasskey, now.Add(-time.Minute))
	login(ben, "tok-b1", council.LoginPasswordTOTP, now)
	if _, err := e.s.RecordLogin(e.ctx, council.LoginInput{UserID: anna.ID, At: now, Method: "magic"}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("RecordLogin(unknown method) = %v, want ErrInvalid", err)
	}

	ss, err := e.s.Sessions(e.ctx, anna.ID)
	if err != nil || len(ss) != 2 || ss[0].ID != second || ss[1].ID != first {
		t.Fatalf("Sessions(anna) = %+v, %v; want the passkey login, then the password one", ss, err)
	}
	if ss[0].Addr != "203.0.113.0/24" || ss[0].UserAgent != "Firefox, Linux" || ss[0].Method != council.LoginPasskey || !ss[0].Active {
		t.Errorf("session = %+v", ss[0])
	}
	if id, err := e.s.LoginOfSession(e.ctx, "tok-a2"); err != nil || id != second {
		t.Errorf("LoginOfSession = %s, %v", id, err)
	}
	if err := e.s.SessionSeen(e.ctx, "tok-a1", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if ss, _ := e.s.Sessions(e.ctx, anna.ID); len(ss) != 2 || ss[0].ID != first {
		t.Errorf("after use, Sessions(anna)[0] = %v, want the first login", ss)
	}

	// Ending: only one's own, and only once; the session row goes.
	if err := e.s.EndSession(e.ctx, ben.ID, first); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("EndSession by another user = %v, want ErrNotFound", err)
	}
	if err := e.s.EndSession(e.ctx, anna.ID, first); err != nil {
		t.Fatalf("EndSession: %v", err)
	}
	if err := e.s.EndSession(e.ctx, anna.ID, first); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("EndSession twice = %v, want ErrNotFound", err)
	}
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM sessions WHERE token = 'tok-a1'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("session row after EndSession: %d (%v)", n, err)
	}
	if ss, _ := e.s.Sessions(e.ctx, anna.ID); len(ss) != 1 || ss[0].ID != second {
		t.Errorf("Sessions after end = %+v", ss)
	}
	ls, err := e.s.Logins(e.ctx, anna.ID, now.Add(-24*time.Hour), 10)
	if err != nil || len(ls) != 2 || ls[0].ID != second || ls[1].Active {
		t.Errorf("Logins(anna) = %+v, %v", ls, err)
	}

	// "Log out everywhere" (a new session epoch) voids the rest.
	if err := e.s.EndSessions(e.ctx, anna.ID); err != nil {
		t.Fatal(err)
	}
	if ss, _ := e.s.Sessions(e.ctx, anna.ID); len(ss) != 0 {
		t.Errorf("Sessions after EndSessions = %+v", ss)
	}
	if ss, _ := e.s.Sessions(e.ctx, ben.ID); len(ss) != 1 {
		t.Errorf("Sessions(ben) = %+v, want his one", ss)
	}

	// Retention: old logins go, tokens of vanished sessions are forgotten.
	if _, err := e.pool.Exec(e.ctx, `DELETE FROM sessions WHERE token = 'tok-b1'`); err != nil {
		t.Fatal(err)
	}
	if err := e.s.ForgetLogins(e.ctx, now.Add(-30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var kept, tokens int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*), count(session_token) FROM logins`).Scan(&kept, &tokens); err != nil {
		t.Fatal(err)
	}
	if kept != 2 || tokens != 1 {
		t.Errorf("after ForgetLogins: %d logins, %d with a token; want 2 (the old one gone) and 1 (anna's second)", kept, tokens)
	}
}

func TestTruncateAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.77":          "203.0.113.0/24",
		"::ffff:203.0.113.77":   "203.0.113.0/24",
		"2001:db8:1234:5678::1": "2001:db8:1234::/48",
		"not an address":        "",
		"":                      "",
	} {
		if got := council.TruncateAddr(in); got != want {
			t.Errorf("TruncateAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
