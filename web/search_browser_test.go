package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/plenar/plenar/council"
)

// TestSearchTypeAhead drives the header's search box on a 390 px phone
// viewport with the keyboard: one letter asks nothing, "radw" shows at
// most 8 suggestions in a listbox (the count in a live region; axe-core
// checks the page with it open, nothing wider than the screen), Escape
// closes it, Down opens it with the first active, and Enter picks that
// suggestion and lands on its results page. Then, with JavaScript off,
// the plain form still submits.
func TestSearchTypeAhead(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e, open, _ := searchEnv(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatalf("phone viewport: %v", err)
	}
	navigate(t, ctx, e.ts.URL+"/")
	waitScript(t, ctx, `#site-search-q[role="combobox"][aria-controls="site-search-q-listbox"][aria-expanded="false"]`,
		"combobox.js did not enhance the header's search box")
	eval := func(js string) string { t.Helper(); return evalString(t, ctx, js) }
	key := func(keys string) { t.Helper(); pressKeys(t, ctx, keys) }
	waitFor := func(what, js string) {
		t.Helper()
		pollTrue(t, ctx, what, js, func() string { return eval(`document.getElementById("site-search-q-listbox").outerHTML`) })
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#site-search-q"))); err != nil {
		t.Fatalf("focus the search box: %v", err)
	}
	const listOpen = `(!document.getElementById("site-search-q-listbox").hidden && document.getElementById("site-search-q").getAttribute("aria-expanded") === "true")`
	const options = `document.querySelectorAll("#site-search-q-listbox [role=option]")`
	key("r")
	if err := chromedp.Do(ctx, chromedp.Sleep(600*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got := eval(`String(` + listOpen + `) + " " + ` + options + `.length`); got != "false 0" {
		t.Errorf("after one letter: open and options %q, want a closed, empty list", got)
	}
	key("adw")
	waitFor("suggestions for radw", listOpen+` && `+options+`.length > 0`)
	n := eval(`String(` + options + `.length)`)
	if c, err := strconv.Atoi(n); err != nil || c > 8 {
		t.Errorf("%s suggestions, want at most 8", n)
	}
	first := eval(options + `[0].textContent`)
	if !strings.HasPrefix(first, "radweg") {
		t.Errorf("first suggestion %q, want a completion of radw", first)
	}
	waitFor("the count in the live region", `(() => { const s = document.querySelector("#site-search-q ~ [role=status]");
		return !!s && s.textContent.includes("Vorschläge: `+n+`"); })()`)
	if vs := runAxe(t, ctx, axe); len(vs) > 0 {
		t.Errorf("search box with suggestions: axe violations:%s", describeViolations(vs))
	}
	if over := eval(`(() => { const w = document.documentElement.clientWidth;
		const r = document.getElementById("site-search-q-listbox").getBoundingClientRect();
		return document.documentElement.scrollWidth > w || r.left < 0 || r.right > w + 1 ? "list " + r.left + "–" + r.right + " of " + w : ""; })()`); over != "" {
		t.Errorf("at 390 px: %s, want the list within the screen", over)
	}
	key(kb.Escape)
	waitFor("Escape closes the list", `!`+listOpen)
	if v := eval(`document.getElementById("site-search-q").value`); v != "radw" {
		t.Errorf("after Escape: field %q, want radw", v)
	}
	key(kb.ArrowDown)
	waitFor("Down opens the list with the first active", listOpen+` && (() => { const id = document.getElementById("site-search-q").getAttribute("aria-activedescendant");
		const el = id && document.getElementById(id); return !!el && el.getAttribute("aria-selected") === "true" && el === `+options+`[0]; })()`)
	eval(`window.__plenarOld = true; ""`)
	key(kb.Enter)
	waitNewDocument(t, ctx, "Enter picks the suggestion and searches")
	if p, want := pathOf(t, ctx, e.ts.URL), "/search?q="+url.QueryEscape(first); p != want {
		t.Errorf("after Enter: at %s, want %s", p, want)
	}
	if v := eval(`document.getElementById("search-q").value`); v != first {
		t.Errorf("results page's search box %q, want %q", v, first)
	}
	if titles := eval(`[...document.querySelectorAll("ol.hits .hit-title")].map(h => h.textContent).join("|")`); !strings.Contains(titles, open.Name) {
		t.Errorf("results for %q: %q, want %q", first, titles, open.Name)
	}
	// The results page's own search box has the type-ahead too.
	waitScript(t, ctx, `#search-q[role="combobox"][aria-controls="search-q-listbox"]`, "combobox.js did not enhance the search page's box")

	// Without JavaScript: a plain search field whose form submits.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	navigate(t, ctx, e.ts.URL+"/")
	role, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#site-search-q"), "role"))
	if err != nil || role.Exists {
		t.Errorf("without JavaScript: role %+v, %v; want a plain field", role, err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#site-search-q"), "Uferweg"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("ol.hits .hit-title"))); err != nil {
		t.Fatalf("without JavaScript: submit the search: %v", err)
	}
	if p := pathOf(t, ctx, e.ts.URL); p != "/search?q=Uferweg" {
		t.Errorf("without JavaScript: at %s, want /search?q=Uferweg", p)
	}

	// A few hits with all the words, then those with some under their own
	// heading: the page passes axe and fits at both widths (JavaScript on
	// again: axe runs in the page).
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	})); err != nil {
		t.Fatalf("enable JavaScript: %v", err)
	}
	if _, err := e.council.SavePaper(context.Background(), council.Paper{BodyID: e.body.ID, Name: "Radweg am Bahnhof",
		Type: council.PaperMotion, Status: council.StatusSubmitted, Public: true}); err != nil {
		t.Fatal(err)
	}
	e.buildIndex(t)
	navigate(t, ctx, e.ts.URL+"/search?q=Radweg+Uferweg")
	if got := evalString(t, ctx, `document.getElementById("search-some-after")?.textContent ?? ""`); got != "Weitere Ergebnisse mit einigen der Wörter" {
		t.Errorf("some-words heading %q", got)
	}
	liveStates(t, ctx, "75-search-some-words", axe)

	// Identically titled papers: one result listing the newest others and
	// a link to all; the list of all of them.
	for d := 1; d <= 6; d++ {
		if _, err := e.council.SavePaper(context.Background(), council.Paper{BodyID: e.body.ID, Name: "Radweg am Bahnhof",
			Type: council.PaperMotion, Status: council.StatusSubmitted, Public: true, Date: time.Date(2024, time.Month(d), 3, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	e.buildIndex(t)
	navigate(t, ctx, e.ts.URL+"/search?q=Radweg")
	if got := evalString(t, ctx, `[...document.querySelectorAll("ol.hits .hit-title")].filter(h => h.textContent.trim() === "Radweg am Bahnhof").length + " " +
		document.querySelectorAll("ol.hits p.same a").length`); got != "1 6" {
		t.Errorf("same title: results titled alike and links under it %q, want one result with five papers and the link to all (1 6)", got)
	}
	liveStates(t, ctx, "76-search-same-title", axe)
	eval(`window.__plenarOld = true; ""`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("ol.hits p.same a:last-child"), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click the link to all: %v", err)
	}
	waitNewDocument(t, ctx, "the link to all papers titled alike")
	waitScript(t, ctx, `#search-same`, "the list of all papers titled alike did not open")
	if n := evalString(t, ctx, `String(document.querySelectorAll("ol.hits .hit-title").length)`); n != "7" {
		t.Errorf("list of all titled alike: %s results, want 7", n)
	}
	liveStates(t, ctx, "77-search-same-list", axe)
}
