package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

// trailSecret marks the implementation record of a non-public paper.
const trailSecret = "UMSETZUNG-NOEFF-U4Z"

// trailFixture is newPortalFixture and newPollFixture plus implementation
// records: the paper decided on the poll item (in progress, overdue, with
// a note, a results protocol and two follow-ups, one non-public), the
// public paper (done), the paper decided in a non-public item (not
// implemented) and the non-public paper (its office and note carry
// trailSecret).
type trailFixture struct {
	portalFixture
	polls   pollFixture
	decided council.Paper
	impl    council.Implementation
}

func newTrailFixture(t *testing.T, e *filesEnv) trailFixture {
	t.Helper()
	ctx := context.Background()
	cs, ms := e.council, e.meetings
	f := trailFixture{portalFixture: newPortalFixture(t, e.testEnv)}
	f.polls = newPollFixture(t, e.testEnv, f.portalFixture)
	clerk := must(cs.CreateUser(ctx, council.User{Email: "trail-clerk@plenar.test", Role: council.RoleClerk, PasswordHash: "x"}))(t)
	actor := council.WithActor(ctx, clerk.ID)

	f.decided = must(cs.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Spielplatz am Anger neu gestalten", Type: council.PaperResolution, Public: true}))(t)
	f.decided = must(cs.Submit(ctx, f.decided.ID, time.Now().AddDate(0, -2, 0)))(t)
	must(cs.SaveConsultation(ctx, council.Consultation{PaperID: f.decided.ID, OrganizationID: f.council.ID, AgendaItemID: f.polls.public.ID,
		Role: "Entscheidung", Authoritative: true}))(t)
	if it := must(ms.AgendaItem(ctx, f.polls.public.ID))(t); it.Result == "" {
		it.Result = "angenommen"
		must(ms.SaveAgendaItem(ctx, it))(t)
	}
	e.put(t, "ergebnisprotokoll.pdf", doctest.TextPDF("Ergebnisprotokoll"), true,
		documents.Link{Kind: documents.LinkMeeting, ID: f.polls.meeting.ID, Role: documents.RoleResultsProtocol})

	record := func(p council.Paper, office string, due time.Time, st council.ImplementationStatus, reason, note string) council.Implementation {
		t.Helper()
		im := must(cs.SaveImplementation(actor, council.Implementation{PaperID: p.ID, Office: office, Due: due}, time.Now().AddDate(0, -1, 0)))(t)
		if st != council.ImplOpen {
			im = must(cs.SetImplementationStatus(actor, im.ID, st, reason, time.Now().AddDate(0, 0, -5)))(t)
		}
		if note != "" {
			must(cs.AddImplementationNote(actor, im.ID, council.ImplementationNote{Date: time.Now().AddDate(0, 0, -3), Text: note}))(t)
		}
		return im
	}
	f.impl = record(f.decided, "Grünflächenamt", time.Now().AddDate(0, -1, 0), council.ImplInProgress, "", "Spielgeräte bestellt")
	for _, p := range []council.Paper{f.publicPaper, f.hiddenPaper} {
		if err := cs.LinkFollowUp(actor, f.impl.ID, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	record(f.publicPaper, "Amt für Stadtgrün", time.Now().AddDate(0, 6, 0), council.ImplDone, "", "Bäume gepflanzt")
	record(f.privatePathPaper, "Hauptamt", time.Time{}, council.ImplNotImplemented, "Kein Anbieter hat geboten", "")
	record(f.hiddenPaper, "Amt "+trailSecret, time.Now().AddDate(0, -3, 0), council.ImplInProgress, "", "Notiz "+trailSecret)
	return f
}

// TestPortalTrail: the Beschlusskontrolle lists the public records with
// counts and filters (status, overdue, body, year; bad values 400), in both
// languages, marks the overdue one, and never shows the non-public
// paper's record; the paper page shows the way from the paper through its
// decision, polls and minutes to its implementation; a member of the
// consulting body sees the non-public paper's record on its page.
func TestPortalTrail(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	f := newTrailFixture(t, e)
	c := e.anon()
	hidden := []string{trailSecret, secretPaper, secretMarker, pollQuestionMarker, f.hiddenPaper.Reference}

	list := func(query string, want ...string) string {
		t.Helper()
		status, body := e.get(t, c, "/beschlusskontrolle"+query)
		if status != http.StatusOK {
			t.Fatalf("GET /beschlusskontrolle%s: %d\n%s", query, status, excerpt(body))
		}
		mustContain(t, query, body, want...)
		mustNotContain(t, query, body, hidden...)
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1, want 1", query, n)
		}
		return body
	}
	body := list("", "Beschlusskontrolle", "Spielplatz am Anger neu gestalten", "Grünflächenamt", "Frist überschritten",
		"Mehr Bäume am Marktplatz", "umgesetzt", "Vergabe Reinigungsdienst", "nicht umgesetzt", "Stadtrat Musterstadt",
		`aria-current="page"`, `<span class="count">3</span>`)
	if strings.Count(body, "Frist überschritten") != 1 {
		t.Error("more than the one overdue record marked overdue")
	}
	list("?lang=en", "Decision tracking", "overdue", "in progress")
	done := list("?status=done", "Mehr Bäume am Marktplatz")
	mustNotContain(t, "status=done", done, "Spielplatz am Anger neu gestalten")
	late := list("?status=overdue", "Spielplatz am Anger neu gestalten")
	mustNotContain(t, "status=overdue", late, "Mehr Bäume am Marktplatz", "Vergabe Reinigungsdienst")
	list("?body="+f.council.ID.String()+"&year="+strconv.Itoa(f.polls.meeting.Start.Year()), "Spielplatz am Anger neu gestalten")
	for _, q := range []string{"?status=abandoned", "?body=" + council.NewID().String(), "?body=x", "?year=abc", "?year=99999", "?page=0"} {
		if status, _ := e.get(t, c, "/beschlusskontrolle"+q); status != http.StatusBadRequest {
			t.Errorf("GET /beschlusskontrolle%s: %d, want 400", q, status)
		}
	}
	if _, home := e.get(t, c, "/"); !strings.Contains(home, `href="/beschlusskontrolle"`) {
		t.Error("the navigation does not link the Beschlusskontrolle")
	}

	status, body := e.get(t, c, "/papers/"+f.decided.ID.String())
	if status != http.StatusOK {
		t.Fatalf("paper page: %d", status)
	}
	mustContain(t, "paper trail", body, "Beschlussweg und Umsetzung", "Neugestaltung des Spielplatzes", "Benennung des Spielplatzes",
		"#poll-", "Ergebnisprotokoll", "Sondersitzung mit Abstimmungen", "Grünflächenamt", "Spielgeräte bestellt",
		"Frist überschritten", "in Umsetzung", "Folgevorlagen", "Mehr Bäume am Marktplatz", "Verlauf")
	mustNotContain(t, "paper trail", body, hidden...)
	_, body = e.get(t, c, "/papers/"+f.privatePathPaper.ID.String())
	mustContain(t, "non-public decision", body, "nicht umgesetzt", "Kein Anbieter hat geboten")
	mustNotContain(t, "non-public decision", body, hidden...)
	_, body = e.get(t, c, "/papers/"+f.publicPaper.ID.String()+"?lang=en")
	mustContain(t, "paper trail en", body, "Decision trail and implementation", "done", "Bäume gepflanzt")
	mustNotContain(t, "paper trail en", body, "Frist überschritten", "overdue")
	if status, body := e.get(t, c, "/papers/"+f.hiddenPaper.ID.String()); status != http.StatusNotFound || strings.Contains(body, trailSecret) {
		t.Errorf("non-public paper: %d, want 404 without its record", status)
	}

	member := council.Viewer{UserID: council.NewID(), Role: council.RoleMember, Orgs: map[council.ID]bool{f.council.ID: true}}
	_, body = viewAs(t, e.testEnv, member, "/papers/", f.hiddenPaper.ID)
	mustContain(t, "member's non-public paper", body, "Amt "+trailSecret, "Notiz "+trailSecret)
	_, body = viewAs(t, e.testEnv, member, "/papers/", f.decided.ID)
	mustContain(t, "member's follow-ups", body, f.hiddenPaper.Reference)
}

// TestFeedTrail: the Atom feed of status changes has the public records'
// changes, newest first, with the reason of one not implemented, and
// nothing of the non-public paper's record; ?body= narrows it to one
// body's decisions.
func TestFeedTrail(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	f := newTrailFixture(t, e)
	c := e.anon()
	status, body := e.get(t, c, "/beschlusskontrolle.atom")
	if status != http.StatusOK {
		t.Fatalf("feed: %d\n%s", status, body)
	}
	var feed struct {
		Entries []struct {
			Title   string `xml:"title"`
			Summary string `xml:"summary"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil {
		t.Fatalf("feed is no XML: %v", err)
	}
	// Three public records: created (3) and a status change each (3).
	if len(feed.Entries) != 6 {
		t.Errorf("%d entries, want 6:\n%s", len(feed.Entries), body)
	}
	mustContain(t, "feed", body, "Spielplatz am Anger neu gestalten – in Umsetzung", "Begründung: Kein Anbieter hat geboten",
		"zuständig: Grünflächenamt", "/papers/"+f.decided.ID.String()+"#umsetzung")
	mustNotContain(t, "feed", body, trailSecret, secretPaper, f.hiddenPaper.ID.String())
	for i := 1; i < len(feed.Entries); i++ {
		if feed.Entries[i].Updated > feed.Entries[i-1].Updated {
			t.Errorf("entry %d (%s) is newer than entry %d", i, feed.Entries[i].Updated, i-1)
		}
	}
	_, body = e.get(t, c, "/beschlusskontrolle.atom?body="+f.council.ID.String())
	mustContain(t, "feed of the council", body, "Spielplatz am Anger neu gestalten")
	mustNotContain(t, "feed of the council", body, trailSecret)
	if status, _ := e.get(t, c, "/beschlusskontrolle.atom?body=nonsense"); status != http.StatusBadRequest {
		t.Errorf("?body=nonsense: %d, want 400", status)
	}
	if status, _ := e.get(t, c, "/beschlusskontrolle.atom?body="+council.NewID().String()); status != http.StatusNotFound {
		t.Errorf("?body=<unknown>: %d, want 404", status)
	}
}

// TestAdminTrail edits a paper's implementation record through the back
// office with CSRF: create it, refuse "not implemented" without a reason
// (the form again, with the message), change the status with a reason,
// add and remove a note, link and unlink a follow-up paper by reference.
func TestAdminTrail(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	clerk, user := e.login(t, council.RoleClerk)
	paper := func(name string) council.Paper {
		p := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperResolution, Public: true}))(t)
		return must(e.council.Submit(ctx, p.ID, time.Now()))(t)
	}
	p, follow := paper("Sanierung Rathausdach"), paper("Bericht Rathausdach")
	draft := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Entwurf", Type: council.PaperMotion}))(t)
	base := "/admin/papers/" + p.ID.String()

	_, body := e.get(t, clerk, base)
	mustContain(t, "paper page without record", body, "Umsetzung (Beschlusskontrolle)", "Umsetzung erfassen")
	status, _, body := e.adminPost(t, clerk, base+"/implementation", url.Values{"office": {"Hochbauamt"}, "due": {"morgen"}, "status": {"open"}})
	if status != http.StatusBadRequest {
		t.Fatalf("bad due date: %d, want 400", status)
	}
	mustContain(t, "bad due date", body, `value="Hochbauamt"`, `href="#f-due"`)
	status, _, body = e.adminPost(t, clerk, base+"/implementation", url.Values{"office": {"Hochbauamt"}, "status": {"not_implemented"}})
	if status != http.StatusBadRequest {
		t.Fatalf("not implemented without reason: %d, want 400", status)
	}
	mustContain(t, "not implemented without reason", body, "Bitte geben Sie an, warum der Beschluss nicht umgesetzt wird.", `href="#f-reason"`)
	// The notice goes in the query, before the fragment (a browser would
	// take a query after "#" for part of the fragment).
	status, loc, _ := e.adminPost(t, clerk, base+"/implementation", url.Values{"office": {"Hochbauamt"}, "due": {"2027-03-31"}, "status": {"open"}})
	if want := base + "?notice=impl_saved#implementation"; status != http.StatusSeeOther || loc != want {
		t.Fatalf("create: %d to %q, want 303 to %q", status, loc, want)
	}
	im := must(e.council.ImplementationOfPaper(ctx, p.ID))(t)
	if im.Office != "Hochbauamt" || im.Status != council.ImplOpen || im.Due.Format(time.DateOnly) != "2027-03-31" || im.Events[0].ActorID != user.ID {
		t.Fatalf("created %+v", im)
	}
	e.mustRedirect(t, clerk, base+"/implementation", url.Values{"office": {"Hochbauamt, Abteilung Dach"}, "due": {"30.4.2027"}}, base)

	status, _, body = e.adminPost(t, clerk, base+"/implementation/status", url.Values{"status": {"not_implemented"}, "reason": {" "}})
	if status != http.StatusBadRequest {
		t.Fatalf("status without reason: %d, want 400", status)
	}
	mustContain(t, "status without reason", body, "Bitte geben Sie an, warum")
	e.mustRedirect(t, clerk, base+"/implementation/status", url.Values{"status": {"not_implemented"}, "reason": {"Keine Fördermittel"}}, base)
	e.mustRedirect(t, clerk, base+"/implementation/status", url.Values{"status": {"in_progress"}}, base)
	if status, _, _ := e.adminPost(t, clerk, base+"/implementation/status", url.Values{"status": {"abandoned"}}); status != http.StatusBadRequest {
		t.Errorf("unknown status: %d, want 400", status)
	}

	if status, _, _ := e.adminPost(t, clerk, base+"/implementation/notes", url.Values{"date": {"gestern"}, "text": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("note with a bad date: %d, want 400", status)
	}
	e.mustRedirect(t, clerk, base+"/implementation/notes", url.Values{"date": {"2026-11-02"}, "text": {"Gerüst steht"}}, base)
	e.mustRedirect(t, clerk, base+"/implementation/follow-ups", url.Values{"references": {follow.Reference}}, base)
	if status, _, _ := e.adminPost(t, clerk, base+"/implementation/follow-ups", url.Values{"references": {"X9999/99"}}); status != http.StatusBadRequest {
		t.Errorf("unknown follow-up reference: %d, want 400", status)
	}
	_, body = e.get(t, clerk, base+"?notice=impl_saved")
	mustContain(t, "paper page with record", body, "Hochbauamt, Abteilung Dach", "30.04.2027", "in Umsetzung", "Gerüst steht",
		follow.Reference, "Keine Fördermittel", "Umsetzung gespeichert.")

	im = must(e.council.ImplementationOfPaper(ctx, p.ID))(t)
	if len(im.Notes) != 1 || len(im.FollowUps) != 1 || len(im.Events) != 3 || im.Reason != "" {
		t.Fatalf("after the edits: %+v", im)
	}
	e.mustRedirect(t, clerk, base+"/implementation/notes/"+im.Notes[0].ID.String()+"/delete", nil, base)
	e.mustRedirect(t, clerk, base+"/implementation/follow-ups/"+follow.ID.String()+"/delete", nil, base)
	im = must(e.council.ImplementationOfPaper(ctx, p.ID))(t)
	if len(im.Notes) != 0 || len(im.FollowUps) != 0 {
		t.Errorf("after removing: %+v", im)
	}

	// Without the CSRF token nothing changes; a draft gets no record.
	resp, err := clerk.PostForm(e.ts.URL+base+"/implementation/status", url.Values{"status": {"done"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d, want 403", resp.StatusCode)
	}
	status, _, _ = e.adminPost(t, clerk, "/admin/papers/"+draft.ID.String()+"/implementation", url.Values{"status": {"open"}})
	if status != http.StatusConflict {
		t.Errorf("record for a draft: %d, want 409", status)
	}
	if status, _ := e.get(t, clerk, "/admin/papers/"+draft.ID.String()+"/implementation/status"); status != http.StatusNotFound {
		t.Errorf("status form without a record: %d, want 404", status)
	}
}
