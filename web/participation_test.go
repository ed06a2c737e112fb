package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/participation"
)

// participationEnv is a test env with the city's rules (2 signatures, 14
// years), a council with a coming meeting, and resident citizens.
type participationEnv struct {
	*testEnv
	council council.Organization
	meeting meetings.Meeting
}

func newParticipationEnv(t *testing.T) *participationEnv {
	t.Helper()
	e := &participationEnv{testEnv: newTestEnv(t)}
	e.srv.auth.failDelay = 0
	ctx := t.Context()
	liveMust(t, "rules", e.testEnv.council.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: e.body.ID, Threshold: 2,
		MinAge: 14, CollectDays: 60, AnswerDays: 90, MotionDeadline: 10}))
	e.council = must(e.testEnv.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil}))(t)
	e.meeting = must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Stadtrates",
		Start: time.Now().AddDate(0, 0, 21).Truncate(time.Minute), Organizations: []council.ID{e.council.ID}}))(t)
	must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: e.meeting.ID, Name: "Einwohnerfragestunde", Public: true}))(t)
	e.meeting = must(e.meetings.Invite(ctx, e.meeting.ID, time.Now()))(t) // its agenda is public
	return e
}

// groupMember creates a person who is a current member of org, with an
// account of role (password testPassword) linked to it, and logs it in.
func (e *participationEnv) groupMember(t *testing.T, org council.Organization, given string, role council.Role) (*http.Client, council.User) {
	t.Helper()
	ctx := t.Context()
	p := must(e.testEnv.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: given, FamilyName: "Muster"}))(t)
	must(e.testEnv.council.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, Role: "Mitglied"}))(t)
	hash, err := council.HashPassword(testPassword)
	liveMust(t, "hash", err)
	u := must(e.testEnv.council.CreateUser(ctx, council.User{Email: strings.ToLower(given) + "@gruppe.example", DisplayName: given,
		PasswordHash: hash, Role: role, PersonID: p.ID}))(t)
	c := e.anon()
	resp := e.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", given, resp.StatusCode)
	}
	return c, u
}

// resident logs in a verified citizen whose residence the clerk
// confirmed, born in born (0: no birth year).
func (e *participationEnv) resident(t *testing.T, born int) (*http.Client, council.User) {
	t.Helper()
	c, u := e.login(t, council.RoleCitizen)
	liveMust(t, "residence", e.testEnv.council.ConfirmResidence(t.Context(), u.ID, true))
	if born != 0 {
		liveMust(t, "birth year", e.testEnv.council.SetBirthYear(t.Context(), u.ID, born))
	}
	return c, u
}

