package meetings_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/meetings"
)

// TestMemberMail: publishing a meeting mails every member of its body
// exactly once, through a real SMTP server — in their language, with the
// public agenda, the non-public part only counted, the links and the
// iCalendar file (DTSTART in UTC, the meeting's UID) — and nobody else: a
// member of another committee, a former member, a citizen, an unverified
// and a disabled account get nothing. Publishing again fails and sends
// nothing; a failed publication (empty agenda) sends nothing. A burst of
// agenda changes sends each member one note (a list they can leave); a
// minutes approval on the agenda sends the draft's link. No message ever
// carries a non-public item's title.
func TestMemberMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := e.ctx
	srv := mailtest.Start(t, mailtest.Options{})
	const base = "https://ratsinfo.musterstadt.example"
	ms := mail.NewStore(e.pool, base)
	tpl, err := mail.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s := e.s.WithMailer(mail.MemberMailer{Store: ms, Templates: tpl, Site: "Musterstadt"})
	cfg, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender := &mail.Sender{Pool: e.pool, SMTP: cfg, From: "ratsinfo@musterstadt.example", Timeout: 10 * time.Second}
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	start := time.Date(2026, 6, 10, 17, 0, 0, 0, time.UTC) // 19:00 in Germany (CEST)
	member := func(email, lang string, org council.ID, from, to time.Time, role council.Role, verified, disabled bool) {
		t.Helper()
		p, err := e.c.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: "X", FamilyName: email})
		check("person", err)
		ms := council.Membership{PersonID: p.ID, OrganizationID: org}
		ms.Start, ms.End = from, to
		_, err = e.c.SaveMembership(ctx, ms)
		check("membership", err)
		u, err := e.c.CreateUser(ctx, council.User{Email: email, PasswordHash: "x", Role: role, PersonID: p.ID})
		check("user", err)
		_, err = e.pool.Exec(ctx, `UPDATE users SET lang = $2, disabled = $3, email_verified = CASE WHEN $4 THEN email_verified END WHERE id = $1`,
			u.ID, lang, disabled, verified)
		check("user state", err)
	}
	var none time.Time
	member("anna@rat.example", "de", e.rat.ID, none, none, council.RoleMember, true, false)
	member("ben@rat.example", "en", e.rat.ID, start.AddDate(-1, 0, 0), start.AddDate(1, 0, 0), council.RoleMember, true, false)
	member("cem@ausschuss.example", "de", e.ausschuss.ID, none, none, council.RoleMember, true, false)                            // another body
	member("dora@rat.example", "de", e.rat.ID, start.AddDate(-5, 0, 0), start.AddDate(0, -1, 0), council.RoleMember, true, false) // left
	member("emil@rat.example", "de", e.rat.ID, none, none, council.RoleCitizen, true, false)                                      // a citizen's account
	member("fritz@rat.example", "de", e.rat.ID, none, none, council.RoleMember, false, false)                                     // unverified
	member("gabi@rat.example", "de", e.rat.ID, none, none, council.RoleMember, true, true)                                        // disabled
	_, err = e.c.CreateUser(ctx, council.User{Email: "hans@buerger.example", PasswordHash: "x", Role: council.RoleCitizen})
	check("citizen", err)

	const secret = "GEHEIM-Grundstücksverkauf-7f3a"
	m, err := s.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Stadtrats", Start: start,
		End: start.Add(3 * time.Hour), Organizations: []council.ID{e.rat.ID}})
	check("meeting", err)
	if _, err := s.Invite(ctx, m.ID, start.AddDate(0, 0, -10)); err == nil {
		t.Fatal("an empty agenda was published")
	}
	_, err = s.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Haushaltssatzung 2027", Public: true})
	check("item", err)
	_, err = s.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: secret, Public: false})
	check("secret item", err)
	if n, err := sender.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("before the invitation: sent %d, %v; want nothing (a planned meeting's agenda changes tell nobody)", n, err)
	}
	_, err = s.Invite(ctx, m.ID, start.AddDate(0, 0, -10))
	check("invite", err)
	if _, err := s.Invite(ctx, m.ID, start.AddDate(0, 0, -9)); err == nil {
		t.Error("a meeting was published twice")
	}
	if n, err := sender.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("invitations: sent %d, %v; want 2", n, err)
	}
	got := srv.Messages()
	byTo := map[string]mailtest.Received{}
	for _, r := range got {
		if _, dup := byTo[r.To]; dup {
			t.Errorf("%s got two invitations", r.To)
		}
		byTo[r.To] = r
	}
	if len(byTo) != 2 || byTo["anna@rat.example"].To == "" || byTo["ben@rat.example"].To == "" {
		t.Fatalf("invited: %v; want anna and ben only", keys(byTo))
	}
	link := base + "/meetings/" + m.ID.String()
	anna, ben := byTo["anna@rat.example"], byTo["ben@rat.example"]
	if anna.Subject != "Einladung: Sitzung des Stadtrats am 10.06.2026, 19:00 Uhr (CEST)" {
		t.Errorf("German subject: %q", anna.Subject)
	}
	if !strings.HasPrefix(ben.Subject, "Invitation: Sitzung des Stadtrats on 10 June 2026, 19:00") {
		t.Errorf("English subject: %q", ben.Subject)
	}
	for _, r := range []mailtest.Received{anna, ben} {
		for _, want := range []string{"Haushaltssatzung 2027", link, link + "/invitation.pdf", link + "/live/member"} {
			if !strings.Contains(r.Text, want) || !strings.Contains(r.HTML, want) {
				t.Errorf("%s: the invitation lacks %q:\n%s", r.To, want, r.Text)
			}
		}
		if r.Header.Get("List-Unsubscribe") != "" {
			t.Errorf("%s: the invitation is a duty, not a list: %q", r.To, r.Header.Get("List-Unsubscribe"))
		}
		if len(r.Parts) != 1 || r.Parts[0].Type != "text/calendar" || r.Parts[0].Params["method"] != "PUBLISH" {
			t.Fatalf("%s: calendar part: %+v", r.To, r.Parts)
		}
		ics := strings.ReplaceAll(string(r.Parts[0].Data), "\r\n ", "")
		for _, want := range []string{"METHOD:PUBLISH\r\n", "DTSTART:20260610T170000Z\r\n", "DTEND:20260610T200000Z\r\n",
			"UID:" + m.ID.String() + "@ratsinfo.musterstadt.example\r\n", "SUMMARY:Sitzung des Stadtrats\r\n", "URL:" + link + "\r\n"} {
			if !strings.Contains(ics, want) {
				t.Errorf("%s: the calendar lacks %q:\n%s", r.To, want, ics)
			}
		}
	}
	if !strings.Contains(anna.Text, "Nichtöffentlicher Teil: 1 Punkt") || !strings.Contains(ben.Text, "Closed part: 1 item") {
		t.Errorf("the non-public part is not counted:\n%s\n%s", anna.Text, ben.Text)
	}

	// A burst of agenda changes: one note per member, on its list.
	_, err = s.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Anfragen", Public: true})
	check("add item", err)
	items, err := s.AgendaItems(ctx, m.ID)
	check("items", err)
	check("move", s.MoveItem(ctx, m.ID, items[len(items)-1].ID, -1))
	check("delete", s.DeleteItem(ctx, m.ID, items[len(items)-1].ID))
	// The note waits AgendaChangeDelay; bring it forward instead of waiting.
	_, err = e.pool.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = now() WHERE state = 'queued'`)
	check("due", err)
	if n, err := sender.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("agenda changes: sent %d, %v; want one note to each of 2 members", n, err)
	}
	got = srv.Messages()
	for _, r := range got[2:] {
		if !strings.Contains(r.Subject, "Tagesordnung geändert") && !strings.Contains(r.Subject, "Agenda changed") ||
			!strings.Contains(r.Text, link) || !strings.Contains(r.Header.Get("List-Unsubscribe"), base+"/unsubscribe?t=") {
			t.Errorf("agenda change note to %s: %q\n%s\n%v", r.To, r.Subject, r.Text, r.Header)
		}
	}
	// After it was sent, a new change is a new note.
	_, err = s.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Verschiedenes", Public: true})
	check("add item", err)
	var waiting int
	check("count", e.pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE state = 'queued' AND list = $1`, mail.ListAgendaChanges).Scan(&waiting))
	if waiting != 2 {
		t.Errorf("after the notes went out, a change queued %d notes; want 2", waiting)
	}

	// The minutes of an earlier meeting go on the agenda for approval.
	earlier, err := s.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Stadtrats (Mai)", Start: start.AddDate(0, -1, 0),
		Organizations: []council.ID{e.rat.ID}})
	check("earlier", err)
	_, err = s.AddMinutesApproval(ctx, m.ID, earlier.ID)
	check("minutes approval", err)
	_, err = e.pool.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = now() WHERE state = 'queued'`)
	check("due", err)
	if n, err := sender.RunOnce(ctx); err != nil || n != 4 {
		t.Fatalf("minutes and changes: sent %d, %v; want 2 minutes notes and 2 agenda notes", n, err)
	}
	minutes := 0
	for _, r := range srv.Messages()[4:] {
		if strings.Contains(r.Subject, "Niederschrift zur Genehmigung") || strings.Contains(r.Subject, "Minutes for approval") {
			minutes++
			if !strings.Contains(r.Text, base+"/meetings/"+earlier.ID.String()+"/minutes") {
				t.Errorf("minutes note to %s lacks the draft's link:\n%s", r.To, r.Text)
			}
		}
	}
	if minutes != 2 {
		t.Errorf("%d minutes notes, want 2", minutes)
	}
	for _, r := range srv.Messages() {
		if r.To != "anna@rat.example" && r.To != "ben@rat.example" {
			t.Errorf("mail to %s, who is no current member with a verified account", r.To)
		}
		if strings.Contains(string(r.Raw), secret) || strings.Contains(r.Text+r.HTML, secret) {
			t.Errorf("a non-public title in the message to %s: %q", r.To, r.Subject)
		}
		for _, p := range r.Parts {
			if strings.Contains(string(p.Data), secret) {
				t.Errorf("a non-public title in the attachment to %s", r.To)
			}
		}
	}
}

func keys(m map[string]mailtest.Received) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
