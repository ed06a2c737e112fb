package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/privacy"
)

// TestAccountSecurity: the account page lists one's passkeys, sessions
// and logins in both languages; renaming and removing act on one's own
// passkeys only, and the current session cannot be "ended" from the list.
func TestAccountSecurity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	c, u := e.login(t, council.RoleMember)
	oc, other := e.login(t, council.RoleMember)
	mine, err := e.council.AddPasskey(ctx, council.Passkey{UserID: u.ID, CredentialID: []byte{1}, PublicKey: []byte{2}, Name: "Laptop"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.council.AddPasskey(ctx, council.Passkey{UserID: other.ID, CredentialID: []byte{3}, PublicKey: []byte{4}, Name: "Fremd"})
	if err != nil {
		t.Fatal(err)
	}

	if code, _ := e.get(t, e.anon(), "/account/security"); code != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want 303 to the login", code)
	}
	for _, lang := range []string{"de", "en"} {
		code, body := e.get(t, c, "/account/security?lang="+lang)
		if code != http.StatusOK || strings.Count(body, "<h1") != 1 {
			t.Fatalf("account page (%s): %d", lang, code)
		}
		mustContain(t, "account page "+lang, body, "Laptop", "ul class=\"list sessions\"", "ul class=\"list logins\"")
		mustNotContain(t, "account page "+lang, body, "Fremd", `"account.`, `"passkey.`, ">account.", ">passkey.")
	}

	// The login log shows the period the city keeps logins for
	// (/admin/privacy), and no login older than that.
	if _, err := e.council.RecordLogin(ctx, council.LoginInput{UserID: u.ID, At: time.Now().AddDate(0, 0, -45),
		Method: council.LoginPassword, UserAgent: "Alter-Browser 45 Tage", Addr: "192.0.2.0/24"}); err != nil {
		t.Fatal(err)
	}
	ps := privacy.NewStore(e.srv.pool)
	for _, tc := range []struct {
		days  int
		want  string
		shown bool
	}{{90, "Ihre Anmeldungen der letzten 90 Tage", true}, {30, "Ihre Anmeldungen der letzten 30 Tage", false}} {
		if err := ps.SetRules(ctx, map[privacy.Class]int{privacy.Logins: tc.days}, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, body := e.get(t, c, "/account/security?lang=de")
		mustContain(t, "account page, logins kept "+tc.want, body, tc.want)
		if got := strings.Contains(body, "Alter-Browser 45 Tage"); got != tc.shown {
			t.Errorf("logins kept %d days: the 45-day-old login shown %v, want %v", tc.days, got, tc.shown)
		}
	}

	post := func(c *http.Client, path string, form url.Values) (int, string) {
		t.Helper()
		resp := e.postForm(t, c, path, form)
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	if code, _ := post(c, "/account/passkeys/"+theirs.ID.String()+"/rename", url.Values{"name": {"Meins"}}); code != http.StatusNotFound {
		t.Errorf("renaming another user's passkey: %d, want 404", code)
	}
	if code, _ := post(c, "/account/passkeys/"+theirs.ID.String()+"/delete", nil); code != http.StatusNotFound {
		t.Errorf("removing another user's passkey: %d, want 404", code)
	}
	if code, _ := post(c, "/account/passkeys/"+mine.ID.String()+"/rename", url.Values{"name": {" "}}); code != http.StatusUnprocessableEntity {
		t.Errorf("renaming to nothing: %d, want 422", code)
	}
	if code, loc := post(c, "/account/passkeys/"+mine.ID.String()+"/rename", url.Values{"name": {"Arbeitsrechner"}}); code != http.StatusSeeOther ||
		!strings.HasPrefix(loc, "/account/security?notice=passkey_renamed") {
		t.Errorf("rename: %d %s", code, loc)
	}
	if code, loc := post(c, "/account/passkeys/"+mine.ID.String()+"/delete", nil); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/security?notice=passkey_deleted") {
		t.Errorf("remove: %d %s", code, loc)
	}
	if keys, _ := e.council.Passkeys(ctx, u.ID); len(keys) != 0 {
		t.Errorf("passkeys after removal: %+v", keys)
	}
	if keys, _ := e.council.Passkeys(ctx, other.ID); len(keys) != 1 || keys[0].Name != "Fremd" {
		t.Errorf("the other user's passkeys: %+v", keys)
	}

	// Sessions: the current one is refused, another user's is unknown.
	ss, err := e.council.Sessions(ctx, u.ID)
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions: %+v, %v", ss, err)
	}
	if code, _ := post(c, "/account/sessions/"+ss[0].ID.String()+"/end", nil); code != http.StatusConflict {
		t.Errorf("ending the current session: %d, want 409", code)
	}
	if code, _ := post(oc, "/account/sessions/"+ss[0].ID.String()+"/end", nil); code != http.StatusNotFound {
		t.Errorf("ending another user's session: %d, want 404", code)
	}
	if code, _ := e.get(t, c, "/account/security"); code != http.StatusOK {
		t.Errorf("the session after the refusals: %d", code)
	}

	// "End all other sessions": two more logins of u end, this one and
	// the other user's stay.
	var others []*http.Client
	for range 2 {
		oc := e.anon()
		resp := e.postForm(t, oc, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
		resp.Body.Close()
		others = append(others, oc)
	}
	if _, body := e.get(t, c, "/account/security"); !strings.Contains(body, "/account/sessions/end-others") {
		t.Error("no button to end the other sessions")
	}
	if code, loc := post(c, "/account/sessions/end-others", nil); code != http.StatusSeeOther || !strings.Contains(loc, "notice=sessions_ended") {
		t.Errorf("end others: %d %s", code, loc)
	}
	for i, oc := range append(others, c, oc) {
		want := http.StatusSeeOther
		if i >= len(others) {
			want = http.StatusOK
		}
		if code, _ := e.get(t, oc, "/account/security"); code != want {
			t.Errorf("client %d after ending the others: %d, want %d", i, code, want)
		}
	}
	if ss, _ := e.council.Sessions(ctx, u.ID); len(ss) != 1 {
		t.Errorf("sessions after ending the others: %+v", ss)
	}
}
