package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/web/site"
)

// hostileFixture is newPortalFixture plus one more object per non-public
// state (docs/ARCHITECTURE.md, "A non-public state"), each carrying a
// marker of its own, and the ids every route parameter can take.
type hostileFixture struct {
	portalFixture
	markers map[string]string // marker → the non-public thing it sits in
	params  map[string][]string
	minutes minutesFixture
	// questions are the ids of the question time's questions.
	questions questionsFixture
}

// questionsFixture is the question time of the hostile fixture.
type questionsFixture struct {
	item      council.ID // the question time
	published council.ID // a published question, answered orally
	submitted council.ID
}

func newQuestionsFixture(t *testing.T, e *filesEnv, m meetings.Meeting, mark func(m, what string) string) questionsFixture {
	t.Helper()
	ctx := context.Background()
	cs, ms := e.council, e.meetings
	qt := must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Einwohnerfragestunde", Public: true}))(t)
	if err := ms.SetQuestionTime(ctx, meetings.QuestionTime{ItemID: qt.ID, DeadlineDays: 3, PerPerson: 10}); err != nil {
		t.Fatal(err)
	}
	asker := must(cs.UserByEmail(ctx, "buerger-mail-1-e9x@example.org"))(t)
	now := time.Now()
	ask := func(text string) meetings.Question {
		return must(ms.Ask(ctx, asker.ID, qt.ID, text, now))(t)
	}
	moderate := func(q meetings.Question, m meetings.Moderation) {
		must(ms.Moderate(ctx, q.ID, m, now, nil))(t)
	}
	published := ask("Wann wird der Radweg an der Hauptstraße fertig?")
	moderate(published, meetings.Moderation{Action: meetings.ActPublish})
	moderate(published, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerOral,
		Answer: mark("ANTWORT-MUENDLICH-Q5E", "an oral answer before the minutes are approved")})
	submitted := ask(mark("FRAGE-EINGEREICHT-Q1A", "a submitted, unmoderated question") + " Warum ist das so?")
	rejected := ask(mark("FRAGE-ABGELEHNT-Q2B", "a rejected question") + " Wer wohnt in Nummer 5?")
	moderate(rejected, meetings.Moderation{Action: meetings.ActReject, Reason: meetings.ReasonPersonalData,
		Note: mark("NOTIZ-ABLEHNUNG-Q3C", "the moderator's note to the asker")})
	merged := ask(mark("FRAGE-DUPLIKAT-Q4D", "a question merged as a duplicate") + " Radweg Hauptstraße wann fertig?")
	moderate(merged, meetings.Moderation{Action: meetings.ActMerge, Into: published.ID,
		Note: mark("NOTIZ-DUPLIKAT-Q6F", "the moderator's note on a merged question")})
	return questionsFixture{item: qt.ID, published: published.ID, submitted: submitted.ID}
}

