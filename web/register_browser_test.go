package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council/mail/mailtest"
)

// TestRegisterBrowser is issue 19's "done when" for accounts: in Chromium
// a citizen registers, the verification mail is read from a real SMTP
// server, the link opened, and the citizen logs in; the register form
// (empty and with errors), the "check your mail" page and the verified
// page pass axe-core in German and English.
func TestRegisterBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	smtpd := mailtest.Start(t, mailtest.Options{})
	checkAxe := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	follow := func(sel string) { // a link, as a reader follows it
		t.Helper()
		navigate(t, ctx, evalString(t, ctx, `document.querySelector(`+"`"+sel+"`"+`).href`))
	}
	const password = "ein langes Passwort"
	for _, lang := range []string{"de", "en"} {
		email := "buergerin-" + lang + "@example.org"
		navigate(t, ctx, e.ts.URL+"/login?lang="+lang)
		follow(`main a[href^="/register"]`)
		if p := pathOf(t, ctx, e.ts.URL); !strings.HasPrefix(p, "/register") {
			t.Fatalf("%s: the login page's link led to %s", lang, p)
		}
		checkAxe(lang + ": register form")
		// Wrong input first: the errors are announced and pass axe.
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-email"), "keine-adresse"),
			chromedp.SendKeys(chromedp.CSS("#f-password"), "kurz")); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, ctx, `form.auth button[type="submit"]`)
		if n := evalString(t, ctx, `String(document.querySelectorAll("[aria-invalid=true]").length)`); n != "2" {
			t.Errorf("%s: %s fields marked invalid, want 2", lang, n)
		}
		checkAxe(lang + ": register form with errors")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), password),
			chromedp.SendKeys(chromedp.CSS("#f-display_name"), "Erika")); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, ctx, `form.auth button[type="submit"]`)
		if txt := evalString(t, ctx, `document.querySelector("main .alert").textContent`); !strings.Contains(txt, email) {
			t.Fatalf("%s: after registering: %q", lang, txt)
		}
		checkAxe(lang + ": check your mail")

		var link []string
		for _, m := range e.deliver(t, smtpd) {
			if m.To == email {
				link = verifyLink.FindStringSubmatch(m.Text)
				if m.Header.Get("Content-Language") != lang {
					t.Errorf("%s: mail in %q", lang, m.Header.Get("Content-Language"))
				}
			}
		}
		if link == nil {
			t.Fatalf("%s: no verification link at the SMTP server", lang)
		}
		navigate(t, ctx, e.ts.URL+link[1]+"&lang="+lang)
		checkAxe(lang + ": address verified")
		follow(`main a[href^="/login"]`)
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), password)); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, ctx, "#f-password")
		if p := pathOf(t, ctx, e.ts.URL); p != "/" && !strings.HasPrefix(p, "/?") {
			t.Errorf("%s: after login at %s, want the start page", lang, p)
		}
		if n := evalString(t, ctx, `String(document.querySelectorAll('form[action^="/logout"]').length)`); n == "0" {
			t.Errorf("%s: not logged in (no logout form)", lang)
		}
		submitAndWait(t, ctx, `form[action^="/logout"] button`)
	}
}
