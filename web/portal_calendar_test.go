package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/web/site"
)

// loginPerson creates a user of role linked to person p (NilID: none) and
// logs in through /login (members and citizens need no second factor). It
// returns the client and where the login sent it.
func (e *testEnv) loginPerson(t *testing.T, role council.Role, p council.ID) (*http.Client, string) {
	t.Helper()
	hash, err := council.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.council.CreateUser(context.Background(), council.User{Email: string(role) + "-" + council.NewID().String()[:8] + "@plenar.test",
		DisplayName: "Test " + string(role), PasswordHash: hash, Role: role, PersonID: p})
	if err != nil {
		t.Fatal(err)
	}
	c := e.anon()
	resp := e.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login as %s: status %d", role, resp.StatusCode)
	}
	return c, resp.Header.Get("Location")
}

// calendarFixture is newPortalFixture with a committee meeting in the
// month of the council's invited meeting.
type calendarFixture struct {
	portalFixture
	committeeMeeting meetings.Meeting
	month            string // YYYY-MM of both meetings
}

func newCalendarFixture(t *testing.T, e *testEnv) calendarFixture {
	t.Helper()
	f := calendarFixture{portalFixture: newPortalFixture(t, e)}
	ctx := context.Background()
	start := f.invited.Start.Add(time.Hour)
	if start.In(site.Berlin).Month() != f.invited.Start.In(site.Berlin).Month() {
		start = f.invited.Start.Add(-time.Hour)
	}
	f.committeeMeeting = must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Bauausschusses",
		Start: start, Organizations: []council.ID{f.committee.ID}}))(t)
	must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.committeeMeeting.ID, Name: "Eröffnung", Public: true}))(t)
	f.committeeMeeting = must(e.meetings.Invite(ctx, f.committeeMeeting.ID, time.Now()))(t)
	f.month = f.invited.Start.In(site.Berlin).Format("2006-01")
	return f
}

func optionTag(id council.ID, selected bool) string {
	if selected {
		return fmt.Sprintf(`<option value="%s" selected>`, id)
	}
	return fmt.Sprintf(`<option value="%s">`, id)
}

