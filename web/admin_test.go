package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// post posts form with c and returns status, Location and body.
func (e *testEnv) adminPost(t *testing.T, c *http.Client, path string, form url.Values) (int, string, string) {
	t.Helper()
	resp := e.postForm(t, c, path, form)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read: %v", path, err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// mustRedirect posts form and fails unless the answer is 303 to a path
// starting with prefix; it returns the id that follows prefix.
func (e *testEnv) mustRedirect(t *testing.T, c *http.Client, path string, form url.Values, prefix string) string {
	t.Helper()
	status, loc, body := e.adminPost(t, c, path, form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("POST %s %v: got %d %q, want 303 to %s…\n%s", path, form, status, loc, prefix, excerpt(body))
	}
	rest := strings.TrimPrefix(loc, prefix)
	if i := strings.IndexAny(rest, "?/#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

func TestAdminAccess(t *testing.T) {
	e := newTestEnv(t)
	resp, err := e.anon().Get(e.ts.URL + "/admin/papers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("anonymous GET /admin/papers: got %d %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	member, _ := e.login(t, council.RoleMember)
	if status, _ := e.get(t, member, "/admin"); status != http.StatusForbidden {
		t.Errorf("member GET /admin: got %d, want 403", status)
	}
	if status, _, _ := e.adminPost(t, member, "/admin/organizations", url.Values{"name": {"X"}, "kind": {"council"}}); status != http.StatusForbidden {
		t.Errorf("member POST /admin/organizations: got %d, want 403", status)
	}
	clerk, _ := e.login(t, council.RoleClerk)
	for path, want := range map[string]int{
		"/admin":                  http.StatusOK,
		"/admin/organizations/x1": http.StatusBadRequest,
		"/admin/organizations/" + council.NewID().String(): http.StatusNotFound,
		"/admin/papers/" + council.NewID().String():        http.StatusNotFound,
		"/admin/meetings/not-an-id":                        http.StatusBadRequest,
		"/admin/papers?status=bogus":                       http.StatusBadRequest,
	} {
		if status, _ := e.get(t, clerk, path); status != want {
			t.Errorf("clerk GET %s: got %d, want %d", path, status, want)
		}
	}
}

func TestAdminOrganizationFormKeepsInput(t *testing.T) {
	e := newTestEnv(t)
	clerk, _ := e.login(t, council.RoleClerk)
	tests := []struct {
		name   string
		form   url.Values
		field  string
		msg    string
		values []string
	}{
		{"empty name", url.Values{"name": {" "}, "short_name": {"HFA"}, "kind": {"committee"}, "statutory_seats": {"11"},
			"website": {"https://example.org/hfa"}, "start": {"2026-05-01"}},
			"name", "Bitte ausfüllen.", []string{`value="HFA"`, `value="11"`, `value="https://example.org/hfa"`, `value="2026-05-01"`,
				`<option value="committee" selected>`}},
		{"unknown kind", url.Values{"name": {"Bauausschuss"}, "kind": {"guild"}},
			"kind", "Bitte wählen Sie einen der angebotenen Werte.", []string{`value="Bauausschuss"`}},
		{"bad date", url.Values{"name": {"Bauausschuss"}, "kind": {"committee"}, "start": {"31.02.2026"}},
			"start", "gültiges Datum", []string{`value="Bauausschuss"`, `value="31.02.2026"`}},
		{"bad number", url.Values{"name": {"Bauausschuss"}, "kind": {"committee"}, "statutory_seats": {"elf"}},
			"statutory_seats", "ganze Zahl", []string{`value="elf"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := e.adminPost(t, clerk, "/admin/organizations", tt.form)
			if status != http.StatusBadRequest {
				t.Fatalf("POST %v: got %d, want 400", tt.form, status)
			}
			mustContain(t, tt.name, body, tt.msg, `href="#f-`+tt.field+`"`, `id="f-`+tt.field+`-err"`,
				`aria-invalid="true"`, `aria-describedby="`)
			mustContain(t, tt.name, body, tt.values...)
		})
	}
	if orgs, err := e.council.Organizations(context.Background(), e.body.ID); err != nil || len(orgs) != 0 {
		t.Errorf("after invalid forms: %d organizations (err %v), want 0", len(orgs), err)
	}
}

func TestAdminFlow(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	clerk, user := e.login(t, council.RoleClerk)

	// Organizations, person, membership.
	council1 := e.mustRedirect(t, clerk, "/admin/organizations", url.Values{"name": {"Stadtrat"}, "short_name": {"SR"},
		"kind": {"council"}, "statutory_seats": {"3"}}, "/admin/organizations/")
	_, body := e.get(t, clerk, "/admin/organizations/"+council1+"?notice=saved")
	mustContain(t, "org page", body, "Stadtrat", "Gespeichert.")
	group := e.mustRedirect(t, clerk, "/admin/organizations", url.Values{"name": {"Fraktion Grün"}, "kind": {"party_group"}},
		"/admin/organizations/")
	e.mustRedirect(t, clerk, "/admin/persons", url.Values{"given_name": {"Erika"}, "family_name": {"Mustermann"},
		"email": {"erika@example.org"}, "phone": {"0123 456"}}, "/admin/persons")
	persons, err := e.council.Persons(ctx, e.body.ID)
	if err != nil || len(persons) != 1 {
		t.Fatalf("persons: %v, %v", persons, err)
	}
	person := persons[0].ID.String()
	_, body = e.get(t, clerk, "/admin/persons?q=erika")
	mustContain(t, "person search", body, "Mustermann, Erika", "erika@example.org")
	_, body = e.get(t, clerk, "/admin/persons?q=zzz")
	mustNotContain(t, "person search miss", body, "Mustermann, Erika")
	e.mustRedirect(t, clerk, "/admin/organizations/"+council1+"/memberships", url.Values{"person": {person}, "role": {"Mitglied"},
		"voting_right": {"1"}, "on_behalf_of": {group}, "start": {"2026-01-01"}}, "/admin/organizations/"+council1)
	seats, err := e.council.Members(ctx, mustID(t, council1), time.Time{})
	if err != nil || len(seats) != 1 || !seats[0].VotingRight || seats[0].OnBehalfName != "Fraktion Grün" {
		t.Fatalf("members after add: %+v, %v", seats, err)
	}

	// Paper: invalid type keeps the title; then create and submit.
	status, _, body := e.adminPost(t, clerk, "/admin/papers", url.Values{"name": {"Neubau Kita Sonnenschein"}, "type": {"memo"}})
	if status != http.StatusBadRequest {
		t.Fatalf("paper with unknown type: got %d, want 400", status)
	}
	mustContain(t, "paper form", body, `value="Neubau Kita Sonnenschein"`, `href="#f-type"`)
	paper := e.mustRedirect(t, clerk, "/admin/papers", url.Values{"name": {"Neubau Kita Sonnenschein"}, "type": {"resolution"},
		"public": {"1"}, "text": {"Der Rat beschließt …"}, "originator_persons": {person}}, "/admin/papers/")
	e.mustRedirect(t, clerk, "/admin/papers/"+paper+"/consultations", url.Values{"organization": {council1},
		"role": {"Entscheidung"}, "authoritative": {"1"}}, "/admin/papers/"+paper)
	e.mustRedirect(t, clerk, "/admin/papers/"+paper+"/submit", nil, "/admin/papers/"+paper)
	p, err := e.council.Paper(ctx, mustID(t, paper))
	if err != nil || p.Reference == "" || p.Status != council.StatusSubmitted {
		t.Fatalf("paper after submit: %+v, %v", p, err)
	}
	_, body = e.get(t, clerk, "/admin/papers/"+paper)
	mustContain(t, "paper page", body, p.Reference, "Mustermann", "Entscheidung")

	// Meeting: a bad start is a field error; an empty name takes the suggestion.
	status, _, body = e.adminPost(t, clerk, "/admin/meetings", url.Values{"organizations": {council1}, "start": {"morgen"}})
	if status != http.StatusBadRequest {
		t.Fatalf("meeting with bad start: got %d, want 400", status)
	}
	mustContain(t, "meeting form", body, `value="morgen"`, `href="#f-start"`)
	meeting := e.mustRedirect(t, clerk, "/admin/meetings", url.Values{"organizations": {council1}, "start": {"2026-12-01T17:00"},
		"location_description": {"Rathaus"}, "location_room": {"Ratssaal"}}, "/admin/meetings/")
	m, err := e.meetings.Meeting(ctx, mustID(t, meeting))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Stadtrat – 1. Sitzung"; m.Name != want {
		t.Errorf("meeting name: got %q, want %q", m.Name, want)
	}
	if got := m.Start.In(site.Berlin).Format("2006-01-02 15:04"); got != "2026-12-01 17:00" {
		t.Errorf("meeting start in Berlin: got %s", got)
	}
	if m.LocationID == council.NilID {
		t.Errorf("meeting has no location")
	}

	// Invite refuses an empty agenda with a clear message.
	status, _, body = e.adminPost(t, clerk, "/admin/meetings/"+meeting+"/invite", nil)
	if status != http.StatusConflict {
		t.Errorf("invite with empty agenda: got %d, want 409", status)
	}
	mustContain(t, "invite refused", body, "die Tagesordnung ist leer")

	// Agenda: public item, non-public item, paper item; move the paper up.
	mu := "/admin/meetings/" + meeting
	e.mustRedirect(t, clerk, mu+"/items", url.Values{"name": {"Eröffnung und Begrüßung"}, "public": {"1"}}, mu)
	e.mustRedirect(t, clerk, mu+"/items", url.Values{"name": {"Personalangelegenheit Amtsleitung"}}, mu)
	status, _, body = e.adminPost(t, clerk, mu+"/items", url.Values{"name": {""}, "public": {"1"}})
	if status != http.StatusBadRequest {
		t.Errorf("empty item title: got %d, want 400", status)
	}
	mustContain(t, "item form", body, `href="#f-name"`, `name="public" value="1" checked`)
	e.mustRedirect(t, clerk, mu+"/items/paper", url.Values{"paper": {paper}, "organization": {council1}, "visibility": {"paper"}}, mu)
	items, err := e.meetings.AgendaItems(ctx, m.ID)
	if err != nil || len(items) != 3 {
		t.Fatalf("agenda: %+v, %v", items, err)
	}
	e.mustRedirect(t, clerk, mu+"/items/"+items[2].ID.String()+"/move", url.Values{"dir": {"up"}}, mu)
	items, err = e.meetings.AgendaItems(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Number+" "+it.Name)
	}
	want := []string{"Ö 1 Eröffnung und Begrüßung", "Ö 2 Neubau Kita Sonnenschein", "N 1 Personalangelegenheit Amtsleitung"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("agenda after move:\n got %q\nwant %q", got, want)
	}
	if status, _, _ := e.adminPost(t, clerk, mu+"/items/"+items[0].ID.String()+"/move", url.Values{"dir": {"sideways"}}); status != http.StatusBadRequest {
		t.Errorf("move sideways: got %d, want 400", status)
	}

	// Invite: confirmation page, then the public page shows the agenda.
	_, body = e.get(t, clerk, mu+"/invite")
	mustContain(t, "invite confirmation", body, "Einladung veröffentlichen", `action="`+mu+`/invite"`)
	e.mustRedirect(t, clerk, mu+"/invite", nil, mu)
	if m, err = e.meetings.Meeting(ctx, m.ID); err != nil || m.State != meetings.Invited {
		t.Fatalf("meeting after invite: state %s, %v", m.State, err)
	}
	status, body = e.get(t, e.anon(), "/meetings/"+meeting)
	if status != http.StatusOK {
		t.Fatalf("public meeting page: %d", status)
	}
	mustContain(t, "public meeting page", body, "Eröffnung und Begrüßung", "Neubau Kita Sonnenschein", "Nichtöffentlicher Tagesordnungspunkt")
	mustNotContain(t, "public meeting page", body, "Personalangelegenheit")
	// The stable link of the members' invitation mail leads to the
	// published invitation PDF.
	if resp, err := e.anon().Get(e.ts.URL + "/meetings/" + meeting + "/invitation.pdf"); err != nil {
		t.Errorf("invitation PDF link: %v", err)
	} else {
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/files/") {
			t.Errorf("invitation PDF link: %d to %q", resp.StatusCode, loc)
		} else if status, body := e.get(t, e.anon(), loc); status != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
			t.Errorf("invitation PDF %s: %d %q", loc, status, excerpt(body))
		}
	}

	// Every back-office page renders in both languages.
	org, _ := e.council.Organizations(ctx, e.body.ID)
	seats, _ = e.council.Members(ctx, mustID(t, council1), time.Time{})
	pages := []string{"/admin", "/admin/organizations", "/admin/organizations/new", "/admin/organizations/" + council1,
		"/admin/organizations/" + council1 + "/edit", "/admin/organizations/" + council1 + "/memberships/new",
		"/admin/memberships/" + seats[0].ID.String() + "/edit", "/admin/persons", "/admin/persons/new",
		"/admin/persons/" + person + "/edit", "/admin/papers", "/admin/papers?status=draft&type=motion", "/admin/papers/new",
		"/admin/papers/" + paper, "/admin/papers/" + paper + "/edit", "/admin/papers/" + paper + "/status",
		"/admin/papers/" + paper + "/consultations/new", "/admin/meetings", "/admin/meetings/new?org=" + org[0].ID.String(),
		mu, mu + "/edit", mu + "/cancel", mu + "/invite", mu + "/items/new", mu + "/items/paper",
		mu + "/items/" + items[0].ID.String() + "/edit"}
	for _, lang := range []string{"de", "en"} {
		for _, path := range pages {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			if status, body := e.get(t, clerk, path+sep+"lang="+lang); status != http.StatusOK {
				t.Errorf("GET %s (%s): %d\n%s", path, lang, status, excerpt(body))
			}
		}
	}
	_, body = e.get(t, clerk, mu+"/invite?lang=de")
	mustContain(t, "invite after invite", body, "bereits veröffentlicht")

	// Every change was made by the clerk.
	var byClerk, anonymous int
	if err := e.srv.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE actor_id = $1), count(*) FILTER (WHERE actor_id IS NULL)
		FROM audit WHERE entity IN ('organization','person','membership','paper','consultation','meeting','agenda_item','location')`,
		user.ID).Scan(&byClerk, &anonymous); err != nil {
		t.Fatal(err)
	}
	if byClerk < 12 || anonymous != 0 {
		t.Errorf("audit rows: %d by the clerk, %d without actor; want ≥ 12 and 0", byClerk, anonymous)
	}
}

func mustID(t *testing.T, s string) council.ID {
	t.Helper()
	id, err := council.ParseID(s)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return id
}
