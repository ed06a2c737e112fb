package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/portal"
	"github.com/plenar/plenar/web/site"
)

// Markers that must never reach the public: they sit in the name, result
// and resolution text of non-public agenda items and in a non-public paper.
const (
	secretMarker = "GEHEIM-X7Q"
	secretPaper  = "VERTRAULICH-P9Z"
	memberEmail  = "erika.privat@example.org"
	memberPhone  = "+49 391 555 0199"
	plannedItem  = "ENTWURF-TOP-K3"
)

// portalFixture is a small municipality built through the real stores.
type portalFixture struct {
	council, committee, group council.Organization
	person                    council.Person
	publicPaper, hiddenPaper  council.Paper
	privatePathPaper          council.Paper
	invited, planned, past    meetings.Meeting
	cancelled                 meetings.Meeting
}

// must checks a store call while building fixtures: must(store.Save(…))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
		return v
	}
}

func newPortalFixture(t *testing.T, e *testEnv) portalFixture {
	t.Helper()
	ctx := context.Background()
	cs, ms, body := e.council, e.meetings, e.body.ID
	var f portalFixture
	f.council = must(cs.SaveOrganization(ctx, council.Organization{BodyID: body, Name: "Stadtrat Musterstadt", Kind: council.KindCouncil}))(t)
	f.committee = must(cs.SaveOrganization(ctx, council.Organization{BodyID: body, Name: "Bauausschuss", Kind: council.KindCommittee}))(t)
	f.group = must(cs.SaveOrganization(ctx, council.Organization{BodyID: body, Name: "Fraktion Grüne Mitte", ShortName: "GM", Kind: council.KindPartyGroup}))(t)
	loc := must(cs.SaveLocation(ctx, council.Location{BodyID: body, Description: "Rathaus", Room: "Ratssaal", Locality: "Musterstadt"}))(t)
	f.person = must(cs.SavePerson(ctx, council.Person{BodyID: body, GivenName: "Erika", FamilyName: "Mustermann",
		Email: memberEmail, Phone: memberPhone}))(t)
	must(cs.SaveMembership(ctx, council.Membership{PersonID: f.person.ID, OrganizationID: f.council.ID, Role: "Vorsitzende",
		VotingRight: true, OnBehalfOfID: f.group.ID, Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}))(t)
	must(cs.SaveMembership(ctx, council.Membership{PersonID: f.person.ID, OrganizationID: f.group.ID, Role: "Mitglied", VotingRight: true}))(t)
	must(cs.SaveMembership(ctx, council.Membership{PersonID: f.person.ID, OrganizationID: f.committee.ID, Role: "Mitglied",
		Start: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC)}))(t)

	now := time.Now()
	paper := func(name string, public bool) council.Paper {
		p := must(cs.SavePaper(ctx, council.Paper{BodyID: body, Name: name, Type: council.PaperMotion, Public: public,
			Text: "Der Rat möge beschließen.", Originators: []council.Originator{{PersonID: f.person.ID}, {OrganizationID: f.group.ID}}}))(t)
		p = must(cs.Submit(ctx, p.ID, now))(t)
		must(cs.SaveConsultation(ctx, council.Consultation{PaperID: p.ID, OrganizationID: f.council.ID, Role: "Abschließende Beratung", Authoritative: true}))(t)
		return p
	}
	f.publicPaper = paper("Mehr Bäume am Marktplatz", true)
	f.hiddenPaper = paper("Grundstück "+secretPaper, false)
	f.privatePathPaper = paper("Vergabe Reinigungsdienst", true)
	must(cs.SavePaper(ctx, council.Paper{BodyID: body, Name: "Entwurf " + secretPaper, Type: council.PaperMotion, Public: true}))(t)

	meeting := func(name string, start time.Time) meetings.Meeting {
		return must(ms.SaveMeeting(ctx, meetings.Meeting{BodyID: body, Name: name, Start: start, End: start.Add(2 * time.Hour),
			LocationID: loc.ID, Organizations: []council.ID{f.council.ID}}))(t)
	}
	f.invited = meeting("12. Sitzung des Stadtrates", now.Add(7*24*time.Hour))
	it := must(ms.AddPaper(ctx, f.invited.ID, f.publicPaper.ID, f.council.ID, true))(t)
	it.Result = "einstimmig beschlossen"
	must(ms.SaveAgendaItem(ctx, it))(t)
	must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.invited.ID, Name: "Personalsache " + secretMarker,
		Public: false, Result: "abgelehnt " + secretMarker, ResolutionText: "Beschluss " + secretMarker}))(t)
	must(ms.AddPaper(ctx, f.invited.ID, f.hiddenPaper.ID, f.council.ID, false))(t)
	it = must(ms.AddPaper(ctx, f.invited.ID, f.privatePathPaper.ID, f.council.ID, false))(t)
	it.Name, it.Result, it.ResolutionText = "Vergabe an Firma "+secretMarker, "Zuschlag "+secretMarker, "Text "+secretMarker
	must(ms.SaveAgendaItem(ctx, it))(t)
	f.invited = must(ms.Invite(ctx, f.invited.ID, now))(t)

	f.planned = meeting("13. Sitzung des Stadtrates", now.Add(30*24*time.Hour))
	must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.planned.ID, Name: plannedItem, Public: true}))(t)

	f.past = meeting("11. Sitzung des Stadtrates", now.Add(-7*24*time.Hour))
	must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.past.ID, Name: "Haushaltssatzung 2026", Public: true, Result: "mehrheitlich beschlossen"}))(t)
	must(ms.Invite(ctx, f.past.ID, now.Add(-14*24*time.Hour)))(t)
	f.past = must(ms.SetState(ctx, f.past.ID, meetings.Closed))(t)

	f.cancelled = meeting("Sondersitzung des Stadtrates", now.Add(3*24*time.Hour))
	must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.cancelled.ID, Name: "Einziger Punkt", Public: true}))(t)
	f.cancelled = must(ms.Cancel(ctx, f.cancelled.ID))(t)
	return f
}