// TestParticipationBadInput: what a citizen may not do answers with a
// clear message and changes nothing — an anonymous draft, an empty or
// oversize form (the input kept), script in the text (shown as text),
// someone else's draft, a draft's page for the public, publishing twice,
// signing twice, without confirmed residence, without a birth year,
// submitting below the threshold, an unknown step, a forged group, a POST
// without the CSRF token.
func TestParticipationBadInput(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	anon := e.anon()
	if st, loc, _ := e.adminPost(t, anon, "/beteiligung/antraege", url.Values{"title": {"x"}, "text": {"y"}}); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("anonymous draft: %d %q, want 303 to the login", st, loc)
	}
	anna, annaU := e.resident(t, 1980)
	st, _, body := e.adminPost(t, anna, "/beteiligung/antraege", url.Values{"title": {" "}, "text": {strings.Repeat("ä", 20001)}, "reasoning": {"Weil"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("empty title, oversize text: %d", st)
	}
	mustContain(t, "form with errors", body, `href="#f-title"`, `href="#f-text"`, ">Weil</textarea>", `aria-invalid="true"`)
	if st, _, _ := e.adminPost(t, anna, "/beteiligung/antraege", url.Values{"title": {"x"}, "text": {"y"}, "group": {council.NewID().String()}}); st != http.StatusUnprocessableEntity {
		t.Errorf("a forged group: %d, want 422", st)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM initiatives`); n != 0 {
		t.Fatalf("%d initiatives stored from refused forms", n)
	}
	const script = `<script>alert("x")</script>`
	loc := e.mustRedirect(t, anna, "/beteiligung/antraege", url.Values{"title": {"Spielplatz " + script}, "text": {"Der Rat möge " + script}}, "/beteiligung/antraege/")
	id := loc
	page := "/beteiligung/antraege/" + id
	_, body = e.get(t, anna, page+"?notice=saved")
	mustContain(t, "draft", body, "Entwurf gespeichert.", "&lt;script&gt;", "Zur Unterschrift veröffentlichen")
	mustNotContain(t, "draft", body, script)
	if st, _ := e.get(t, anon, page); st != http.StatusNotFound {
		t.Errorf("the public reads a draft: %d", st)
	}
	bob, _ := e.resident(t, 0)
	if st, _, body := e.adminPost(t, bob, page+"/veroeffentlichen", nil); st != http.StatusNotFound {
		t.Errorf("someone else publishes the draft: %d %s", st, excerpt(body)) // they cannot see it
	}
	e.mustRedirect(t, anna, page+"/veroeffentlichen", nil, page)
	if st, _, body := e.adminPost(t, anna, page+"/veroeffentlichen", nil); st != http.StatusConflict || !strings.Contains(body, "in diesem Stand") {
		t.Errorf("publishing twice: %d", st)
	}
	if st, _, body := e.adminPost(t, bob, page+"/unterschreiben", nil); st != http.StatusForbidden || !strings.Contains(body, "Geburtsjahr") {
		t.Errorf("signing without a birth year: %d", st)
	}
	carl, carlU := e.login(t, council.RoleCitizen)
	liveMust(t, "birth year", e.testEnv.council.SetBirthYear(t.Context(), carlU.ID, 1970))
	if st, _, body := e.adminPost(t, carl, page+"/unterschreiben", nil); st != http.StatusForbidden || !strings.Contains(body, "Wohnsitz") {
		t.Errorf("signing without confirmed residence: %d", st)
	}
	_, body = e.get(t, carl, page)
	mustContain(t, "page for a non-resident", body, "deren Wohnsitz die Stadt bestätigt hat")
	mustNotContain(t, "page for a non-resident", body, "Antrag unterschreiben")
	e.mustRedirect(t, anna, page+"/unterschreiben", nil, page)
	if st, _, body := e.adminPost(t, anna, page+"/unterschreiben", nil); st != http.StatusConflict || !strings.Contains(body, "bereits unterschrieben") {
		t.Errorf("signing twice: %d", st)
	}
	if st, _, body := e.adminPost(t, anna, page+"/einreichen", nil); st != http.StatusConflict || !strings.Contains(body, "nicht genug Unterschriften") {
		t.Errorf("submitting with 1 of 2: %d", st)
	}
	if st, _, _ := e.adminPost(t, anna, page+"/loeschen", nil); st != http.StatusNotFound {
		t.Errorf("an unknown step: %d", st)
	}
	resp, err := anna.PostForm(e.ts.URL+page+"/zurueckziehen", url.Values{})
	liveMust(t, "post", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: %d", resp.StatusCode)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM initiative_signatures`); n != 1 {
		t.Errorf("%d signatures, want Anna's", n)
	}
	// Reports: anyone may report a public motion (a reason is needed);
	// the clerk sees and closes it; a flood from one address is refused.
	if st, _, body := e.adminPost(t, anon, page+"/melden", url.Values{"reason": {"nonsense"}}); st != http.StatusBadRequest || !strings.Contains(body, "Beitrag melden") {
		t.Errorf("report without a known reason: %d", st)
	}
	e.mustRedirect(t, anon, page+"/melden", url.Values{"reason": {"personal_data"}, "note": {"Name eines Nachbarn im Text"}}, page)
	clerk, _ := e.login(t, council.RoleClerk)
	_, body = e.get(t, clerk, "/admin/initiatives")
	mustContain(t, "open reports", body, "enthält persönliche Daten anderer", "Name eines Nachbarn im Text")
	reportID := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM abuse_reports WHERE resolved_at IS NULL`)
	if reportID != 1 {
		t.Fatalf("%d open reports, want 1", reportID)
	}
	var rid council.ID
	liveMust(t, "report id", e.srv.pool.QueryRow(t.Context(), `SELECT id FROM abuse_reports`).Scan(&rid))
	e.mustRedirect(t, clerk, "/admin/reports/"+rid.String()+"/resolve", url.Values{"resolution": {"Name im Text unkenntlich gemacht"}}, "/admin/initiatives")
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM abuse_reports WHERE resolved_at IS NULL`); n != 0 {
		t.Errorf("%d open reports after closing", n)
	}
	throttled := false
	for range participation.MaxReportsPerHour + 1 {
		st, _, _ := e.adminPost(t, anon, page+"/melden", url.Values{"reason": {"spam"}})
		throttled = throttled || st == http.StatusTooManyRequests
	}
	if !throttled {
		t.Errorf("%d reports from one address in an hour: never refused", participation.MaxReportsPerHour+1)
	}
	// Starting more than ten motions a day is refused with a message.
	for i := 1; ; i++ {
		st, _, body := e.adminPost(t, bob, "/beteiligung/antraege", url.Values{"title": {fmt.Sprintf("Antrag %d", i)}, "text": {"x"}})
		if st == http.StatusUnprocessableEntity {
			mustContain(t, "draft flood", body, "schon zehn Anträge")
			if i != participation.MaxDraftsPerDay+1 {
				t.Errorf("refused at motion %d, want %d", i, participation.MaxDraftsPerDay+1)
			}
			break
		}
		if st != http.StatusSeeOther || i > participation.MaxDraftsPerDay+1 {
			t.Fatalf("motion %d: %d", i, st)
		}
	}

	_, body = e.get(t, anon, "/beteiligung?lang=en")
	mustContain(t, "public list in English", body, "Motions collecting signatures", "1 of 2 signatures", "&lt;script&gt;")
	mustNotContain(t, "public list", body, annaU.Email, script)
}