// newHostileFixture seeds a database full of non-public markers. A new
// non-public state adds its object and marker here.
func newHostileFixture(t *testing.T, e *filesEnv) hostileFixture {
	t.Helper()
	ctx := context.Background()
	cs, ms := e.council, e.meetings
	f := hostileFixture{portalFixture: newPortalFixture(t, e.testEnv), markers: map[string]string{
		secretMarker: "non-public agenda items on a published agenda (title, result, resolution)",
		secretPaper:  "non-public paper, draft paper",
		plannedItem:  "public item on a planned (unpublished) agenda",
		memberEmail:  "person's e-mail address",
		memberPhone:  "person's phone number",
	}}
	mark := func(m, what string) string { f.markers[m] = what; return m }

	deleted := must(cs.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: mark("GELOESCHT-D4V", "deleted public paper"),
		Type: council.PaperMotion, Public: true}))(t)
	must(cs.Submit(ctx, deleted.ID, time.Now()))(t)
	// Implementation records (Beschlusskontrolle) are public exactly when
	// their paper is: one on the non-public paper (office, note and the
	// reason it was not implemented carry markers), one on the deleted
	// paper, and a public record that names the non-public paper as its
	// follow-up. A draft gets no record (council.SaveImplementation
	// refuses it: TestImplementationBadInput).
	hiddenImpl := must(cs.SaveImplementation(ctx, council.Implementation{PaperID: f.hiddenPaper.ID,
		Office: mark("AMT-NOEFF-U1B", "office of a non-public paper's implementation record")}, time.Now()))(t)
	must(cs.AddImplementationNote(ctx, hiddenImpl.ID, council.ImplementationNote{Date: time.Now(),
		Text: mark("SACHSTAND-NOEFF-U2C", "progress note of a non-public paper's implementation record")}))(t)
	must(cs.SetImplementationStatus(ctx, hiddenImpl.ID, council.ImplNotImplemented,
		mark("GRUND-NOEFF-U3D", "reason of a non-public paper's implementation record"), time.Now()))(t)
	deletedImpl := must(cs.SaveImplementation(ctx, council.Implementation{PaperID: deleted.ID,
		Office: mark("AMT-GELOESCHT-U5F", "office of a deleted paper's implementation record")}, time.Now()))(t)
	must(cs.AddImplementationNote(ctx, deletedImpl.ID, council.ImplementationNote{Date: time.Now(),
		Text: mark("SACHSTAND-GELOESCHT-U6G", "progress note of a deleted paper's implementation record")}))(t)
	publicImpl := must(cs.SaveImplementation(ctx, council.Implementation{PaperID: f.publicPaper.ID, Office: "Grünflächenamt"}, time.Now()))(t)
	if err := cs.LinkFollowUp(ctx, publicImpl.ID, f.hiddenPaper.ID); err != nil {
		t.Fatal(err)
	}
	if err := cs.DeletePaper(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	item := must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.invited.ID, Name: mark("GESTRICHEN-T8W", "deleted public agenda item"),
		Public: true, Result: "beschlossen"}))(t)
	if err := ms.DeleteItem(ctx, f.invited.ID, item.ID); err != nil {
		t.Fatal(err)
	}
	var hiddenItem, plannedItemID council.ID
	for _, m := range []meetings.Meeting{f.invited, f.planned} {
		for _, it := range must(ms.AgendaItems(ctx, m.ID))(t) {
			switch {
			case m.ID == f.invited.ID && !it.Public && hiddenItem == council.NilID:
				hiddenItem = it.ID
			case m.ID == f.planned.ID:
				plannedItemID = it.ID
			}
		}
	}
	files := []documents.File{
		e.put(t, mark("DATEI-NOEFF-F1K", "non-public file on a public paper")+".pdf", doctest.TextPDF(mark("INHALT-NOEFF-C2M", "text of a non-public file")), false,
			documents.Link{Kind: documents.LinkPaper, ID: f.publicPaper.ID}),
		e.put(t, mark("DATEI-PAPIER-F3L", "public file on a non-public paper")+".pdf", doctest.TextPDF("Anlage"), true,
			documents.Link{Kind: documents.LinkPaper, ID: f.hiddenPaper.ID}),
		e.put(t, mark("DATEI-TOP-F5N", "public file on a non-public agenda item")+".pdf", doctest.TextPDF("Anlage"), true,
			documents.Link{Kind: documents.LinkAgendaItem, ID: hiddenItem}),
		e.put(t, mark("DATEI-PLAN-F6P", "public file on a planned meeting")+".pdf", doctest.TextPDF("Anlage"), true,
			documents.Link{Kind: documents.LinkMeeting, ID: f.planned.ID}),
		e.put(t, mark("DATEI-GEMISCHT-F7R", "public file on a public and a non-public paper")+".pdf", doctest.TextPDF("Anlage"), true,
			documents.Link{Kind: documents.LinkPaper, ID: f.publicPaper.ID}, documents.Link{Kind: documents.LinkPaper, ID: f.hiddenPaper.ID}),
		e.put(t, "oeffentlich.pdf", doctest.TextPDF("Oeffentliche Anlage"), true, documents.Link{Kind: documents.LinkPaper, ID: f.publicPaper.ID}),
	}

	// Citizens' accounts (register.go): an unverified registration and a
	// verified one without consent to publish the name; their e-mail
	// addresses, names and groups never reach the public.
	for i, name := range []string{"UNBESTAETIGT-N7Q", "PSEUDONYM-N8R"} {
		reg := council.Registration{Email: mark(fmt.Sprintf("buerger-mail-%d-e9x@example.org", i), "a citizen's e-mail address"),
			Password: "ein langes Passwort", DisplayName: mark(name, "a citizen's name, not published"),
			GroupName: mark(fmt.Sprintf("GRUPPE-%d-G4Z", i), "the group a citizen represents")}
		if err := cs.Register(ctx, reg, e.srv.accounts.mailer); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.srv.pool.Exec(ctx, `UPDATE users SET email_verified = now() WHERE email = 'buerger-mail-1-e9x@example.org'`); err != nil {
		t.Fatal(err)
	}

	// Public questions (Einwohnerfragestunde, 00021_questions.sql): on
	// the invited meeting's question time the verified citizen without
	// consent to publish the name (PSEUDONYM-N8R) asks; submitted,
	// rejected (with its note) and merged questions stay non-public, as
	// does the oral answer before the minutes are approved; a published
	// question moved with its item into the non-public part hides too.
	f.questions = newQuestionsFixture(t, e, f.invited, mark)

	// Polls held in a live session: a non-public item's election carries
	// markers in its question and candidates (visibility_polls_test.go).
	polls := newPollFixture(t, e.testEnv, f.portalFixture)
	mark(pollQuestionMarker, "question of a poll on a non-public agenda item")
	mark(pollCandidateMarker, "candidate of an election on a non-public agenda item")
	f.minutes = newMinutesFixture(t, e, f.portalFixture, polls, mark)
	// Recordings: a segment of the non-public item (whose title is
	// secretMarker) beside a public one; the chapter list and the segment
	// itself must stay hidden (recordings_test.go).
	var recs []string
	for i, it := range []council.ID{hiddenItem, polls.public.ID, polls.hidden.ID} {
		m := f.invited.ID
		if i > 0 {
			m = polls.meeting.ID
		}
		r := must(e.docs.AddRecording(ctx, documents.NewRecording{MeetingID: m, ItemID: it, Started: time.Now().Add(-time.Hour),
			Duration: 3850 * time.Millisecond, Width: 320, Height: 180, Path: demoSegment(i + 1)}))(t)
		recs = append(recs, r.ID.String())
	}

	ids := func(xs ...council.ID) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = x.String()
		}
		return out
	}
	all := ids(f.council.ID, f.committee.ID, f.group.ID, f.person.ID, f.publicPaper.ID, f.hiddenPaper.ID, f.privatePathPaper.ID,
		deleted.ID, f.invited.ID, f.planned.ID, f.past.ID, f.cancelled.ID, hiddenItem, plannedItemID, item.ID,
		polls.meeting.ID, polls.public.ID, polls.hidden.ID, f.minutes.draft, f.minutes.approvalItem)
	for _, x := range files {
		all = append(all, x.ID.String())
	}
	drafts, _, err := cs.FindPapers(ctx, council.PaperQuery{BodyID: e.body.ID, Status: council.StatusDraft, Limit: 10})
	if err != nil || len(drafts) == 0 {
		t.Fatalf("draft papers: %d, %v", len(drafts), err)
	}
	for _, p := range drafts {
		all = append(all, p.ID.String())
	}
	// Initiatives (issue 19): a citizen's draft, a draft withdrawn before
	// it was published, and a public motion whose co-signer's e-mail
	// address and the author's (who did not consent to their name) must
	// never show.
	author := must(cs.CreateUser(ctx, council.User{Email: mark("autorin-INIT-9Q@buerger.example", "initiative author's e-mail"),
		DisplayName: mark("Autorin INIT-NAME-7K", "initiative author's name without consent"), PasswordHash: "x", Role: council.RoleCitizen}))(t)
	signer := must(cs.CreateUser(ctx, council.User{Email: mark("signer-INIT-4W@buerger.example", "co-signer's e-mail"),
		DisplayName: mark("Mitzeichner INIT-SIGN-2P", "co-signer's name"), PasswordHash: "x", Role: council.RoleCitizen}))(t)
	liveMust(t, "residence", cs.ConfirmResidence(ctx, signer.ID, true))
	liveMust(t, "birth year", cs.SetBirthYear(ctx, signer.ID, 1970))
	draftInit := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, AuthorID: author.ID,
		Title: mark("Entwurf INIT-DRAFT-3X", "citizen's draft motion"), Text: mark("Text INIT-DRAFT-TEXT-8V", "text of a draft motion")}))(t)
	gone := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, AuthorID: author.ID,
		Title: mark("Verworfen INIT-GONE-5R", "draft motion withdrawn unpublished"), Text: "x"}))(t)
	must(cs.WithdrawInitiative(ctx, gone.ID, author.ID, time.Now()))(t)
	open := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, AuthorID: author.ID, Title: "Öffentlicher Antrag", Text: "y"}))(t)
	must(cs.PublishInitiative(ctx, open.ID, author.ID, time.Now()))(t)
	must(cs.SignInitiative(ctx, open.ID, signer.ID, time.Now()))(t)
	// A councillor's own inquiry (Anfrage eines Ratsmitglieds), drafted
	// and co-signed by a fellow councillor: internal until admitted.
	councillor := func(given string) council.User {
		t.Helper()
		p := must(cs.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: given, FamilyName: "Ratsmitglied"}))(t)
		must(cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: f.council.ID, Role: "Mitglied"}))(t)
		return must(cs.CreateUser(ctx, council.User{Email: strings.ToLower(given) + "@rat.example", DisplayName: given,
			PasswordHash: "x", Role: council.RoleMember, PersonID: p.ID}))(t)
	}
	rm, rm2 := councillor("Rita"), councillor("Rolf")
	rmDraft := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, AuthorID: rm.ID, Kind: council.InitiativeCouncillor,
		OrganizationID: f.council.ID, PaperType: council.PaperInquiry,
		Title: mark("Anfrage INIT-RM-DRAFT-6T", "councillor's draft inquiry"), Text: mark("Text INIT-RM-TEXT-2H", "text of a councillor's draft")}))(t)
	must(cs.SignInitiative(ctx, rmDraft.ID, rm2.ID, time.Now()))(t)
	all = append(all, ids(draftInit.ID, gone.ID, open.ID, author.ID, signer.ID, rmDraft.ID, rm.ID, rm2.ID)...)
	// A member follows everything public and a search for the secret
	// marker; the private feed of these follows is a public reader too.
	as := e.srv.alerts
	for _, x := range []struct {
		kind alerts.Kind
		id   council.ID
	}{{alerts.Organization, f.council.ID}, {alerts.Organization, f.committee.ID}, {alerts.Paper, f.publicPaper.ID}, {alerts.Person, f.person.ID}} {
		must(as.Follow(ctx, rm.ID, x.kind, x.id, "", "", alerts.Daily))(t)
	}
	must(as.Follow(ctx, rm.ID, alerts.Search, council.NilID, "q="+secretMarker, secretMarker, alerts.Daily))(t)
	feed := must(as.NewFeedToken(ctx, rm.ID))(t)
	f.params = map[string][]string{"id": all, "item": all, "mid": all, "file": all, "rid": recs,
		"kind": {"paper", "meeting", "agenda_item"}, "token": {feed + ".atom"}}
	return f
}