func TestPortalPagesRender(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	c := e.anon()
	month := f.invited.Start.In(site.Berlin).Format("2006-01")
	pages := []struct {
		path string
		de   []string
		en   []string
	}{
		{"/", []string{"Nächste Sitzungen", "12. Sitzung des Stadtrates", "abgesagt", "Neueste Beschlüsse", "einstimmig beschlossen"},
			[]string{"Next meetings", "cancelled", "Latest decisions"}},
		{"/meetings", []string{"Kommende Sitzungen", "12. Sitzung des Stadtrates", "Rathaus, Ratssaal"}, []string{"Upcoming meetings"}},
		{"/meetings?year=" + month[:4], []string{"Sitzungen im Jahr"}, []string{"Meetings in"}},
		{"/meetings?from=2020-01-01&to=2099-12-31&body=" + f.council.ID.String(), []string{"11. Sitzung des Stadtrates", "Gremium: Stadtrat Musterstadt"}, []string{"Body: Stadtrat"}},
		{"/meetings/month", []string{"<caption>", `scope="col"`, "Montag", "Vorheriger Monat"}, []string{"Monday", "Previous month"}},
		{"/meetings/month?m=" + month, []string{"12. Sitzung des Stadtrates", "Sitzungen nach Tag"}, []string{"Meetings by day"}},
		{"/meetings/" + f.invited.ID.String(), []string{"Tagesordnung", "Mehr Bäume am Marktplatz", "einstimmig beschlossen", "Eingeladen", "Ö 1", "N 1"},
			[]string{"Agenda", "Invited", "Non-public agenda item"}},
		{"/meetings/" + f.past.ID.String(), []string{"Beendet", "Haushaltssatzung 2026"}, []string{"Closed"}},
		{"/meetings/" + f.cancelled.ID.String(), []string{"abgesagt"}, []string{"cancelled"}},
		{"/bodies", []string{"Gremien", "Rat", "Ausschüsse", "Fraktionen", "Stadtrat Musterstadt", "1 Mitglieder"}, []string{"Committees", "Party groups", "1 members"}},
		{"/bodies/" + f.council.ID.String(), []string{"Erika Mustermann", "Vorsitzende", "GM", "Kommende Sitzungen", "12. Sitzung", "11. Sitzung"},
			[]string{"Current members of", "Upcoming meetings", "Recent meetings"}},
		{"/bodies/" + f.group.ID.String(), []string{"Fraktion Grüne Mitte", "Erika Mustermann"}, []string{"Party group"}},
		{"/persons/" + f.person.ID.String(), []string{"Erika Mustermann", "Aktuelle Mitgliedschaften", "Stadtrat Musterstadt", "Frühere Mitgliedschaften", "Bauausschuss", "01.06.2024"},
			[]string{"Current memberships", "Past memberships", "1 Jun 2024"}},
		{"/papers", []string{"Mehr Bäume am Marktplatz", "Antrag", "In Beratung", "<caption>"}, []string{"Motion", "In consultation"}},
		{"/papers?type=motion&page=1", []string{"Mehr Bäume am Marktplatz"}, []string{"Motion"}},
		{"/papers/" + f.publicPaper.ID.String(), []string{"Mehr Bäume am Marktplatz", f.publicPaper.Reference, "Beratungsfolge", "Stadtrat Musterstadt",
			"entscheidet", "einstimmig beschlossen", "Erika Mustermann", "Fraktion Grüne Mitte", "Verlauf", "Eingereicht", "Der Rat möge beschließen."},
			[]string{"Consultation path", "decides", "Timeline"}},
	}
	for _, p := range pages {
		for _, lang := range []string{"de", "en"} {
			path, wants := p.path, p.de
			if lang == "en" {
				wants = p.en
				if strings.Contains(path, "?") {
					path += "&lang=en"
				} else {
					path += "?lang=en"
				}
			}
			t.Run(path, func(t *testing.T) {
				status, body := e.get(t, c, path)
				if status != http.StatusOK {
					t.Fatalf("GET %s: status %d, want 200\n%s", path, status, body)
				}
				mustContain(t, path, body, append(wants, `<html lang="`+lang+`"`)...)
				mustNotContain(t, path, body, secretMarker, secretPaper, plannedItem, memberEmail, memberPhone, "mailto:", "tel:")
				if n := strings.Count(body, "<h1"); n != 1 {
					t.Errorf("GET %s: %d h1 elements, want 1", path, n)
				}
			})
		}
	}
}