// TestCalendarBodyFilter: the list and the month grid filter by body with
// a plain GET form, keep the filter in their links to each other and to
// other months, link the iCalendar feed of the filter, and offer "Meine
// Gremien" to users whose person has current memberships.
func TestCalendarBodyFilter(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newCalendarFixture(t, e)
	anon := e.anon()
	council1, committee := f.council.ID.String(), f.committee.ID.String()

	status, body := e.get(t, anon, "/meetings")
	wantStatus(t, "GET /meetings", status, http.StatusOK)
	mustContain(t, "calendar", body, `<form method="get" action="/meetings"`, `<select id="body" name="body">`,
		`<option value="" selected>Alle Gremien</option>`, optionTag(f.council.ID, false)+"Stadtrat Musterstadt",
		optionTag(f.committee.ID, false)+"Bauausschuss", `href="/meetings.ics"`, f.committeeMeeting.Name, f.invited.Name)
	mustNotContain(t, "calendar", body, `value="mine"`, optionTag(f.group.ID, false)) // party groups hold no meetings here

	for _, path := range []string{"/meetings?body=" + committee, "/meetings/month?m=" + f.month + "&body=" + committee} {
		status, body = e.get(t, anon, path)
		wantStatus(t, "GET "+path, status, http.StatusOK)
		mustContain(t, path, body, f.committeeMeeting.Name, optionTag(f.committee.ID, true)+"Bauausschuss",
			"Gremium: Bauausschuss", `href="/bodies/`+committee+`/meetings.ics"`)
		mustNotContain(t, path, body, f.invited.Name, `<option value="" selected>`, `href="/meetings.ics"`)
	}
	_, body = e.get(t, anon, "/meetings?body="+committee)
	mustContain(t, "filtered list", body, `href="/meetings/month?m=`+time.Now().In(site.Berlin).Format("2006-01")+`&amp;body=`+committee+`"`)
	_, body = e.get(t, anon, "/meetings/month?m="+f.month+"&body="+committee)
	first, _ := time.ParseInLocation("2006-01", f.month, site.Berlin)
	mustContain(t, "filtered month", body, `<form method="get" action="/meetings/month"`,
		`<input type="hidden" name="m" value="`+f.month+`">`,
		`href="/meetings?body=`+committee+`"`,
		`href="/meetings/month?m=`+first.AddDate(0, 1, 0).Format("2006-01")+`&amp;body=`+committee+`"`,
		`href="/meetings/month?m=`+first.AddDate(0, -1, 0).Format("2006-01")+`&amp;body=`+committee+`"`)
	_, body = e.get(t, anon, "/meetings/month?m="+f.month+"&body="+council1)
	mustContain(t, "month of the council", body, f.invited.Name)
	mustNotContain(t, "month of the council", body, f.committeeMeeting.Name)
	_, body = e.get(t, anon, "/meetings/month?m="+f.month)
	mustContain(t, "month unfiltered", body, f.invited.Name, f.committeeMeeting.Name)

	// Malformed and unknown ids.
	for path, want := range map[string]int{
		"/meetings?body=nope":                              http.StatusBadRequest,
		"/meetings/month?body=nope":                        http.StatusBadRequest,
		"/meetings?body=" + council.NewID().String():       http.StatusNotFound,
		"/meetings/month?body=" + council.NewID().String(): http.StatusNotFound,
		"/meetings?body=" + f.group.ID.String():            http.StatusOK, // not offered, but a valid filter
	} {
		if status, _ := e.get(t, anon, path); status != want {
			t.Errorf("GET %s: status %d, want %d", path, status, want)
		}
	}

	// "Meine Gremien": the public is asked to log in first.
	for _, path := range []string{"/meetings?body=mine", "/meetings/month?body=mine"} {
		resp, err := anon.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape(path) {
			t.Errorf("anonymous GET %s: %d %q, want 303 to the login with next", path, resp.StatusCode, loc)
		}
	}

	// A member linked to Erika: the council (current) and her party group;
	// her committee seat has ended.
	member, _ := e.loginPerson(t, council.RoleMember, f.person.ID)
	_, body = e.get(t, member, "/meetings")
	mustContain(t, "member calendar", body, `<option value="mine">Meine Gremien</option>`)
	for _, path := range []string{"/meetings?body=mine", "/meetings/month?m=" + f.month + "&body=mine"} {
		status, body = e.get(t, member, path)
		wantStatus(t, "member GET "+path, status, http.StatusOK)
		mustContain(t, "member "+path, body, f.invited.Name, `<option value="mine" selected>Meine Gremien</option>`,
			"– Meine Gremien", `href="/bodies/`+council1+`/meetings.ics"`, `href="/bodies/`+f.group.ID.String()+`/meetings.ics"`)
		mustNotContain(t, "member "+path, body, f.committeeMeeting.Name, `href="/meetings.ics"`)
	}
	_, body = e.get(t, member, "/meetings/month?m="+f.month+"&body=mine")
	mustContain(t, "member month", body, `href="/meetings?body=mine"`)

	// Accounts without a person, or citizens: no "Meine Gremien".
	unlinked, _ := e.loginPerson(t, council.RoleMember, council.NilID)
	citizen, _ := e.loginPerson(t, council.RoleCitizen, council.NilID)
	for name, c := range map[string]*http.Client{"unlinked member": unlinked, "citizen": citizen} {
		_, body = e.get(t, c, "/meetings")
		mustNotContain(t, name+" calendar", body, `value="mine"`)
		status, body = e.get(t, c, "/meetings?body=mine")
		wantStatus(t, name+" ?body=mine", status, http.StatusOK)
		mustContain(t, name+" ?body=mine", body, "mit keiner Person verknüpft", `<option value="mine" selected>`)
		mustNotContain(t, name+" ?body=mine", body, f.invited.Name, f.committeeMeeting.Name)
	}
}

