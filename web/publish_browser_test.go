package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/site"
)

// TestPublishAndCrawlBrowser is the foundation's end-to-end check in a
// real browser:
//
//	(a) a clerk logs in with password and TOTP, schedules a meeting, adds a
//	    public item and a non-public item whose title carries a unique
//	    marker, and publishes the invitation;
//	(b) an anonymous visitor (a second browser, no cookies) opens every
//	    public page reachable from the home page, in both languages, and
//	    the marker appears nowhere;
//	(c) axe-core finds no serious or critical violation on the home,
//	    calendar, body, person, meeting and paper pages.
func TestPublishAndCrawlBrowser(t *testing.T) {
	t.Parallel()
	clerkCtx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	f := newCrawlFixture(t, e)
	marker := "GEHEIM-" + council.NewID().String()[:8]

	// (a) The clerk, in the browser.
	clerk := e.newTestUser(t, council.RoleClerk, true)
	navigate(t, clerkCtx, e.ts.URL+"/login")
	if err := chromedp.Do(clerkCtx,
		chromedp.SetValue(chromedp.CSS("#f-email"), clerk.Email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
	); err != nil {
		t.Fatalf("fill login form: %v", err)
	}
	submitAndWait(t, clerkCtx, "#f-password")
	if p := pathOf(t, clerkCtx, e.ts.URL); !strings.HasPrefix(p, "/login/totp") {
		t.Fatalf("after password: at %s, want the TOTP step", p)
	}
	if err := chromedp.Do(clerkCtx, chromedp.SendKeys(chromedp.CSS("#f-code"), totpCode(t, clerk.TOTPSecret, time.Now()))); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, clerkCtx, "#f-code")

	navigate(t, clerkCtx, e.ts.URL+"/admin/meetings/new")
	start := time.Now().In(site.Berlin).AddDate(0, 0, 10).Format("2006-01-02") + "T17:00"
	if err := chromedp.Do(clerkCtx,
		chromedp.SetValue(chromedp.CSS("#f-name"), "Stadtrat – 7. Sitzung"),
		chromedp.SetValue(chromedp.CSS("#f-start"), start),
	); err != nil {
		t.Fatalf("fill meeting form: %v", err)
	}
	selectOrg := `(() => { for (const o of document.querySelector("#f-organizations").options)
		if (o.value === "` + f.council.ID.String() + `") { o.selected = true; return true } return false })()`
	if ok, err := chromedp.Run(clerkCtx, chromedp.Evaluate[bool](selectOrg)); err != nil || !ok {
		t.Fatalf("choose the council in the meeting form: %t, %v", ok, err)
	}
	submitAndWait(t, clerkCtx, "form.admin-form button[type=submit]")
	meetingPath := strings.SplitN(pathOf(t, clerkCtx, e.ts.URL), "?", 2)[0]
	if !strings.HasPrefix(meetingPath, "/admin/meetings/") || len(meetingPath) != len("/admin/meetings/")+36 {
		t.Fatalf("after scheduling: at %s, want the meeting's back-office page", meetingPath)
	}
	meetingID := strings.TrimPrefix(meetingPath, "/admin/meetings/")

	addItem := func(name string, public bool) {
		t.Helper()
		navigate(t, clerkCtx, e.ts.URL+meetingPath+"/items/new")
		if err := chromedp.Do(clerkCtx, chromedp.SetValue(chromedp.CSS("#f-name"), name)); err != nil {
			t.Fatal(err)
		}
		// Click the checkbox (as a person would) until it shows the state we want.
		for i := 0; i < 2; i++ {
			checked, err := chromedp.Run(clerkCtx, chromedp.Evaluate[bool](`document.querySelector("#f-public").checked`))
			if err != nil {
				t.Fatal(err)
			}
			if checked == public {
				break
			}
			if err := chromedp.Do(clerkCtx, chromedp.Click(chromedp.CSS("#f-public"))); err != nil {
				t.Fatal(err)
			}
		}
		submitAndWait(t, clerkCtx, "form.admin-form button[type=submit]")
	}
	addItem("Bericht der Oberbürgermeisterin", true)
	addItem("Grundstücksangelegenheit "+marker, false)

	navigate(t, clerkCtx, e.ts.URL+meetingPath+"/invite")
	submitAndWait(t, clerkCtx, "main form button[type=submit]")
	m, err := e.meetings.Meeting(context.Background(), mustParseID(t, meetingID))
	if err != nil {
		t.Fatal(err)
	}
	if m.State != meetings.Invited {
		t.Fatalf("meeting state after publishing = %s, want invited", m.State)
	}
	items, err := e.meetings.AgendaItems(context.Background(), m.ID)
	if err != nil || len(items) != 2 || items[1].Public || !strings.Contains(items[1].Name, marker) {
		t.Fatalf("agenda after the clerk's edits: %+v, %v; want a public item and the non-public marker item", items, err)
	}
	checkInvitationFile(t, e, m.ID, "Bericht der Oberbürgermeisterin", marker)

	// The marker also goes into the non-public item's result and resolution.
	items[1].Result, items[1].ResolutionText = "beschlossen "+marker, "Der Rat beschließt "+marker
	if _, err := e.meetings.SaveAgendaItem(context.Background(), items[1]); err != nil {
		t.Fatal(err)
	}

	// (b) An anonymous visitor crawls everything reachable from home.
	anonCtx := newBrowser(t)
	pages := crawl(t, anonCtx, e.ts.URL, 400, func(path, html string) {
		if strings.Contains(html, marker) {
			t.Errorf("public page %s shows the non-public marker", path)
		}
	})
	t.Logf("crawled %d public pages", len(pages))
	publicMeeting := "/meetings/" + meetingID
	for _, want := range []string{"/", "/meetings", publicMeeting, "/bodies/" + f.council.ID.String(),
		"/persons/" + f.person.ID.String(), "/papers/" + f.paper.ID.String()} {
		if _, ok := pages[want]; !ok {
			t.Errorf("crawl did not reach %s (reached %d pages)", want, len(pages))
		}
	}
	if html := pages[publicMeeting]; !strings.Contains(html, "Nichtöffentlicher Tagesordnungspunkt") ||
		!strings.Contains(html, "Bericht der Oberbürgermeisterin") {
		t.Errorf("public meeting page lacks the public item or the neutral title of the non-public one")
	}
	if html := pages[publicMeeting+"?lang=en"]; !strings.Contains(html, "Non-public agenda item") {
		t.Errorf("English meeting page lacks the neutral title (crawled: %t)", html != "")
	}

	// (c) axe-core on the main public pages.
	month := time.Now().In(site.Berlin).AddDate(0, 0, 10).Format("2006-01")
	for _, path := range []string{"/", "/meetings", "/meetings/month?m=" + month, "/bodies",
		"/bodies/" + f.council.ID.String(), "/persons/" + f.person.ID.String(), publicMeeting,
		"/papers", "/papers/" + f.paper.ID.String(), publicMeeting + "?lang=en"} {
		navigate(t, anonCtx, e.ts.URL+path)
		if vs := runAxe(t, anonCtx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", path, describeViolations(vs))
		}
	}
}

