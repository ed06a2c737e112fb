package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// TestAdminBrowserAxe loads the main back-office pages, and a form
// re-rendered with errors, in Chromium as a logged-in clerk and runs
// axe-core on each.
func TestAdminBrowserAxe(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	clerk, u := e.login(t, council.RoleClerk)
	ck := e.sessionCookie(clerk)
	if ck == nil {
		t.Fatal("clerk has no session cookie")
	}
	bg := council.WithActor(context.Background(), u.ID)
	org, err := e.council.SaveOrganization(bg, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.council.SavePaper(bg, council.Paper{BodyID: e.body.ID, Name: "Neubau Kita", Type: council.PaperResolution, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.meetings.SaveMeeting(bg, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 1. Sitzung",
		Start: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.SaveAgendaItem(bg, meetings.AgendaItem{MeetingID: m.ID, Name: "Eröffnung", Public: true}); err != nil {
		t.Fatal(err)
	}
	// A submitted paper with its implementation record (Beschlusskontrolle).
	decided, err := e.council.Submit(bg, p.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	im, err := e.council.SaveImplementation(bg, council.Implementation{PaperID: decided.ID, Office: "Hochbauamt",
		Due: time.Now().AddDate(0, -1, 0)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.council.AddImplementationNote(bg, im.ID, council.ImplementationNote{Date: time.Now(), Text: "Planung beauftragt"}); err != nil {
		t.Fatal(err)
	}
	setBrowserCookie(t, ctx, e.ts.URL, ck)
	check := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	for _, path := range []string{"/admin", "/admin/organizations", "/admin/organizations/" + org.ID.String(),
		"/admin/persons", "/admin/papers", "/admin/papers/" + p.ID.String(), "/admin/papers/" + p.ID.String() + "/edit",
		"/admin/meetings", "/admin/meetings/" + m.ID.String(), "/admin/meetings/" + m.ID.String() + "/edit",
		"/admin/meetings/" + m.ID.String() + "/invite", "/admin/organizations/" + org.ID.String() + "/memberships/new",
		"/admin/papers/" + p.ID.String() + "/implementation", "/admin/papers/" + p.ID.String() + "/implementation" + "/status", "/admin/papers/" + p.ID.String() + "/implementation" + "/notes/new", "/admin/papers/" + p.ID.String() + "/implementation" + "/follow-ups/new"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+path), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		check(path)
	}
	// A form with errors: the summary and field messages must pass too.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/admin/organizations/new"),
		chromedp.WaitVisible(chromedp.CSS("#f-name")),
		chromedp.SetValue(chromedp.CSS("#f-short_name"), "HFA"),
		chromedp.Click(chromedp.CSS("form.admin-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")),
	); err != nil {
		t.Fatalf("submit invalid organization form: %v", err)
	}
	if short, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-short_name"))); err != nil || short != "HFA" {
		t.Errorf("short name after failed submit: %q, %v; want HFA", short, err)
	}
	check("organization form with errors")
}

// TestPaperPickerKeyboard drives the agenda builder's paper picker in
// Chromium with the keyboard alone: Tab to the field, type, Escape closes
// the suggestions, Down opens them again with the first active, Down and
// Up move, Enter chooses (without submitting), Enter again submits the
// form, and the paper is on the agenda. axe-core checks the page with the
// listbox open.
func TestPaperPickerKeyboard(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	f := newPickerFixture(t, e)
	ck := e.sessionCookie(f.clerk)
	if ck == nil {
		t.Fatal("clerk has no session cookie")
	}
	setBrowserCookie(t, ctx, e.ts.URL, ck)
	navigate(t, ctx, e.ts.URL+f.meetingURL+"/items/paper")
	waitScript(t, ctx, `#f-paper[role="combobox"][aria-controls="f-paper-listbox"]`, "combobox.js did not enhance the field")
	eval := func(js string) string { t.Helper(); return evalString(t, ctx, js) }
	key := func(keys string) { t.Helper(); pressKeys(t, ctx, keys) }
	waitFor := func(what, js string) {
		t.Helper()
		pollTrue(t, ctx, what, js, func() string {
			return "at " + pathOf(t, ctx, e.ts.URL) + ": " + eval(`document.querySelector("main").innerHTML.slice(0, 3000)`)
		})
	}
	for i := 0; i < 40 && eval(`document.activeElement.id`) != "f-paper"; i++ {
		key(kb.Tab)
	}
	if id := eval(`document.activeElement.id`); id != "f-paper" {
		t.Fatalf("Tab never reached the paper field (at %q)", id)
	}
	const listOpen = `!document.getElementById("f-paper-listbox").hidden && document.getElementById("f-paper").getAttribute("aria-expanded") === "true"`
	options := `document.querySelectorAll("#f-paper-listbox [role=option]")`
	key("kita")
	waitFor("suggestions for kita", listOpen+` && `+options+`.length === 2`)
	if got := eval(options + `[0].textContent`); !strings.Contains(got, "V0002/26") || !strings.Contains(got, "Sanierung der Kita Nord") {
		t.Errorf("first suggestion %q, want the most recent Kita paper V0002/26", got)
	}
	if vs := runAxe(t, ctx, axe); len(vs) > 0 {
		t.Errorf("picker with suggestions: axe violations:%s", describeViolations(vs))
	}
	key(kb.Escape)
	waitFor("Escape closes the list", `!(`+listOpen+`)`)
	if v := eval(`document.getElementById("f-paper").value`); v != "kita" {
		t.Errorf("after Escape: field %q, want kita", v)
	}
	active := func() string {
		return eval(`(() => { const id = document.getElementById("f-paper").getAttribute("aria-activedescendant");
			const el = id && document.getElementById(id);
			return el && el.getAttribute("aria-selected") === "true" ? el.textContent : ""; })()`)
	}
	key(kb.ArrowDown)
	waitFor("Down opens the list", listOpen)
	if a := active(); !strings.Contains(a, "V0002/26") {
		t.Errorf("Down on the closed list: active %q, want V0002/26", a)
	}
	key(kb.ArrowDown)
	if a := active(); !strings.Contains(a, "V0001/26") {
		t.Errorf("second Down: active %q, want V0001/26", a)
	}
	key(kb.ArrowDown)
	if a := active(); !strings.Contains(a, "V0002/26") {
		t.Errorf("Down past the end: active %q, want V0002/26 (wraps)", a)
	}
	key(kb.ArrowUp)
	key(kb.ArrowUp)
	if a := active(); !strings.Contains(a, "V0002/26") {
		t.Errorf("Up twice: active %q, want V0002/26", a)
	}
	key(kb.Enter)
	waitFor("Enter chooses", `document.getElementById("f-paper").value === "V0002/26" && !(`+listOpen+`)`)
	if id := eval(`document.querySelector("input[name=paper_id]").value`); id != f.kita2.ID.String() {
		t.Errorf("chosen paper id %q, want %s", id, f.kita2.ID)
	}
	if p := pathOf(t, ctx, e.ts.URL); p != f.meetingURL+"/items/paper" {
		t.Fatalf("Enter on a suggestion left the page for %s", p)
	}
	if s := eval(`document.querySelector(".combo-status").textContent`); !strings.Contains(s, "Sanierung der Kita Nord") {
		t.Errorf("status after choosing: %q, want the chosen paper", s)
	}
	eval(`window.__plenarOld = true; ""`)
	key(kb.Enter)
	waitNewDocument(t, ctx, "Enter submits the form")
	if p := pathOf(t, ctx, e.ts.URL); p != f.meetingURL+"?notice=item_saved" {
		t.Errorf("after submitting: at %s, want the meeting", p)
	}
	items, err := e.meetings.AgendaItems(context.Background(), f.meeting.ID)
	if err != nil || len(items) != 1 || items[0].PaperID != f.kita2.ID {
		t.Errorf("agenda after the picker: %+v, %v; want one item for V0002/26", items, err)
	}
}
