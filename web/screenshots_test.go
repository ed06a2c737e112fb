package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
	"github.com/plenar/plenar/web/site"
)

// Viewports of the screenshots: a desktop browser and a phone (iPhone 12–15
// class, 390 CSS pixels wide, drawn at twice the resolution).
var screenshotViewports = []struct {
	name          string
	width, height int64
	scale         float64
	mobile        bool
}{
	{"desktop", 1280, 900, 1, false},
	{"phone", 390, 844, 2, true},
}

// TestScreenshots writes full-page PNG screenshots of the key pages to the
// directory in PLENAR_SCREENSHOTS (`make screenshots`), for people to look
// at: the public pages at desktop and phone width, the login page, and two
// back-office pages. Without the variable it does nothing. It fails when a
// page scrolls sideways at phone width.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PLENAR_SCREENSHOTS")
	if dir == "" {
		t.Log("PLENAR_SCREENSHOTS is not set; no screenshots taken (make screenshots)")
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	f := newScreenshotFixture(t, e)

	// onLoad, when set, waits after each navigation until the page shows
	// what the screenshot is for (live pages render after their snapshot).
	var onLoad func()
	shoot := func(name, path string, viewports ...string) {
		t.Helper()
		for _, vp := range screenshotViewports {
			if len(viewports) > 0 && !slices.Contains(viewports, vp.name) {
				continue
			}
			opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.scale)}
			if vp.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
				t.Fatalf("viewport %s: %v", vp.name, err)
			}
			if path != "" {
				u := path
				if !strings.HasPrefix(u, "http") {
					u = e.ts.URL + path
				}
				navigate(t, ctx, u)
				if onLoad != nil {
					onLoad()
				}
			}
			checkLayout(t, ctx, name+"-"+vp.name)
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s (%s): %v", name, vp.name, err)
			}
			file := filepath.Join(dir, name+"-"+vp.name+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", file)
		}
	}

	month := f.upcoming.Start.In(site.Berlin).Format("2006-01")
	shoot("01-home", "/")
	shoot("02-calendar", "/meetings")
	shoot("03-month", "/meetings/month?m="+month)
	shoot("04-bodies", "/bodies")
	shoot("05-body", "/bodies/"+f.council.ID.String())
	shoot("06-person", "/persons/"+f.person.ID.String())
	shoot("07-meeting", "/meetings/"+f.upcoming.ID.String())
	shoot("08-paper", "/papers/"+f.paper.ID.String())
	shoot("09-papers", "/papers")
	shoot("10-login", "/login")
	shoot("18-trail", "/beschlusskontrolle")
	shoot("19-paper-trail", "/papers/"+f.decided.ID.String())
	// The calendar filtered by a body, with a running session marked
	// "Live jetzt", as a list and as a month.
	shoot("13-calendar-filter-live", "/meetings?body="+f.council.ID.String())
	shoot("14-month-filter-live", "/meetings/month?m="+f.live.Start.In(site.Berlin).Format("2006-01")+"&body="+f.council.ID.String())

	// "Meine Gremien", as a member linked to the council's chair.
	setCookie := func(c *http.Client) {
		t.Helper()
		ck := e.sessionCookie(c)
		if ck == nil {
			t.Fatal("no session cookie")
		}
		setBrowserCookie(t, ctx, e.ts.URL, ck)
	}
	member, _ := e.loginPerson(t, council.RoleMember, f.person.ID)
	setCookie(member)
	shoot("15-my-bodies", "/my/bodies")
	shoot("16-calendar-mine", "/meetings?body=mine")

	// The back office, as a logged-in clerk.
	clerk, _ := e.login(t, council.RoleClerk)
	setCookie(clerk)
	shoot("11-admin-agenda", "/admin/meetings/"+f.upcoming.ID.String())
	for _, vp := range []string{"desktop", "phone"} {
		navigate(t, ctx, e.ts.URL+"/admin/meetings/new")
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#f-name"), "Ausschuss für Bau und Stadtentwicklung – 12. Sitzung"),
			chromedp.Click(chromedp.CSS("form.admin-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		); err != nil {
			t.Fatalf("submit invalid meeting form: %v", err)
		}
		shoot("12-admin-form-errors", "", vp)
	}
	// The paper picker with its suggestions open after typing "b", the first active.
	for _, vp := range []string{"desktop", "phone"} {
		navigate(t, ctx, e.ts.URL+"/admin/meetings/"+f.upcoming.ID.String()+"/items/paper")
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`#f-paper[role="combobox"]`)),
			chromedp.Focus(chromedp.CSS("#f-paper")),
			chromedp.KeyEvent("b"),
		); err != nil {
			t.Fatalf("type into the paper picker: %v", err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("f-paper-listbox").hidden`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("paper picker suggestions: %v", err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		shoot("17-admin-paper-picker", "", vp)
	}
	screenshotVoting(t, ctx, func(name, url string, ready func()) {
		t.Helper()
		onLoad = ready
		shoot(name, url)
		onLoad = nil
	})
}

// screenshotVoting shoots the voting states of the live pages in a live
// session of its own: the console running a secret poll (entries, urn),
// the member's ballot, the member's receipt, the public count, the results
// with the published receipts, and the console with an election's urn.
func screenshotVoting(t *testing.T, ctx context.Context, shoot func(name, url string, ready func())) {
	t.Helper()
	e := newLiveEnv(t)
	bg := context.Background()
	clerkActor := e.clerkActor(t)
	e.do(t, clerkActor, live.Start{})
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CheckIn{Person: p.ID})
	}
	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Secret, Question: "Verleihung der Ehrenbürgerschaft an Frau Dr. Martha Beispiel", Rule: "two_thirds_cast"})
	snap, err := e.hub.Snapshot(bg, e.meeting.ID, clerkActor)
	liveMust(t, "snapshot", err)
	poll := snap.Polls[len(snap.Polls)-1].ID
	base, mid := e.ts.URL, e.meeting.ID.String()
	as := func(c *http.Client) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		})); err != nil {
			t.Fatal(err)
		}
		if c != nil {
			setBrowserCookie(t, ctx, base, e.sessionCookie(c))
		}
	}
	wait := func(sel, want string) func() { return func() { waitText(t, ctx, sel, want) } }
	clerk, _ := e.login(t, council.RoleClerk)
	beate := e.loginMember(t, e.persons[1])

	e.do(t, clerkActor, live.CastBallot{Poll: poll, Person: e.persons[0].ID}) // the chair votes on paper
	as(clerk)
	shoot("20-vote-console-secret", base+"/admin/meetings/"+mid+"/live", wait(`[data-live="urn-count"]`, "0 von 1"))
	as(beate)
	shoot("21-vote-member-ballot", base+"/meetings/"+mid+"/live/member", wait(`[data-live="ballot"]`, "Ja"))
	click(t, ctx, `[data-live="ballot"] button[data-choice="yes"]`)
	waitText(t, ctx, `[data-live="counted"]`, "Ihr Beleg")
	shoot("22-vote-member-receipt", base+"/meetings/"+mid+"/live/member", wait(`[data-live="own-receipt"]`, "-"))
	as(nil)
	shoot("23-vote-public-running", base+"/meetings/"+mid+"/live", wait(`[data-live="poll-count"]`, "2 von 3"))

	e.do(t, clerkActor, live.CastBallot{Poll: poll, Person: e.persons[2].ID})
	e.do(t, clerkActor, live.PaperBallot{Poll: poll, Choice: []string{"yes"}})
	e.do(t, clerkActor, live.PaperBallot{Poll: poll, Choice: []string{"abstain"}})
	e.do(t, clerkActor, live.ClosePoll{Poll: poll})
	shoot("24-vote-public-results", base+"/meetings/"+mid+"/live", wait(`[data-live="receipts"]`, "Beleg"))
	as(beate)
	shoot("25-vote-member-results", base+"/meetings/"+mid+"/live/member", wait(`[data-live="receipts"]`, "Beleg"))

	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Election, Question: "Wahl der stellvertretenden Bürgermeisterin", Seats: 1,
		Candidates: []string{"Anna Alt", "Bernd Berg", "Clara Clausen-Schmidt"}})
	as(clerk)
	shoot("26-vote-console-election", base+"/admin/meetings/"+mid+"/live", wait(`[data-live="urn"]`, "Clara"))
}

// checkLayout reports a page that scrolls sideways (an error) and logs
// controls smaller than 44×44 CSS pixels outside running text.
func checkLayout(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		const out = [];
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (r.right > w + 1 && !el.closest(".table-wrap")) out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " " + Math.round(r.right) + "px");
		}
		return out.length ? out.slice(0, 8) : ["(document scrolls)"];
	})()`))
	if err != nil {
		t.Fatalf("%s: layout check: %v", what, err)
	}
	if len(overflow) > 0 {
		t.Errorf("%s: the page is wider than the viewport: %s", what, strings.Join(overflow, "; "))
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, summary, textarea")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || el.closest("p, dd, td, .admin-vh") || el.classList.contains("skip")) continue;
			if (r.height < 43.5 || r.width < 24) out.push(el.tagName.toLowerCase() + " \"" + (el.textContent || el.id).trim().slice(0, 30) + "\" " + Math.round(r.width) + "×" + Math.round(r.height));
		}
		return out;
	})()`))
	if err != nil {
		t.Fatalf("%s: tap target check: %v", what, err)
	}
	if len(small) > 0 {
		t.Logf("%s: %d controls under 44 px: %s", what, len(small), strings.Join(small, "; "))
	}
}

type screenshotFixture struct {
	council  council.Organization
	person   council.Person
	paper    council.Paper
	upcoming meetings.Meeting
	live     meetings.Meeting // today's, its live session running
	decided  council.Paper    // decided, its implementation in progress and overdue
}

// newScreenshotFixture builds a small, realistic council through the
// stores: a city council and committees with members in party groups, a
// paper on its way through two bodies, a closed meeting with decisions and
// an invited one whose agenda has a non-public item. Names are long German
// compounds on purpose.
func newScreenshotFixture(t *testing.T, e *testEnv) screenshotFixture {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org := func(name, short string, kind council.OrgKind, seats int, parent council.ID) council.Organization {
		t.Helper()
		o, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: name, ShortName: short,
			Kind: kind, StatutorySeats: seats, ParentID: parent})
		must(err)
		return o
	}
	var f screenshotFixture
	f.council = org("Stadtrat", "SR", council.KindCouncil, 50, council.NilID)
	bsa := org("Ausschuss für Bau, Stadtentwicklung und Denkmalschutzangelegenheiten", "BSA", council.KindCommittee, 13, council.NilID)
	fa := org("Finanzausschuss", "FA", council.KindCommittee, 13, council.NilID)
	org("Kinder- und Jugendrat", "KJR", council.KindYouthCouncil, 15, council.NilID)
	ortsrat := org("Ortschaftsrat Großottersleben-Nordwest", "OR GON", council.KindDistrictCouncil, 7, council.NilID)
	groups := []council.Organization{
		org("Fraktion BÜNDNIS 90/DIE GRÜNEN", "GRÜNE", council.KindPartyGroup, 0, f.council.ID),
		org("CDU-Fraktion", "CDU", council.KindPartyGroup, 0, f.council.ID),
		org("SPD-Fraktion", "SPD", council.KindPartyGroup, 0, f.council.ID),
		org("Fraktion DIE LINKE / Tierschutzpartei", "LINKE/Tier", council.KindPartyGroup, 0, f.council.ID),
	}
	amt := org("Stadtplanungs- und Vermessungsamt", "Amt 61", council.KindAdministration, 0, council.NilID)

	people := []struct{ title, given, family, role string }{
		{"", "Ayşe", "Doğan", "Vorsitzende"},
		{"Dr.", "Karl-Heinz", "Große-Wöstmann", "stellvertretender Vorsitzender"},
		{"", "Agnieszka", "Wiśniewska", "Mitglied"},
		{"", "Jördis", "Schütze", "Mitglied"},
		{"Prof. Dr.", "Hans-Jürgen", "von Alvensleben", "Mitglied"},
		{"", "Minh", "Nguyen", "Mitglied"},
		{"", "Friederike", "Otto-von-Guericke-Müller", "sachkundige Einwohnerin"},
	}
	lastYear := time.Now().In(site.Berlin).AddDate(-1, 0, 0)
	for i, p := range people {
		person, err := e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, Title: p.title, GivenName: p.given,
			FamilyName: p.family, Email: fmt.Sprintf("person%d@example.org", i)})
		must(err)
		if i == 0 {
			f.person = person
		}
		g := groups[i%len(groups)]
		_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: person.ID, OrganizationID: f.council.ID,
			Role: p.role, VotingRight: p.role != "sachkundige Einwohnerin", OnBehalfOfID: g.ID})
		must(err)
		_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: person.ID, OrganizationID: g.ID, Role: "Mitglied", VotingRight: true})
		must(err)
		if i < 5 {
			_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: person.ID, OrganizationID: bsa.ID,
				Role: "Mitglied", VotingRight: true, Substitute: i == 3, OnBehalfOfID: g.ID})
			must(err)
		}
	}
	_, err := e.council.SaveMembership(ctx, council.Membership{PersonID: f.person.ID, OrganizationID: fa.ID,
		Role: "stellvertretende Vorsitzende", VotingRight: true, OnBehalfOfID: groups[0].ID,
		Start: lastYear.AddDate(-4, 0, 0), End: lastYear})
	must(err)

	loc, err := e.council.SaveLocation(ctx, council.Location{BodyID: e.body.ID, Description: "Altes Rathaus",
		StreetAddress: "Alter Markt 6", Room: "Ratssaal, 1. Obergeschoss", PostalCode: "39104", Locality: "Musterstadt"})
	must(err)

	paper := func(name string, typ council.PaperType, text string, lead council.ID, orig ...council.Originator) council.Paper {
		t.Helper()
		p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: typ, Public: true,
			Text: text, LeadOrgID: lead, Originators: orig})
		must(err)
		p, err = e.council.Submit(ctx, p.ID, time.Now().AddDate(0, 0, -30))
		must(err)
		return p
	}
	f.paper = paper("Bebauungsplan Nr. 247 „Wohngebiet Am Stadtpark“ – Aufstellungsbeschluss und frühzeitige Öffentlichkeitsbeteiligung",
		council.PaperResolution, "Der Stadtrat beschließt die Aufstellung des Bebauungsplans Nr. 247 für das Gebiet zwischen "+
			"Lessingstraße, Kastanienallee und Am Stadtpark.\n\nBegründung:\nDie Nachfrage nach Wohnraum übersteigt das Angebot. "+
			"Die Grundstücksentwässerungssatzung und die Straßenausbaubeitragssatzung bleiben unberührt.", amt.ID)
	motion := paper("Antrag: Barrierefreie Umgestaltung der Straßenbahnhaltestelle Hasselbachplatz",
		council.PaperMotion, "Die Verwaltung wird beauftragt, bis zum Jahresende ein Konzept vorzulegen.", council.NilID,
		council.Originator{OrganizationID: groups[0].ID})
	statute := paper("Satzung zur Änderung der Friedhofsgebührensatzung (Friedhofsunterhaltungsgebührenanpassung 2026)",
		council.PaperResolution, "", amt.ID)
	for i, c := range []council.Consultation{
		{PaperID: f.paper.ID, OrganizationID: ortsrat.ID, Role: "Anhörung"},
		{PaperID: f.paper.ID, OrganizationID: bsa.ID, Role: "Vorberatung"},
		{PaperID: f.paper.ID, OrganizationID: f.council.ID, Role: "Entscheidung", Authoritative: true},
	} {
		c.Position = i
		_, err := e.council.SaveConsultation(ctx, c)
		must(err)
	}

	day := func(offset, hour int) time.Time {
		d := time.Now().In(site.Berlin).AddDate(0, 0, offset)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, site.Berlin)
	}
	// A committee meeting two weeks ago, closed, with decisions.
	past, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Ausschuss für Bau, Stadtentwicklung und Denkmalschutzangelegenheiten – 11. Sitzung",
		Start: day(-14, 17), End: day(-14, 19), LocationID: loc.ID, Organizations: []council.ID{bsa.ID}})
	must(err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: past.ID, Name: "Eröffnung und Feststellung der Beschlussfähigkeit", Public: true})
	must(err)
	it, err := e.meetings.AddPaper(ctx, past.ID, f.paper.ID, bsa.ID, true)
	must(err)
	it.Result, it.ResolutionText = "einstimmig empfohlen", "Der Ausschuss empfiehlt dem Stadtrat, den Aufstellungsbeschluss zu fassen."
	_, err = e.meetings.SaveAgendaItem(ctx, it)
	must(err)
	it, err = e.meetings.AddPaper(ctx, past.ID, motion.ID, bsa.ID, true)
	must(err)
	it.Result = "mehrheitlich beschlossen (9 Ja, 3 Nein, 1 Enthaltung)"
	_, err = e.meetings.SaveAgendaItem(ctx, it)
	must(err)
	f.decided = motion

	// The Beschlusskontrolle: the motion's implementation in progress and
	// overdue, with notes and the statute as its follow-up; more records in
	// the other states for the list.
	impl := func(p council.Paper, office string, due time.Time, st council.ImplementationStatus, reason string, notes ...string) {
		t.Helper()
		im, err := e.council.SaveImplementation(ctx, council.Implementation{PaperID: p.ID, Office: office, Due: due}, day(-13, 9))
		must(err)
		for i, n := range notes {
			_, err = e.council.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: day(-12+i*4, 0), Text: n})
			must(err)
		}
		if st != council.ImplOpen {
			_, err = e.council.SetImplementationStatus(ctx, im.ID, st, reason, day(-10, 11))
			must(err)
		}
		if p.ID == motion.ID {
			must(e.council.LinkFollowUp(ctx, im.ID, statute.ID))
		}
	}
	impl(motion, "Tiefbauamt, Abteilung Verkehrsanlagen", day(-2, 0), council.ImplInProgress, "",
		"Auftrag an das Tiefbauamt erteilt; Abstimmung mit den Magdeburger Verkehrsbetrieben begonnen.",
		"Vorentwurf mit Hochbord und Blindenleitsystem liegt vor; Förderantrag beim Land gestellt.")
	for i, r := range []struct {
		name   string
		office string
		st     council.ImplementationStatus
		reason string
	}{
		{"Sanierung der Turnhalle der Grundschule Am Westring", "Amt für Schule und Sport", council.ImplDone, ""},
		{"Einrichtung eines Jugendparlaments", "Büro des Oberbürgermeisters", council.ImplNotImplemented,
			"Die Kommunalaufsicht hat den Beschluss beanstandet; der Kinder- und Jugendrat nimmt die Aufgabe wahr."},
		{"Öffentliche Trinkwasserbrunnen in der Innenstadt", "Grünflächenamt", council.ImplOpen, ""},
	} {
		p := paper(r.name, council.PaperMotion, "", council.NilID, council.Originator{OrganizationID: groups[i%len(groups)].ID})
		it, err := e.meetings.AddPaper(ctx, past.ID, p.ID, bsa.ID, true)
		must(err)
		it.Result = "einstimmig beschlossen"
		_, err = e.meetings.SaveAgendaItem(ctx, it)
		must(err)
		impl(p, r.office, day(60+i*30, 0), r.st, r.reason, "Sachstand im Fachausschuss berichtet.")
	}
	_, err = e.meetings.Invite(ctx, past.ID, day(-21, 9))
	must(err)
	_, err = e.meetings.SetState(ctx, past.ID, meetings.Closed)
	must(err)

	// The council meeting in three days, invited, with a non-public item.
	f.upcoming, err = e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 23. Sitzung (Haushaltssitzung)",
		Start: day(3, 16), LocationID: loc.ID, Organizations: []council.ID{f.council.ID}})
	must(err)
	for _, item := range []meetings.AgendaItem{
		{Name: "Eröffnung, Feststellung der ordnungsgemäßen Ladung und der Beschlussfähigkeit", Public: true},
		{Name: "Einwohnerfragestunde", Public: true},
		{Name: "Genehmigung der Niederschrift der 22. Sitzung", Public: true},
	} {
		item.MeetingID = f.upcoming.ID
		_, err = e.meetings.SaveAgendaItem(ctx, item)
		must(err)
	}
	_, err = e.meetings.AddPaper(ctx, f.upcoming.ID, f.paper.ID, f.council.ID, true)
	must(err)
	_, err = e.meetings.AddPaper(ctx, f.upcoming.ID, statute.ID, f.council.ID, true)
	must(err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.upcoming.ID,
		Name: "Grundstücksangelegenheiten – Veräußerung einer Teilfläche des Flurstücks 112/4 an die Wohnungsbaugenossenschaft", Public: false})
	must(err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.upcoming.ID, Name: "Mitteilungen und Anfragen", Public: true})
	must(err)
	f.upcoming, err = e.meetings.Invite(ctx, f.upcoming.ID, time.Now())
	must(err)

	// A special council meeting that started an hour ago and runs live.
	f.live, err = e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – Sondersitzung zur Verkehrswende",
		Start: time.Now().Add(-time.Hour).Truncate(time.Minute), LocationID: loc.ID, Organizations: []council.ID{f.council.ID}})
	must(err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.live.ID, Name: "Verkehrsentwicklungsplan 2035", Public: true})
	must(err)
	_, err = e.meetings.Invite(ctx, f.live.ID, day(-7, 9))
	must(err)
	f.live, err = e.meetings.SetState(ctx, f.live.ID, meetings.Running)
	must(err)

	// More meetings for the calendar.
	for i, m := range []struct {
		name string
		org  council.ID
		off  int
	}{
		{"Finanzausschuss – 15. Sitzung", fa.ID, 5},
		{"Ortschaftsrat Großottersleben-Nordwest – 8. Sitzung", ortsrat.ID, 9},
		{"Ausschuss für Bau, Stadtentwicklung und Denkmalschutzangelegenheiten – 12. Sitzung", bsa.ID, 10},
	} {
		mm, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: m.name, Start: day(m.off, 17+i%2),
			LocationID: loc.ID, Organizations: []council.ID{m.org}})
		must(err)
		_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: mm.ID, Name: "Eröffnung", Public: true})
		must(err)
		_, err = e.meetings.Invite(ctx, mm.ID, time.Now())
		must(err)
	}
	return f
}