func TestPortalNonPublicHidden(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	c := e.anon()

	_, body := e.get(t, c, "/meetings/"+f.invited.ID.String())
	mustContain(t, "meeting page", body, "Nichtöffentlicher Tagesordnungspunkt", "N 1", "N 2", "N 3")
	mustNotContain(t, "meeting page", body, secretMarker, secretPaper, f.hiddenPaper.Reference, f.hiddenPaper.ID.String(),
		f.privatePathPaper.Reference, "nichtöffentlich</span>")

	_, body = e.get(t, c, "/papers/"+f.privatePathPaper.ID.String())
	mustContain(t, "paper with a non-public step", body, "nichtöffentlich beraten", "Stadtrat Musterstadt")
	mustNotContain(t, "paper with a non-public step", body, secretMarker, "N 3", f.invited.ID.String())

	_, body = e.get(t, c, "/papers/"+f.publicPaper.ID.String())
	mustContain(t, "public paper timeline", body, "Eingereicht")
	mustNotContain(t, "public paper timeline", body, "Entwurf")

	for _, path := range []string{"/", "/bodies/" + f.council.ID.String(), "/papers", "/meetings", "/persons/" + f.person.ID.String()} {
		_, body := e.get(t, c, path)
		mustNotContain(t, path, body, secretMarker, secretPaper, f.hiddenPaper.Reference)
	}

	_, body = e.get(t, c, "/meetings/"+f.planned.ID.String())
	mustContain(t, "planned meeting", body, "Die Tagesordnung wird mit der Einladung veröffentlicht.")
	mustNotContain(t, "planned meeting", body, plannedItem)

	hidden, hiddenBody := e.get(t, c, "/papers/"+f.hiddenPaper.ID.String())
	if hidden != http.StatusNotFound {
		t.Errorf("non-public paper for the public: status %d, want 404", hidden)
	}
	mustNotContain(t, "non-public paper 404", hiddenBody, secretPaper, f.hiddenPaper.Reference)
	unknown, unknownBody := e.get(t, c, "/papers/"+council.NewID().String())
	if unknown != http.StatusNotFound {
		t.Errorf("unknown paper: status %d, want 404", unknown)
	}
	// The two 404 pages differ only in the id they name.
	if a, b := strings.ReplaceAll(hiddenBody, f.hiddenPaper.ID.String(), "ID"), strings.ReplaceAll(unknownBody, unknownBody[strings.Index(unknownBody, "paper ")+6:strings.Index(unknownBody, "paper ")+42], "ID"); a != b {
		t.Errorf("404 for a hidden paper differs from 404 for an unknown one:\n%s\n----\n%s", a, b)
	}
}

