package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/migrations/pgtest"
)

const testDPO = "Frau Datenschutz-Testmarker, Rathaus, dsb@musterstadt.test"

func newPrivacyEnv(t *testing.T) *testEnv {
	return newTestEnvWith(t, nil, func(o *Options) { o.DPOContact = testDPO; o.RecordingRetention = "5y" })
}

// TestPrivacyPages: the footer names the data protection officer on every
// page; the record of processing activities lists every data class with
// its current period, in German and English.
func TestPrivacyPages(t *testing.T) {
	t.Parallel()
	e := newPrivacyEnv(t)
	for _, path := range []string{"/", "/meetings", "/datenschutz", "/login"} {
		status, body := e.get(t, e.anon(), path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		mustContain(t, path, body, testDPO, `href="/datenschutz"`)
	}
	_, body := e.get(t, e.anon(), "/datenschutz")
	mustContain(t, "/datenschutz", body, `href="/datenschutz/verarbeitung"`)
	if err := privacy.NewStore(e.srv.pool).SetRules(context.Background(), map[privacy.Class]int{privacy.Questions: 77}, e.srv.opt.Now()); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][]string{"de": {"77 Tage", "5 Jahre nach der Sitzung", "Art. 6 Abs. 1 lit. e DSGVO"},
		"en": {"77 days", "5 years after the session", "Retention period"}} {
		status, body := e.get(t, e.anon(), "/datenschutz/verarbeitung?lang="+lang)
		if status != http.StatusOK {
			t.Fatalf("record (%s): %d", lang, status)
		}
		mustContain(t, "record "+lang, body, want...)
		for _, c := range privacy.Classes {
			mustContain(t, "record "+lang, body, html.EscapeString(e.srv.i18n.T(lang, "privacy.class."+string(c.Class)+".name")),
				html.EscapeString(e.srv.i18n.T(lang, "privacy.class."+string(c.Class)+".purpose")))
		}
	}
}

// TestAccountDataAndErasure: a citizen downloads their data as one JSON
// file and erases the account with the password; a wrong password or a
// missing confirmation erases nothing; afterwards the session is gone.
func TestAccountDataAndErasure(t *testing.T) {
	t.Parallel()
	e := newPrivacyEnv(t)
	c, u := e.login(t, council.RoleCitizen)
	status, body := e.get(t, c, "/account/data")
	if status != http.StatusOK {
		t.Fatalf("/account/data: %d", status)
	}
	mustContain(t, "/account/data", body, `href="/account/data.json"`, "Anmeldungen")
	resp, err := c.Get(e.ts.URL + "/account/data.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("export headers: %v", resp.Header)
	}
	var ex privacy.Export
	if err := json.Unmarshal(b, &ex); err != nil || ex.Format != privacy.ExportFormat {
		t.Fatalf("export: %v: %s", err, b)
	}
	mustContain(t, "export", string(ex.Sections["profile"]), u.Email)
	mustContain(t, "export", string(ex.Sections["logins"]), `"method": "password"`)
	mustNotContain(t, "export", string(b), u.PasswordHash)

	for name, form := range map[string]url.Values{
		"wrong password":  {"password": {"wrong"}, "confirm": {"yes"}},
		"no confirmation": {"password": {testPassword}},
	} {
		resp := e.postForm(t, c, "/account/erase", form)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", name, resp.StatusCode)
		}
		mustContain(t, name, string(b), `aria-invalid="true"`)
		if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users WHERE id = $1 AND erased IS NULL`, u.ID); n != 1 {
			t.Fatalf("%s: the account was erased", name)
		}
	}
	resp = e.postForm(t, c, "/account/erase", url.Values{"password": {testPassword}, "confirm": {"yes"}})
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/datenschutz?erased=1" {
		t.Fatalf("erase: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users WHERE id = $1 AND erased IS NOT NULL AND email NOT LIKE '%plenar.test'`, u.ID); n != 1 {
		t.Error("the account is not erased")
	}
	if status, _ := e.get(t, c, "/account/data"); status != http.StatusSeeOther {
		t.Errorf("after erasure /account/data: %d, want a redirect to the login", status)
	}
	_, body = e.get(t, e.anon(), "/datenschutz?erased=1")
	mustContain(t, "after erasure", body, "Ihr Konto ist gelöscht")
}