// TestVisibilityEveryPublicReader enumerates every public reader — every
// GET route of the real router (chi.Walk, so a new route is covered or
// fails for want of a fixture value), the whole OParl API (crawled), the
// feeds, the open-data dumps and DCAT, search for each marker, and the
// public versions of the generated PDFs — as the anonymous public, against
// a database full of non-public markers, and fails on any marker.
func TestVisibilityEveryPublicReader(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	f := newHostileFixture(t, e)
	ctx := context.Background()

	e.buildIndex(t)

	c := e.anon()
	checked := 0
	check := func(what string, contentType string, body []byte) {
		t.Helper()
		checked++
		text := string(body)
		if strings.HasPrefix(contentType, "application/pdf") || bytes.HasPrefix(body, []byte("%PDF-")) {
			text += pdfText(t, body)
		}
		for m, thing := range f.markers {
			if strings.Contains(text, m) {
				t.Errorf("%s shows %q, the marker of a %s", what, m, thing)
			}
		}
	}
	get := func(path string) (int, string, []byte) {
		t.Helper()
		resp, err := c.Get(e.ts.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		check("GET "+path, resp.Header.Get("Content-Type"), b)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}

	paths := publicPaths(t, e, f)
	for _, p := range paths { // the live websocket: TestVisibilityLivePublic
		get(p)
	}
	for m := range f.markers {
		resp, err := c.Get(e.ts.URL + "/api/v1/search?q=" + url.QueryEscape(m))
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Hits []json.RawMessage `json:"hits"`
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("search API for %q: %v", m, err)
		}
		for _, h := range res.Hits {
			check("search API hit for "+m, "application/json", h)
		}
	}

	// The whole OParl API: follow every URL of this server from the entry.
	base := e.srv.opt.BaseURL
	seen := map[string]bool{}
	queue := []string{"/oparl/v1.1/system"}
	for len(queue) > 0 && len(seen) < 5000 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		status, ctype, body := get(p)
		if status != http.StatusOK || !strings.Contains(ctype, "json") {
			continue
		}
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Errorf("OParl %s: %v", p, err)
			continue
		}
		walkStrings(doc, func(s string) {
			for _, prefix := range []string{base, e.ts.URL} {
				if rest, ok := strings.CutPrefix(s, prefix); ok && strings.HasPrefix(rest, "/") && !seen[rest] {
					queue = append(queue, rest)
				}
			}
		})
	}
	if len(seen) < 20 {
		t.Errorf("OParl crawl reached %d URLs, want the whole API", len(seen))
	}

	// Generated PDFs, public versions: they are made when the agenda is
	// published (Invite) and for closed meetings; a planned meeting's
	// invitation is a staff preview (/admin/meetings/{id}/invitation.pdf).
	for _, m := range []meetings.Meeting{f.invited, f.past} {
		pdf, err := documents.InvitationPDF(ctx, e.council, e.meetings, m.ID, true)
		if err != nil {
			t.Fatalf("invitation %s: %v", m.Name, err)
		}
		check("public invitation of "+m.Name, "application/pdf", pdf)
	}
	// The minutes (visibility_minutes_test.go): every GET route above
	// read the approved and the draft minutes' pages and PDFs with the
	// fixture's ids; the stored public PDF is what OParl lists.
	if st, _, _ := get("/meetings/" + f.minutes.approved.String() + "/minutes.pdf"); st != http.StatusOK {
		t.Errorf("the approved minutes' public PDF: status %d", st)
	}
	if st, _, _ := get("/meetings/" + f.minutes.draft.String() + "/minutes"); st != http.StatusNotFound {
		t.Errorf("the draft minutes for the public: status %d, want 404", st)
	}
	for _, p := range []council.Paper{f.publicPaper, f.privatePathPaper} {
		pdf, err := documents.PaperPDF(ctx, e.council, e.meetings, p.ID, true)
		if err != nil {
			t.Fatalf("paper %s: %v", p.Name, err)
		}
		check("public paper sheet of "+p.Name, "application/pdf", pdf)
	}
	t.Logf("%d responses and documents checked for %d markers", checked, len(f.markers))
}

