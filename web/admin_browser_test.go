package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

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
	host := strings.TrimPrefix(e.ts.URL, "http://")
	host = host[:strings.IndexByte(host, ':')]
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, Domain: host, Path: "/"})
		return err
	})); err != nil {
		t.Fatalf("set session cookie: %v", err)
	}
	check := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	for _, path := range []string{"/admin", "/admin/organizations", "/admin/organizations/" + org.ID.String(),
		"/admin/persons", "/admin/papers", "/admin/papers/" + p.ID.String(), "/admin/papers/" + p.ID.String() + "/edit",
		"/admin/meetings", "/admin/meetings/" + m.ID.String(), "/admin/meetings/" + m.ID.String() + "/edit",
		"/admin/meetings/" + m.ID.String() + "/invite", "/admin/organizations/" + org.ID.String() + "/memberships/new"} {
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