// TestInitiativeRouting: the admit form preselects the responsible body
// (the city's route for the kind, else the council) and its next meeting
// whose agenda deadline is open, and says so; admitting with it puts the
// Paper on that agenda and the public motion page names the meeting. A
// body without such a meeting gets none, and the clerk may leave the
// meeting out: the page then says it is not fixed yet.
func TestInitiativeRouting(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	ctx := t.Context()
	cs := e.testEnv.council
	jugendrat := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Kinder- und Jugendrat", Kind: council.KindYouthCouncil}))(t)
	gwa := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "GWA Nordviertel", Kind: council.KindCommunityGroup}))(t)
	jha := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Jugendhilfeausschuss", Kind: council.KindCommittee}))(t)
	sozial := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Sozialausschuss", Kind: council.KindCommittee}))(t)
	liveMust(t, "rules", cs.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: e.body.ID, Threshold: 2, MinAge: 14,
		CollectDays: 60, AnswerDays: 90, MotionDeadline: 10, AgendaDays: 7,
		Routes: map[council.InitiativeKind]council.ID{council.InitiativeYouth: jha.ID, council.InitiativeCommunity: sozial.ID}}))
	rules := must(cs.ParticipationRules(ctx, e.body.ID))(t)
	if rules.RouteFor(council.InitiativeYouth) != jha.ID || rules.AgendaDays != 7 {
		t.Fatalf("rules read back: %+v", rules)
	}
	day := func(d int) time.Time { return time.Now().AddDate(0, 0, d).Truncate(time.Hour) }
	must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "JHA zu bald", Start: day(3), Organizations: []council.ID{jha.ID}}))(t)
	next := must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "JHA mit Frist", Start: day(14), Organizations: []council.ID{jha.ID}}))(t)
	must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: next.ID, Name: "Eröffnung", Public: true}))(t)
	must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "JHA später", Start: day(40), Organizations: []council.ID{jha.ID}}))(t)

	file := func(org council.Organization, kind council.InitiativeKind, given, title string) council.Initiative {
		_, rep := e.groupMember(t, org, given, council.RoleCitizen)
		in := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, Kind: kind, AuthorID: rep.ID, OrganizationID: org.ID,
			Title: title, Text: "Der Rat möge beschließen."}))(t)
		return must(cs.SubmitInitiative(ctx, in.ID, rep.ID, time.Now(), nil))(t)
	}
	youth := file(jugendrat, council.InitiativeYouth, "Jana", "Skatepark am Stadtpark")
	clerk, _ := e.login(t, council.RoleClerk)
	admin := "/admin/initiatives/" + youth.ID.String()
	_, body := e.get(t, clerk, admin)
	mustContain(t, "admit form", body, "Vorausgewählt: Jugendhilfeausschuss, nächste Sitzung mit Frist: JHA mit Frist",
		fmt.Sprintf(`<option value="%s" selected>Jugendhilfeausschuss</option>`, jha.ID),
		fmt.Sprintf(`<option value="%s" selected>JHA mit Frist`, next.ID))
	e.mustRedirect(t, clerk, admin+"/admit", url.Values{"org": {jha.ID.String()}, "meeting": {next.ID.String()}}, admin)
	items := must(e.meetings.AgendaItems(ctx, next.ID))(t)
	youth = must(cs.Initiative(ctx, youth.ID))(t)
	if len(items) != 2 || items[1].PaperID != youth.PaperID {
		t.Fatalf("agenda of %s: %+v, want the motion's paper %s", next.Name, items, youth.PaperID)
	}
	anon := e.anon()
	page := "/beteiligung/antraege/" + youth.ID.String()
	_, body = e.get(t, anon, page)
	mustContain(t, "public page, agenda not published", body, "Beratung", "Jugendhilfeausschuss", "Tagesordnung noch nicht veröffentlicht")
	mustNotContain(t, "public page, agenda not published", body, "JHA mit Frist")
	must(e.meetings.Invite(ctx, next.ID, time.Now()))(t)
	_, body = e.get(t, anon, page+"?lang=en")
	mustContain(t, "public page, agenda published", body, "Consultation", fmt.Sprintf(`href="/meetings/%s`, next.ID), "JHA mit Frist")

	// The community group's route has no meeting: the form says so, the
	// clerk admits without one, and the page says it is not fixed yet.
	grp := file(gwa, council.InitiativeCommunity, "Gerd", "Bank am Brunnen")
	admin = "/admin/initiatives/" + grp.ID.String()
	_, body = e.get(t, clerk, admin)
	mustContain(t, "admit form without a meeting", body, "Sozialausschuss hat keine kommende Sitzung",
		fmt.Sprintf(`<option value="%s" selected>Sozialausschuss</option>`, sozial.ID), `<option value="">später über die Tagesordnung einplanen</option>`)
	mustNotContain(t, "admit form without a meeting", body, "JHA mit Frist</option> selected", `" selected>JHA`)
	e.mustRedirect(t, clerk, admin+"/admit", url.Values{"org": {sozial.ID.String()}, "meeting": {""}}, admin)
	_, body = e.get(t, anon, "/beteiligung/antraege/"+grp.ID.String())
	mustContain(t, "public page, no meeting", body, "Sozialausschuss", "Sitzung noch nicht festgelegt")

	// A citizens' motion without a route goes to the council's next
	// meeting (the env's, in 21 days).
	rep := must(cs.CreateUser(ctx, council.User{Email: "clara@buerger.example", DisplayName: "Clara", PasswordHash: "x", Role: council.RoleCitizen}))(t)
	cit := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, Kind: council.InitiativeCitizens, AuthorID: rep.ID,
		Title: "Mehr Bänke", Text: "Der Rat möge beschließen."}))(t)
	liveMust(t, "rules without threshold", cs.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: e.body.ID, MinAge: 14,
		CollectDays: 60, AnswerDays: 90, MotionDeadline: 10, AgendaDays: 7}))
	must(cs.PublishInitiative(ctx, cit.ID, rep.ID, time.Now()))(t)
	_, signer := e.resident(t, 1980)
	must(cs.SignInitiative(ctx, cit.ID, signer.ID, time.Now()))(t)
	must(cs.SubmitInitiative(ctx, cit.ID, rep.ID, time.Now(), nil))(t)
	_, body = e.get(t, clerk, "/admin/initiatives/"+cit.ID.String())
	mustContain(t, "citizens' motion to the council", body, "Vorausgewählt: Stadtrat, nächste Sitzung mit Frist: Sitzung des Stadtrates",
		fmt.Sprintf(`<option value="%s" selected>Sitzung des Stadtrates`, e.meeting.ID))
}