// TestVisibilityLivePublic is the live reader of TestVisibilityEveryPublicReader:
// a public websocket through a session with a non-public part on a
// non-public item (its title is the marker), and one opened during that
// part, see neither the item nor anything of the part; nor do the live
// and meeting pages.
func TestVisibilityLivePublic(t *testing.T) {
	e := newLiveEnv(t)
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	pub := e.dial(t, nil, "")
	check := func(what string, m live.Message) {
		t.Helper()
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), liveSecretTitle) {
			t.Errorf("%s shows the non-public item: %s", what, b)
		}
	}
	check("public snapshot", readMsg(t, pub))
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	e.do(t, clerk, live.NextItem{})
	late := e.dial(t, nil, "")
	check("public snapshot in the non-public part", readMsg(t, late))
	e.do(t, clerk, live.SetPart{Part: live.PartPublic})
	last, msgs := readUntil(t, pub, func(m live.Message) bool { return m.Type == live.TypeSnapshot })
	for _, m := range append(msgs, last) {
		check("public message", m)
	}
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	for _, path := range []string{"/meetings/" + e.meeting.ID.String() + "/live", "/meetings/" + e.meeting.ID.String()} {
		_, body := e.get(t, e.anon(), path)
		if strings.Contains(body, liveSecretTitle) {
			t.Errorf("GET %s in the non-public part shows the non-public item", path)
		}
	}
}

