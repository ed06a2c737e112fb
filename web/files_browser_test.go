package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
)

// TestFilesBrowserAxe runs axe-core on the public meeting and paper pages
// with their file lists and on the back office's files page (versions, a
// failed extraction, the edit and new-version forms opened).
func TestFilesBrowserAxe(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newFilesEnv(t, 0)
	bg := context.Background()
	org, err := e.council.SaveOrganization(bg, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.meetings.SaveMeeting(bg, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 1. Sitzung",
		Start: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	it, err := e.meetings.SaveAgendaItem(bg, meetings.AgendaItem{MeetingID: m.ID, Name: "Radweg", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.Invite(bg, m.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	paper := documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID, Role: documents.RoleMain}
	old := e.putNamed(t, "Antragstext", "antrag.pdf", true, paper)
	v2, err := e.docs.Upload(bg, strings.NewReader(string(doctest.TextPDF("Fassung 2"))),
		documents.File{Name: "Antragstext", FileName: "antrag-2.pdf", Public: true, MasterID: old.ID}, []documents.Link{paper})
	if err != nil {
		t.Fatal(err)
	}
	e.putNamed(t, "Interne Notiz", "notiz.pdf", false, documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID})
	e.putNamed(t, "Einladung", "einladung.pdf", true, documents.Link{Kind: documents.LinkMeeting, ID: m.ID, Role: documents.RoleInvitation})
	e.putNamed(t, "Lageplan", "lageplan.pdf", true, documents.Link{Kind: documents.LinkAgendaItem, ID: it.ID})
	if _, err := e.srv.pool.Exec(bg, `UPDATE file_text_jobs SET status = 'failed', last_error = 'pdftotext: exit status 1' WHERE file_id = $1`, v2.ID); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	for _, path := range []string{"/meetings/" + m.ID.String(), "/papers/" + e.paper.ID.String()} {
		navigate(t, ctx, e.ts.URL+path)
		check("public " + path)
	}

	clerk, _ := e.login(t, council.RoleClerk)
	ck := e.sessionCookie(clerk)
	setBrowserCookie(t, ctx, e.ts.URL, ck)
	for _, path := range []string{"/admin/files/paper/" + e.paper.ID.String(), "/admin/files/meeting/" + m.ID.String(),
		"/admin/files/agenda_item/" + it.ID.String()} {
		navigate(t, ctx, e.ts.URL+path)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`document.querySelectorAll("details").forEach(d => d.open = true); true`)); err != nil {
			t.Fatal(err)
		}
		check(path)
	}
	navigate(t, ctx, e.ts.URL+"/admin/files/paper/"+e.paper.ID.String())
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Texterkennung fehlgeschlagen", "Erneut versuchen", "Durch neuere Fassung ersetzt"} {
		if !strings.Contains(text, want) {
			t.Errorf("files page lacks %q", want)
		}
	}
}