// checkInvitationFile asserts that publishing stored a public invitation
// PDF for the meeting that anyone can download, whose text has the public
// title and not the non-public marker.
func checkInvitationFile(t *testing.T, e *testEnv, meeting council.ID, publicTitle, marker string) {
	t.Helper()
	files, err := e.srv.docs.Files(context.Background(), documents.Link{Kind: documents.LinkMeeting, ID: meeting})
	if err != nil {
		t.Fatal(err)
	}
	var inv *documents.Listed
	for i := range files {
		if files[i].Role == documents.RoleInvitation {
			inv = &files[i]
		}
	}
	if inv == nil || !inv.Public || inv.MIMEType != "application/pdf" {
		t.Fatalf("after publishing: invitation file %+v, want a public PDF", inv)
	}
	resp, err := e.anon().Get(e.ts.URL + "/files/" + inv.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("anonymous GET of the invitation = %d, want 200", resp.StatusCode)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		pgtest.Unavailable(t, "pdftotext not found (Debian: poppler-utils)")
	}
	cmd := exec.Command(bin, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	if !strings.Contains(text, publicTitle) || strings.Contains(text, marker) {
		t.Errorf("invitation text: want %q and not the marker; got %.400s", publicTitle, text)
	}
}

type crawlFixture struct {
	council council.Organization
	person  council.Person
	paper   council.Paper
}

// newCrawlFixture gives the crawl something to find: a council with a
// member, and a submitted public paper on an invited meeting's agenda.
func newCrawlFixture(t *testing.T, e *testEnv) crawlFixture {
	t.Helper()
	ctx := context.Background()
	var f crawlFixture
	var err error
	if f.council, err = e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat",
		Kind: council.KindCouncil, StatutorySeats: 40}); err != nil {
		t.Fatal(err)
	}
	if f.person, err = e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: "Ayşe", FamilyName: "Doğan",
		Email: "ayse.dogan@example.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err = e.council.SaveMembership(ctx, council.Membership{PersonID: f.person.ID, OrganizationID: f.council.ID,
		Role: "Mitglied", VotingRight: true}); err != nil {
		t.Fatal(err)
	}
	p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Radwegsanierung Magdeburger Straße",
		Type: council.PaperResolution, Public: true, Text: "Der Stadtrat beschließt die Sanierung."})
	if err != nil {
		t.Fatal(err)
	}
	if f.paper, err = e.council.Submit(ctx, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Its implementation record, overdue, so the Beschlusskontrolle and the
	// paper's trail are crawled (and checked by axe) with content.
	im, err := e.council.SaveImplementation(ctx, council.Implementation{PaperID: f.paper.ID, Office: "Tiefbauamt",
		Due: time.Now().AddDate(0, -1, 0)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.council.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: time.Now(), Text: "Ausschreibung läuft"}); err != nil {
		t.Fatal(err)
	}
	m, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 6. Sitzung",
		Start: time.Now().AddDate(0, 0, 3), Organizations: []council.ID{f.council.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.AddPaper(ctx, m.ID, f.paper.ID, f.council.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.Invite(ctx, m.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return f
}

// crawl opens every same-origin page reachable from base+"/" in the
// browser (breadth first, at most limit pages, static files and forms'
// targets left out), calls check with each page's HTML, and returns the
// HTML by path (with query).
func crawl(t *testing.T, ctx context.Context, base string, limit int, check func(path, html string)) map[string]string {
	t.Helper()
	seen := map[string]string{}
	queue := []string{"/"}
	queued := map[string]bool{"/": true}
	for len(queue) > 0 && len(seen) < limit {
		path := queue[0]
		queue = queue[1:]
		navigate(t, ctx, base+path)
		html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		seen[path] = html
		check(path, html)
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href]"), a => a.href)`))
		if err != nil {
			t.Fatalf("links of %s: %v", path, err)
		}
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || !strings.HasPrefix(l, base+"/") || !crawlable(u) {
				continue
			}
			next := u.Path
			if u.RawQuery != "" {
				next += "?" + u.RawQuery
			}
			if !queued[next] {
				queued[next] = true
				queue = append(queue, next)
			}
		}
	}
	if len(queue) > 0 {
		t.Logf("crawl stopped at %d pages with %d left in the queue", len(seen), len(queue))
	}
	return seen
}

// crawlable leaves out static files, the login pages, and the endless
// parts of link space: month grids beyond three months from now, and list
// pages past the fifth.
func crawlable(u *url.URL) bool {
	if strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/login") {
		return false
	}
	// Downloads (open-data dumps, calendars, feeds, files, the OParl API)
	// are not pages: the feed and dump tests check them for the marker.
	if strings.HasPrefix(u.Path, "/open-data/") || strings.HasPrefix(u.Path, "/oparl/") ||
		strings.HasPrefix(u.Path, "/files/") || strings.HasPrefix(u.Path, "/api/") ||
		strings.HasSuffix(u.Path, ".ics") || strings.HasSuffix(u.Path, ".atom") || strings.HasSuffix(u.Path, "/feed") {
		return false
	}
	q := u.Query()
	if m := q.Get("m"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil || t.Sub(time.Now()).Abs() > 100*24*time.Hour {
			return false
		}
	}
	if p := q.Get("page"); len(p) > 1 || p > "5" {
		return false
	}
	return true
}

func mustParseID(t *testing.T, s string) council.ID {
	t.Helper()
	id, err := council.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