// TestAdminPrivacy: only administrators set the periods (a bad one is a
// field error and nothing is stored) and erase another's account.
func TestAdminPrivacy(t *testing.T) {
	t.Parallel()
	e := newPrivacyEnv(t)
	clerk, _ := e.login(t, council.RoleClerk)
	if status, _ := e.get(t, clerk, "/admin/privacy"); status != http.StatusForbidden {
		t.Errorf("clerk: /admin/privacy %d, want 403", status)
	}
	adm, _ := e.login(t, council.RoleAdmin)
	status, body := e.get(t, adm, "/admin/privacy")
	if status != http.StatusOK {
		t.Fatalf("/admin/privacy: %d", status)
	}
	mustContain(t, "/admin/privacy", body, `name="logins" value="90"`, "PLENAR_RECORDING_RETENTION")
	form := url.Values{}
	for _, c := range privacy.Classes {
		form.Set(string(c.Class), "30")
	}
	form.Set("logins", "0")
	resp := e.postForm(t, adm, "/admin/privacy/rules", form)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad period: %d", resp.StatusCode)
	}
	mustContain(t, "bad period", string(b), `id="f-logins-error"`)
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM retention_rules WHERE days = 30 AND class NOT IN ('live_presence', 'mail')`); n != 0 {
		t.Errorf("a refused form stored %d periods", n)
	}
	form.Set("logins", "60")
	resp = e.postForm(t, adm, "/admin/privacy/rules", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save periods: %d", resp.StatusCode)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT days FROM retention_rules WHERE class = 'logins'`); n != 60 {
		t.Errorf("logins: %d days, want 60", n)
	}
	citizen := e.newTestUser(t, council.RoleCitizen, false)
	for email, want := range map[string]int{"nobody@plenar.test": 422, strings.ToUpper(citizen.Email): 303} {
		resp := e.postForm(t, adm, "/admin/privacy/erase", url.Values{"email": {email}, "confirm": {"yes"}})
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("erase %s: %d, want %d", email, resp.StatusCode, want)
		}
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users WHERE id = $1 AND erased IS NOT NULL`, citizen.ID); n != 1 {
		t.Error("the administrator's erasure did not erase")
	}
}

// TestPrivacyBrowser: the privacy pages, the record, "Meine Daten" and the
// back office's page pass axe in both languages; a citizen erases the
// account in the browser and lands on the privacy page with the notice.
// No page requests a third-party host (newBrowser's watch).
func TestPrivacyBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newPrivacyEnv(t)
	adm, _ := e.login(t, council.RoleAdmin)
	check := func(path string) {
		t.Helper()
		navigate(t, ctx, e.ts.URL+path)
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", path, describeViolations(vs))
		}
	}
	for p, shot := range map[string]string{"/datenschutz": "71-privacy", "/datenschutz/verarbeitung": "72-privacy-record",
		"/datenschutz/verarbeitung?lang=en": ""} {
		if shot == "" {
			check(p)
			continue
		}
		navigate(t, ctx, e.ts.URL+p)
		liveStates(t, ctx, shot, axe) // axe and layout at both widths, screenshots
	}
	setBrowserCookie(t, ctx, e.ts.URL, e.sessionCookie(adm))
	navigate(t, ctx, e.ts.URL+"/admin/privacy")
	liveStates(t, ctx, "73-admin-privacy", axe)
	check("/admin/privacy?lang=en")
	// A refused form: summary and field messages.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-logins"), "0")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, ctx, "#f-logins")
	if got := evalString(t, ctx, `document.querySelector("#f-logins-error")?.textContent ?? ""`); got == "" {
		t.Error("no field error for a period of 0 days")
	}
	if vs := runAxe(t, ctx, axe); len(vs) > 0 {
		t.Errorf("admin privacy with errors: axe violations:%s", describeViolations(vs))
	}

	c, u := e.login(t, council.RoleCitizen)
	setBrowserCookie(t, ctx, e.ts.URL, e.sessionCookie(c))
	navigate(t, ctx, e.ts.URL+"/account/data")
	liveStates(t, ctx, "74-account-data", axe)
	check("/account/data?lang=en")
	navigate(t, ctx, e.ts.URL+"/account/data")
	submitAndWait(t, ctx, "#f-password") // neither password nor confirmation
	if got := evalString(t, ctx, `[...document.querySelectorAll(".field-error")].map(e => e.id).join(",")`); got != "f-password-error,f-confirm-error" {
		t.Errorf("field errors %q", got)
	}
	if vs := runAxe(t, ctx, axe); len(vs) > 0 {
		t.Errorf("account data with errors: axe violations:%s", describeViolations(vs))
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword), chromedp.Click(chromedp.CSS("#f-confirm"))); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, ctx, "#f-password")
	if p := pathOf(t, ctx, e.ts.URL); p != "/datenschutz?erased=1" {
		t.Errorf("after erasing: at %s", p)
	}
	mustContain(t, "after erasing", evalString(t, ctx, `document.body.innerText`), "Ihr Konto ist gelöscht", fmt.Sprint(testDPO[:10]))
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users WHERE id = $1 AND erased IS NOT NULL`, u.ID); n != 1 {
		t.Error("the account is not erased")
	}
}
