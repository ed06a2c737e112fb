package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
)

// TestAuthBrowser walks a clerk through enrolment, logout and a TOTP login
// in Chromium: the CSP lets the data: QR code load, the real browser's
// Sec-Fetch-Site passes the cross-origin check, the logout form carries
// the CSRF token, and every auth page passes axe-core.
func TestAuthBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	u := e.newTestUser(t, council.RoleClerk, false)

	checkAxe := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	submit := func(sel string) {
		t.Helper()
		submitAndWait(t, ctx, sel)
	}
	login := func(password string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.ts.URL+"/login?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#f-email")),
			chromedp.SetValue(chromedp.CSS("#f-email"), u.Email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
		submit("#f-password")
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(loc, e.ts.URL)
	}
	enterCode := func(code string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-code"), code)); err != nil {
			t.Fatalf("enter code: %v", err)
		}
		submit("#f-code")
	}

	login("wrong password 123")
	checkAxe("login page with an error")

	login(testPassword)
	if loc := location(); !strings.HasPrefix(loc, "/login/totp/setup") {
		t.Fatalf("after password: at %s, want /login/totp/setup", loc)
	}
	checkAxe("TOTP setup page")
	qrWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("main img").naturalWidth`))
	if err != nil || qrWidth == 0 {
		t.Errorf("QR code image: natural width %d (%v), want > 0 (blocked by the CSP?)", qrWidth, err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("code.secret")))
	if err != nil {
		t.Fatal(err)
	}
	secret = strings.ReplaceAll(secret, " ", "")
	enterCode(totpCode(t, secret, time.Now()))
	if loc := location(); loc != "/admin" {
		t.Fatalf("after enrolment: at %s, want /admin", loc)
	}

	// Log out with the layout's form (CSRF token), then log in with TOTP.
	submit(`form[action="/logout"] button`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`a[href^="/login"]`))); err != nil {
		t.Fatalf("log out: %v", err)
	}
	login(testPassword)
	if loc := location(); !strings.HasPrefix(loc, "/login/totp") {
		t.Fatalf("second login: at %s, want /login/totp", loc)
	}
	checkAxe("TOTP page")
	enterCode(totpCode(t, secret, time.Now().Add(30*time.Second))) // the next step: the last one is used
	if loc := location(); loc != "/admin" {
		t.Fatalf("after TOTP: at %s, want /admin", loc)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header")))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "header after login", body, u.DisplayName)
}