// viewAs gets path+id from the portal's routes (package web/portal) for
// viewer v, bypassing the session middleware (owned by auth.go), and
// returns status and body.
func viewAs(t *testing.T, e *testEnv, v council.Viewer, path string, id council.ID) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path+id.String(), nil)
	ctx := context.WithValue(req.Context(), stateKey{}, &requestState{lang: "de", viewer: v, userName: "Test"})
	r := chi.NewRouter()
	portal.Routes(r, e.srv.portalDeps())
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req.WithContext(ctx))
	return rec.Code, rec.Body.String()
}

func TestPortalMembersAndStaff(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	member := council.Viewer{UserID: council.NewID(), Role: council.RoleMember, Orgs: map[council.ID]bool{f.council.ID: true}}
	outsider := council.Viewer{UserID: council.NewID(), Role: council.RoleMember, Orgs: map[council.ID]bool{f.committee.ID: true}}
	clerk := council.Viewer{UserID: council.NewID(), Role: council.RoleClerk}

	status, body := viewAs(t, e, member, "/meetings/", f.invited.ID)
	if status != http.StatusOK {
		t.Fatalf("member meeting page: status %d", status)
	}
	mustContain(t, "member meeting page", body, "Personalsache "+secretMarker, `<span class="badge nonpublic">nichtöffentlich</span>`, f.hiddenPaper.Reference)

	_, body = viewAs(t, e, outsider, "/meetings/", f.invited.ID)
	mustNotContain(t, "outsider meeting page", body, secretMarker, secretPaper)
	mustContain(t, "outsider meeting page", body, "Nichtöffentlicher Tagesordnungspunkt")

	for _, tc := range []struct {
		name   string
		v      council.Viewer
		status int
	}{{"member", member, 200}, {"outsider", outsider, 404}, {"clerk", clerk, 200}} {
		status, body := viewAs(t, e, tc.v, "/papers/", f.hiddenPaper.ID)
		if status != tc.status {
			t.Errorf("non-public paper for %s: status %d, want %d", tc.name, status, tc.status)
		}
		if status == 200 {
			mustContain(t, tc.name, body, secretPaper, "nichtöffentlich")
		}
	}
	_, body = viewAs(t, e, member, "/papers/", f.privatePathPaper.ID)
	mustContain(t, "member paper path", body, "N 3", "Zuschlag "+secretMarker)

	_, body = viewAs(t, e, clerk, "/meetings/", f.planned.ID)
	mustContain(t, "clerk planned meeting", body, plannedItem)
}

func TestPortalErrors(t *testing.T) {
	e := newTestEnv(t)
	c := e.anon()
	unknown := council.NewID().String()
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/meetings/42", 400, "malformed id"},
		{"/bodies/not-an-id", 400, "malformed id"},
		{"/persons/xyz", 400, "malformed id"},
		{"/papers/1234", 400, "malformed id"},
		{"/meetings/" + unknown, 404, ""},
		{"/bodies/" + unknown, 404, ""},
		{"/persons/" + unknown, 404, ""},
		{"/papers/" + unknown, 404, ""},
		{"/meetings/month?m=garbage", 400, "m must be a month like 2026-11"},
		{"/meetings/month?m=2026-13", 400, "m must be a month"},
		{"/meetings?page=-1", 400, "page must be"},
		{"/meetings?from=2026-02-30", 400, "from must be a date"},
		{"/meetings?from=2026-05-01&to=2026-04-01", 400, "lies before"},
		{"/meetings?year=abc", 400, "year must be"},
		{"/meetings?body=nope", 400, "malformed id"},
		{"/papers?page=0", 400, "page must be"},
		{"/papers?type=bogus", 400, "type must be"},
	} {
		status, body := e.get(t, c, tc.path)
		if status != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, status, tc.status)
		}
		mustContain(t, tc.path, body, tc.want)
		mustNotContain(t, tc.path, body, "no rows in result set")
	}
}

func TestPortalStaffSession(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	c, _ := e.login(t, council.RoleClerk)
	status, body := e.get(t, c, "/papers/"+f.hiddenPaper.ID.String())
	if status != http.StatusOK {
		t.Fatalf("clerk, non-public paper: status %d, want 200", status)
	}
	mustContain(t, "clerk paper page", body, secretPaper)
	_, body = e.get(t, c, "/papers")
	mustContain(t, "clerk papers list", body, secretPaper, `<span class="badge nonpublic">`)
	_, body = e.get(t, c, "/meetings/"+f.invited.ID.String())
	mustContain(t, "clerk meeting page", body, "Personalsache "+secretMarker, "Beschluss "+secretMarker)
}