// walkStrings calls fn for every string in a decoded JSON value.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, y := range x {
			walkStrings(y, fn)
		}
	case map[string]any:
		for _, y := range x {
			walkStrings(y, fn)
		}
	}
}

// publicPaths lists what the public can GET: every GET route of the real
// router with each parameter set to every fixture id (chi.Walk, so a new
// route is covered or fails for want of a fixture value), query variants
// of the list pages, and every search reader with each marker's first
// word and first three letters as the query. OParl (crawled), static
// files and the live websocket are left to their own checks.
func publicPaths(t *testing.T, e *filesEnv, f hostileFixture) []string {
	t.Helper()
	// Every GET route, each parameter with every fixture id.
	param := regexp.MustCompile(`\{[^}]+\}`)
	var paths []string
	err := chi.Walk(e.srv.router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method != http.MethodGet {
			return nil
		}
		switch {
		case strings.HasSuffix(pattern, "/*") && pattern != "/oparl/*" && pattern != "/static/*":
			t.Errorf("route %s: a catch-all this test does not know; add how to crawl it", pattern)
			return nil
		case strings.HasSuffix(pattern, "/*"):
			return nil // OParl is crawled below; static files hold no data
		}
		expanded := []string{pattern}
		for _, p := range param.FindAllString(pattern, -1) {
			values := f.params[strings.Trim(p, "{}")]
			if len(values) == 0 {
				t.Errorf("route %s: no fixture value for %s", pattern, p)
				return nil
			}
			var next []string
			for _, x := range expanded {
				for _, v := range values {
					next = append(next, strings.Replace(x, p, v, 1))
				}
			}
			expanded = next
		}
		paths = append(paths, expanded...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Query variants of the list pages and every search reader, with
	// each marker and its first word as the query.
	month := f.invited.Start.In(site.Berlin).Format("2006-01")
	paths = append(paths, "/meetings?year="+month[:4], "/meetings/month?m="+month,
		"/meetings/month?m="+f.planned.Start.In(site.Berlin).Format("2006-01"), "/papers?page=1&type=motion", "/?lang=en",
		"/beschlusskontrolle?status=not_implemented", "/beschlusskontrolle?status=overdue", "/beschlusskontrolle?body="+f.council.ID.String(),
		"/beschlusskontrolle.atom?body="+f.council.ID.String())
	// A search page repeats its query, so the pages are searched for part
	// of each marker (the whole marker must then not appear), and the JSON
	// API for the whole marker (no hit may carry it).
	for m := range f.markers {
		words := strings.FieldsFunc(m, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, q := range []string{words[0], m[:3]} {
			q = url.QueryEscape(q)
			paths = append(paths, "/search?q="+q, "/api/v1/search?q="+q, "/api/v1/search/suggest?q="+q, "/search/feed?q="+q)
		}
	}
	sort.Strings(paths)
	return slices.DeleteFunc(paths, func(p string) bool { return strings.HasSuffix(p, "/live/ws") })
}
