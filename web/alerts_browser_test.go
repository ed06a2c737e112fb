package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
)

// TestAlertsBrowser: in Chromium, a citizen follows a paper from its page
// (choosing weekly), finds it on /account/alerts, changes it to instant,
// makes a private feed address and unfollows — in German and English,
// every page passing axe-core.
func TestAlertsBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	bg := context.Background()
	p := must(e.council.SavePaper(bg, council.Paper{BodyID: e.body.ID, Name: "Neubau der Grundschule Nord", Type: council.PaperMotion, Public: true}))(t)
	must(e.council.Submit(bg, p.ID, time.Now()))(t)
	c, _ := e.login(t, council.RoleCitizen)
	setBrowserCookie(t, ctx, e.ts.URL, e.sessionCookie(c))
	checkAxe := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	text := func() string { return evalString(t, ctx, `document.querySelector("main").innerText`) }
	for lang, want := range map[string]struct{ weekly, instant, followed, none string }{
		"de": {"wöchentlich", "sofort", "Sie folgen jetzt", "Sie folgen noch nichts"},
		"en": {"weekly", "instantly", "You follow it now", "You follow nothing yet"},
	} {
		navigate(t, ctx, e.ts.URL+"/papers/"+p.ID.String()+"?lang="+lang)
		if lang == "de" {
			liveStates(t, ctx, "65-alerts-paper-follow", axe) // axe and layout at both widths, screenshots
		} else {
			checkAxe(lang + ": paper page with the follow button")
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#follow-paper-frequency"), "weekly")); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, ctx, `form.alerts-follow-form button[type="submit"]`)
		if path := pathOf(t, ctx, e.ts.URL); !strings.HasPrefix(path, "/account/alerts?notice=followed") {
			t.Fatalf("%s: after following at %s", lang, path)
		}
		body := text()
		for _, w := range []string{want.followed, "Neubau der Grundschule Nord"} {
			if !strings.Contains(body, w) {
				t.Errorf("%s: alerts page lacks %q:\n%s", lang, w, body)
			}
		}
		if got := evalString(t, ctx, `document.querySelector("form.alerts-frequency select").selectedOptions[0].textContent`); got != want.weekly {
			t.Errorf("%s: frequency shown %q, want %q", lang, got, want.weekly)
		}
		if lang == "de" {
			liveStates(t, ctx, "66-alerts-account", axe)
		} else {
			checkAxe(lang + ": alerts page")
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`form.alerts-frequency select`), "instant")); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, ctx, `form.alerts-frequency button[type="submit"]`)
		if got := evalString(t, ctx, `document.querySelector("form.alerts-frequency select").selectedOptions[0].textContent`); got != want.instant {
			t.Errorf("%s: frequency after the change %q, want %q", lang, got, want.instant)
		}
		submitAndWait(t, ctx, `form[action^="/account/alerts/feed"] button`)
		if url := evalString(t, ctx, `document.getElementById("alerts-feed-url").value`); !strings.Contains(url, "/feeds/u/") {
			t.Errorf("%s: feed address %q", lang, url)
		}
		if lang == "de" {
			liveStates(t, ctx, "67-alerts-feed-address", axe)
		} else {
			checkAxe(lang + ": alerts page with the feed address")
		}
		evalString(t, ctx, `window.confirm = () => true; ""`)
		submitAndWait(t, ctx, `form[action*="/delete"] button`)
		if body := text(); !strings.Contains(body, want.none) {
			t.Errorf("%s: after unfollowing:\n%s", lang, body)
		}
		checkAxe(lang + ": alerts page, nothing followed")
	}
}