// TestInitiativeReceiptMail: submitting a motion on its page queues the
// receipt in the submission's transaction; at a real SMTP server the
// author reads it in their language, plain text and HTML, with the title
// (escaped in HTML), the submission's time in Germany, the receipt number,
// the motion's link and, for a group's motion, the group. A refused
// submission sends nothing.
func TestInitiativeReceiptMail(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	ctx := t.Context()
	cs := e.testEnv.council
	smtpd := mailtest.Start(t, mailtest.Options{})
	berlin, err := time.LoadLocation("Europe/Berlin")
	liveMust(t, "location", err)

	// A youth council's motion, submitted by its representative (German).
	jugendrat := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Kinder- und Jugendrat", Kind: council.KindYouthCouncil}))(t)
	jana, janaU := e.groupMember(t, jugendrat, "Jana", council.RoleCitizen)
	const title = `Skatepark <b>jetzt</b>`
	in := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, Kind: council.InitiativeYouth, AuthorID: janaU.ID,
		OrganizationID: jugendrat.ID, Title: title, Text: "Der Rat möge einen Skatepark bauen."}))(t)
	page := "/beteiligung/antraege/" + in.ID.String()
	e.mustRedirect(t, jana, page+"/einreichen", nil, page)
	in = must(cs.Initiative(ctx, in.ID))(t)
	msgs := e.deliver(t, smtpd)
	if len(msgs) != 1 || msgs[0].To != janaU.Email {
		t.Fatalf("%d messages, want the receipt to %s", len(msgs), janaU.Email)
	}
	m := msgs[0]
	when := in.SubmittedAt.In(berlin).Format("02.01.2006, 15:04") + " Uhr (" + in.SubmittedAt.In(berlin).Format("MST") + ")"
	if m.Subject != "Eingangsbestätigung: „"+title+"“" {
		t.Errorf("subject %q", m.Subject)
	}
	mustContain(t, "receipt text", m.Text, "Ihr Antrag ist eingegangen.", "Antrag: "+title, "Eingereicht für: Kinder- und Jugendrat",
		"Eingegangen am: "+when, "Eingangsnummer: "+in.ID.String()[:8], "http://plenar.test"+page)
	mustContain(t, "receipt HTML", m.HTML, `lang="de"`, "Skatepark &lt;b&gt;jetzt&lt;/b&gt;", "Kinder- und Jugendrat", when,
		`href="http://plenar.test`+page+`"`)
	mustNotContain(t, "receipt HTML", m.HTML, "<b>jetzt")

	// A citizens' motion of an English-speaking author: English, no group.
	anna, annaU := e.resident(t, 1980)
	if _, err := e.srv.pool.Exec(ctx, `UPDATE users SET lang = 'en' WHERE id = $1`, annaU.ID); err != nil {
		t.Fatal(err)
	}
	cit := must(cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: e.body.ID, Kind: council.InitiativeCitizens, AuthorID: annaU.ID,
		Title: "More benches", Text: "The council shall put up benches."}))(t)
	page = "/beteiligung/antraege/" + cit.ID.String()
	e.mustRedirect(t, anna, page+"/veroeffentlichen", nil, page)
	// Refused (1 of 2 signatures): nothing is queued.
	if st, _, _ := e.adminPost(t, anna, page+"/einreichen", nil); st != http.StatusConflict {
		t.Fatalf("submitting below the threshold: %d", st)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM mail_outbox WHERE recipient = $1`, annaU.Email); n != 0 {
		t.Errorf("%d messages queued for a refused submission", n)
	}
	for range 2 {
		_, u := e.resident(t, 1990)
		must(cs.SignInitiative(ctx, cit.ID, u.ID, time.Now()))(t)
	}
	e.mustRedirect(t, anna, page+"/einreichen?lang=en", nil, page)
	cit = must(cs.Initiative(ctx, cit.ID))(t)
	msgs = e.deliver(t, smtpd)
	if len(msgs) != 2 || msgs[1].To != annaU.Email {
		t.Fatalf("%d messages, want a second to %s", len(msgs), annaU.Email)
	}
	m = msgs[1]
	when = cit.SubmittedAt.In(berlin).Format("2 January 2006, 15:04") + " (" + cit.SubmittedAt.In(berlin).Format("MST") + ")"
	if m.Subject != "Receipt: “More benches”" {
		t.Errorf("subject %q", m.Subject)
	}
	mustContain(t, "English receipt", m.Text, "your motion has been received", "Motion: More benches", "Received: "+when,
		"Receipt no.: "+cit.ID.String()[:8], "http://plenar.test"+page)
	mustNotContain(t, "English receipt", m.Text, "Filed on behalf of")
	mustContain(t, "English receipt HTML", m.HTML, `lang="en"`, when)
}

// TestParticipationRulesForm: the clerk sets the municipality's
// participation rules in the back office (threshold, minimum age,
// deadlines, the responsible body per kind of motion); a refused form
// comes back with the input and a message at the field and stores
// nothing; members and citizens cannot reach it.
func TestParticipationRulesForm(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	ctx := t.Context()
	cs := e.testEnv.council
	jha := must(cs.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Jugendhilfeausschuss", Kind: council.KindCommittee}))(t)
	clerk, _ := e.login(t, council.RoleClerk)
	_, body := e.get(t, clerk, "/admin/participation")
	mustContain(t, "form", body, "Regeln der Beteiligung", `name="threshold_share"`, `name="route_youth_council"`, "Jugendhilfeausschuss")
	good := url.Values{"inhabitants": {"48500"}, "threshold": {"0"}, "threshold_share": {"2,5"}, "min_age": {"14"},
		"collect_days": {"90"}, "answer_days": {"60"}, "motion_deadline": {"10"}, "agenda_days": {"7"},
		"route_youth_council": {jha.ID.String()}}
	e.mustRedirect(t, clerk, "/admin/participation", good, "/admin/participation")
	r := must(cs.ParticipationRules(ctx, e.body.ID))(t)
	if r.Inhabitants != 48500 || r.ThresholdShare != 0.025 || r.MinAge != 14 || r.AnswerDays != 60 || r.AgendaDays != 7 ||
		r.RouteFor(council.InitiativeYouth) != jha.ID || r.RouteFor(council.InitiativeCommunity) != council.NilID {
		t.Fatalf("rules after saving: %+v", r)
	}
	_, body = e.get(t, clerk, "/admin/participation?lang=en")
	mustContain(t, "form after saving", body, `value="2.5"`, `value="48500"`, fmt.Sprintf(`<option value="%s" selected>Jugendhilfeausschuss`, jha.ID))

	for _, tc := range []struct {
		name, field, value string
	}{
		{"share over 100 %", "threshold_share", "150"},
		{"not a number", "min_age", "vierzehn"},
		{"no collection period", "collect_days", "0"},
		{"unknown body", "route_community_group", council.NewID().String()},
		{"not an id", "route_party_group", "<script>alert(1)</script>"},
	} {
		bad := url.Values{}
		for k, v := range good {
			bad[k] = v
		}
		bad.Set(tc.field, tc.value)
		resp := e.postForm(t, clerk, "/admin/participation", bad)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `aria-invalid="true"`) || strings.Contains(string(b), "<script>alert") {
			t.Errorf("%s: status %d, want 400 with the field marked and the input escaped", tc.name, resp.StatusCode)
		}
		if got := must(cs.ParticipationRules(ctx, e.body.ID))(t); got.ThresholdShare != 0.025 || got.MinAge != 14 || got.CollectDays != 90 ||
			len(got.Routes) != 1 {
			t.Errorf("%s: stored %+v", tc.name, got)
		}
	}
	for _, role := range []council.Role{council.RoleMember, council.RoleCitizen} {
		c, _ := e.login(t, role)
		if resp := e.postForm(t, c, "/admin/participation", good); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s posts the rules: %d", role, resp.StatusCode)
		} else {
			resp.Body.Close()
		}
	}
}