// TestMyBodies: "Meine Gremien" lists the member's current bodies with
// their next meetings, is linked from the header for members, and asks
// the public to log in.
func TestMyBodies(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newCalendarFixture(t, e)
	member, _ := e.loginPerson(t, council.RoleMember, f.person.ID)
	status, body := e.get(t, member, "/my/bodies")
	wantStatus(t, "GET /my/bodies", status, http.StatusOK)
	mustContain(t, "my bodies", body, "<h1>Meine Gremien</h1>", `href="/my/bodies"`, "Stadtrat Musterstadt", "Fraktion Grüne Mitte",
		"Vorsitzende", f.invited.Name, `href="/meetings?body=mine"`, `href="/meetings?body=`+f.council.ID.String()+`"`)
	mustNotContain(t, "my bodies", body, "Bauausschuss", f.committeeMeeting.Name, f.past.Name)

	unlinked, _ := e.loginPerson(t, council.RoleMember, council.NilID)
	status, body = e.get(t, unlinked, "/my/bodies")
	wantStatus(t, "unlinked GET /my/bodies", status, http.StatusOK)
	mustContain(t, "unlinked my bodies", body, "mit keiner Person verknüpft")

	resp, err := e.anon().Get(e.ts.URL + "/my/bodies")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fmy%2Fbodies" {
		t.Errorf("anonymous GET /my/bodies: %d %q, want 303 to the login", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Only members see the header link.
	_, body = e.get(t, e.anon(), "/")
	mustNotContain(t, "public header", body, `href="/my/bodies"`)
	clerk, _ := e.login(t, council.RoleClerk)
	_, body = e.get(t, clerk, "/")
	mustNotContain(t, "clerk header", body, `href="/my/bodies"`)
}

// TestLiveBadge: once a meeting's live session runs, the home page and the
// calendar (list and month) mark it "Live jetzt" with a link to its public
// live page; before and after, they do not. The server's clock is a day
// and a half on: a session that runs past midnight still leads the
// upcoming meetings.
func TestLiveBadge(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(36 * time.Hour) } })
	day := e.meeting.Start.In(site.Berlin).Format("2006-01-02")
	pages := []string{"/", "/meetings", "/meetings?body=" + e.org.ID.String(), "/meetings?from=" + day + "&to=" + day,
		"/meetings/month?m=" + day[:7]}
	link := `<a class="badge live" href="/meetings/` + e.meeting.ID.String() + `/live">Live jetzt`
	for _, path := range pages {
		_, body := e.get(t, e.anon(), path)
		mustNotContain(t, "before the session: "+path, body, link, "Live jetzt")
	}
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	for _, path := range pages {
		status, body := e.get(t, e.anon(), path)
		wantStatus(t, path, status, http.StatusOK)
		mustContain(t, "running session: "+path, body, link, "Übertragung von Ratssitzung ansehen")
	}
	_, body := e.get(t, e.anon(), "/")
	mustContain(t, "home page", body, "Sitzungen, die gerade laufen")
	_, body = e.get(t, e.loginMember(t, e.persons[1]), "/my/bodies")
	mustContain(t, "Meine Gremien", body, link)
	_, body = e.get(t, e.anon(), "/meetings?lang=en&from="+day+"&to="+day)
	mustContain(t, "English calendar", body, "Live now")
	e.do(t, clerk, live.Close{})
	for _, path := range pages {
		_, body := e.get(t, e.anon(), path)
		mustNotContain(t, "closed session: "+path, body, "Live jetzt")
	}
}

// TestFavicon: every page links the SVG icon at its hashed static URL, which
// answers, and so does the browsers' automatic /favicon.ico.
func TestFavicon(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, body := e.get(t, e.anon(), "/")
	href := e.srv.static.URL("favicon.svg")
	mustContain(t, "home page", body, `<link rel="icon" href="`+href+`" type="image/svg+xml">`)
	for _, path := range []string{href, "/favicon.ico"} {
		resp, err := e.anon().Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "image/svg+xml") {
			t.Errorf("GET %s: %d %s, want 200 image/svg+xml", path, resp.StatusCode, ct)
		}
	}
}
