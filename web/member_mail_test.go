package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/meetings"
)

// TestInviteMailsMembers: a clerk publishes a meeting in the back office;
// the council's member gets the invitation (read back from a real SMTP
// server) with the .ics file, and its PDF link leads to the published
// invitation; a member of another committee gets nothing.
func TestInviteMailsMembers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	smtpd := mailtest.Start(t, mailtest.Options{})
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	rat, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	must("council", err)
	other, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Bauausschuss", Kind: council.KindCommittee})
	must("committee", err)
	for _, x := range []struct {
		email string
		org   council.ID
	}{{"ratsfrau@plenar.test", rat.ID}, {"ausschuss@plenar.test", other.ID}} {
		p, err := e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, FamilyName: x.email})
		must("person", err)
		_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: x.org})
		must("membership", err)
		_, err = e.council.CreateUser(ctx, council.User{Email: x.email, PasswordHash: "x", Role: council.RoleMember, PersonID: p.ID})
		must("user", err)
	}
	start := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	m, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Stadtrats", Start: start,
		End: start.Add(3 * time.Hour), Organizations: []council.ID{rat.ID}})
	must("meeting", err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Eröffnung", Public: true})
	must("item", err)
	clerk, _ := e.login(t, council.RoleClerk)
	mu := "/admin/meetings/" + m.ID.String()
	// Invited, but the PDF not stored yet: the link renders it on the spot.
	_, err = e.meetings.Invite(ctx, m.ID, start.AddDate(0, 0, -14))
	must("invite", err)
	if status, body := e.get(t, e.anon(), "/meetings/"+m.ID.String()+"/invitation.pdf"); status != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("invitation PDF before it is stored: %d", status)
	}
	must("back to planned", func() error {
		_, err := e.srv.pool.Exec(ctx, `UPDATE meetings SET state = 'planned', invited_at = NULL WHERE id = $1`, m.ID)
		return err
	}())
	e.mustRedirect(t, clerk, mu+"/invite", nil, mu)

	got := e.deliver(t, smtpd)
	if len(got) != 1 || got[0].To != "ratsfrau@plenar.test" {
		t.Fatalf("invitations to %v; want the council's member only", got)
	}
	r := got[0]
	if !strings.HasPrefix(r.Subject, "Einladung: Sitzung des Stadtrats am 01.12.2026, 17:00 Uhr") {
		t.Errorf("subject %q", r.Subject)
	}
	// The expected end (docs/DOMAIN.md, "Expected end") in the text and
	// the calendar file.
	if want := "01.12.2026, 17:00 – ca. 20:00 Uhr (CET, voraussichtliches Ende)"; !strings.Contains(r.Text, want) {
		t.Errorf("invitation text lacks %q:\n%s", want, r.Text)
	}
	if len(r.Parts) != 1 || !strings.Contains(string(r.Parts[0].Data), "DTSTART:20261201T160000Z") ||
		!strings.Contains(string(r.Parts[0].Data), "DTEND:20261201T190000Z") {
		t.Errorf("calendar part: %+v", r.Parts)
	}
	pdf := "http://plenar.test/meetings/" + m.ID.String() + "/invitation.pdf"
	if !strings.Contains(r.Text, pdf) {
		t.Fatalf("no PDF link %s in\n%s", pdf, r.Text)
	}
	resp, err := e.anon().Get(e.ts.URL + strings.TrimPrefix(pdf, "http://plenar.test"))
	must("PDF link", err)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/files/") {
		t.Fatalf("PDF link: %d to %q", resp.StatusCode, loc)
	} else if status, body := e.get(t, e.anon(), loc); status != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("PDF %s: %d", loc, status)
	}
}
