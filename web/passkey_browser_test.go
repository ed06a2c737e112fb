package web

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
)

// newLocalhostEnv is a test server whose public base URL is
// http://localhost:<port>: WebAuthn needs a domain as the RP ID (no IP
// address), and Chromium counts http://localhost as a secure context.
// It returns the env and the base URL the browser must use.
func newLocalhostEnv(t *testing.T) (*testEnv, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://localhost:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	e := newTestEnvWith(t, nil, func(o *Options) { o.BaseURL = base })
	e.srv.auth.failDelay = 0
	e.ts.Close()
	ts := httptest.NewUnstartedServer(e.srv)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	e.ts = ts
	return e, base
}

// virtualAuthenticator gives the browser in ctx a platform authenticator
// (CTAP2, internal, resident keys, user verification that succeeds), as a
// phone or laptop with a fingerprint reader.
func virtualAuthenticator(t *testing.T, ctx context.Context) webauthn.AuthenticatorID {
	t.Helper()
	res, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (webauthn.AddVirtualAuthenticatorResult, error) {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return webauthn.AddVirtualAuthenticatorResult{}, err
		}
		return cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			}})
	})
	if err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// waitPasskeyPage polls js in ctx until it is true, for up to 20 s.
func waitPasskeyPage(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[location.href, ...Array.from(document.querySelectorAll("[data-passkey-status]"), e => e.textContent)].join(" | ")`))
	t.Fatalf("%s: not within 20 s (page: %s)", what, status)
}

// TestPasskeyBrowser: a member registers a passkey on the account page
// with Chromium's virtual authenticator, logs out, logs in with the
// passkey alone, sees both of their sessions and ends the other one; a
// clerk confirms a password login with a passkey instead of a TOTP code.
// The account page passes axe-core and fits a phone.
func TestPasskeyBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e, base := newLocalhostEnv(t)
	authID := virtualAuthenticator(t, ctx)

	at := func(path string) string { return `location.href === ` + jsString(base+path) }
	passwordLogin := func(u council.User) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#f-email")),
			chromedp.SetValue(chromedp.CSS("#f-email"), u.Email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
		submitAndWait(t, ctx, "#f-password")
	}
	logout := func() {
		t.Helper()
		submitAndWait(t, ctx, `form[action="/logout"] button`)
	}
	addPasskey := func(name string) {
		t.Helper()
		navigate(t, ctx, base+"/account/security")
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-passkey-name"), name),
			chromedp.SendKeys(chromedp.CSS("#f-passkey-password"), testPassword),
			chromedp.Click(chromedp.CSS("form.passkey-add button[type=submit]"))); err != nil {
			t.Fatalf("add passkey: %v", err)
		}
		waitPasskeyPage(t, ctx, "passkey added", at("/account/security?notice=passkey_added")+
			` && document.readyState === "complete"`)
		names, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ul.passkeys")))
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "passkey list", names, name)
	}

	// A member: password login, register a passkey, log out.
	member := e.newTestUser(t, council.RoleMember, false)
	passwordLogin(member)
	navigate(t, ctx, base+"/account/security")
	liveStates(t, ctx, "account-security-empty", axe)
	// Submitting without a name is refused in the page, announced.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.passkey-add button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	waitPasskeyPage(t, ctx, "missing name announced", `document.querySelector("form.passkey-add [role=alert]").textContent !== ""`)
	addPasskey("Laptop")
	logout()

	// Log in with the passkey alone.
	navigate(t, ctx, base+"/login")
	liveStates(t, ctx, "login-passkey", axe)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("[data-passkey=login] [data-passkey-start]"))); err != nil {
		t.Fatal(err)
	}
	waitPasskeyPage(t, ctx, "passkey login lands on my bodies", at("/my/bodies"))
	header, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header")))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "header after passkey login", header, member.DisplayName)

	// A second session of the member elsewhere (a password login over
	// HTTP); the browser lists both and ends the other.
	other := e.anon()
	resp := e.postForm(t, other, "/login", url.Values{"email": {member.Email}, "password": {testPassword}})
	resp.Body.Close()
	if code, _ := e.get(t, other, "/account/security"); code != http.StatusOK {
		t.Fatalf("other session: account page %d", code)
	}
	navigate(t, ctx, base+"/account/security")
	if n := evalInt(t, ctx, `document.querySelectorAll("ul.sessions > li").length`); n != 2 {
		t.Fatalf("sessions listed: %d, want 2", n)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll("ul.sessions button[type=submit]").length`); n != 1 {
		t.Fatalf("end buttons: %d, want 1 (not for this session)", n)
	}
	if !evalBool(t, ctx, `document.querySelector("ul.sessions > li:first-child .badge") !== null`) {
		t.Error("this session is not listed first")
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "account page", text, "Laptop", "mit Passkey", "mit Passwort", "diese Sitzung", "Netz 127.0.0.0/24")
	liveStates(t, ctx, "account-security", axe)
	submitAndWait(t, ctx, "ul.sessions button[type=submit]")
	waitPasskeyPage(t, ctx, "session ended", at("/account/security?notice=session_ended"))
	if n := evalInt(t, ctx, `document.querySelectorAll("ul.sessions > li").length`); n != 1 {
		t.Errorf("sessions after ending the other: %d, want 1", n)
	}
	if code, _ := e.get(t, other, "/account/security"); code != http.StatusSeeOther {
		t.Errorf("ended session: account page %d, want 303 to the login", code)
	}
	logout()

	// A clerk: password and TOTP once, register a passkey; then password
	// and the passkey instead of the code.
	if err := chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: authID})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatal(err)
	}
	clerk := e.newTestUser(t, council.RoleClerk, true)
	passwordLogin(clerk)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-code"), totpCode(t, clerk.TOTPSecret, time.Now()))); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, ctx, "#f-code")
	addPasskey("Dienst-PC")
	logout()
	passwordLogin(clerk)
	waitPasskeyPage(t, ctx, "TOTP page", at("/login/totp"))
	liveStates(t, ctx, "login-second-passkey", axe)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("[data-passkey=second] [data-passkey-start]"))); err != nil {
		t.Fatal(err)
	}
	waitPasskeyPage(t, ctx, "clerk in the back office", at("/admin"))
	ls, err := e.council.Logins(context.Background(), clerk.ID, time.Now().Add(-time.Hour), 10)
	if err != nil || len(ls) != 2 || ls[0].Method != council.LoginPasswordPasskey || ls[1].Method != council.LoginPasswordTOTP {
		t.Errorf("clerk's logins = %+v, %v; want password+passkey after password+TOTP", ls, err)
	}
}

func evalInt(t *testing.T, ctx context.Context, js string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatalf("eval %s: %v", js, err)
	}
	return n
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
