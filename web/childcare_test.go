package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

// childcareFixture is a council member who attended a meeting (checked in
// by the clerk in its live session, which started two hours ago and is
// closed) and did not attend another that ran the day before.
type childcareFixture struct {
	member, citizen, clerk *http.Client
	attended, missed       meetings.Meeting
}

func newChildcareFixture(t *testing.T, e *testEnv) childcareFixture {
	t.Helper()
	ctx := context.Background()
	org := must(e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil}))(t)
	p := must(e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: "Mara", FamilyName: "Kindler"}))(t)
	must(e.council.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, VotingRight: true}))(t)
	other := must(e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: "Otto", FamilyName: "Anwesend"}))(t)
	must(e.council.SaveMembership(ctx, council.Membership{PersonID: other.ID, OrganizationID: org.ID, VotingRight: true}))(t)
	var f childcareFixture
	f.member, _ = e.loginPerson(t, council.RoleMember, p.ID)
	f.citizen, _ = e.loginPerson(t, council.RoleCitizen, council.NilID)
	var clerk council.User
	f.clerk, clerk = e.login(t, council.RoleClerk)
	hub := live.NewHub(e.srv.pool, live.Options{})
	actor := live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}
	session := func(name string, start time.Time, present council.ID) meetings.Meeting {
		m := must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: name, Start: start, End: start.Add(3 * time.Hour),
			Organizations: []council.ID{org.ID}}))(t)
		must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Eröffnung", Public: true}))(t)
		must(e.meetings.Invite(ctx, m.ID, start.AddDate(0, 0, -7)))(t)
		for _, c := range []live.Command{live.Start{}, live.CheckIn{Person: present}, live.Close{}} {
			if _, err := hub.Do(ctx, m.ID, actor, c); err != nil {
				t.Fatalf("%s: %v", c.Name(), err)
			}
		}
		return must(e.meetings.Meeting(ctx, m.ID))(t)
	}
	now := time.Now().Truncate(time.Minute)
	f.attended = session("Ratssitzung Haushalt", now.Add(-2*time.Hour), p.ID)
	f.missed = session("Ratssitzung Schulen", now.Add(-26*time.Hour), other.ID)
	return f
}

func (e *testEnv) claimCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.srv.pool.QueryRow(context.Background(), `SELECT count(*) FROM childcare_claims`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestChildcareFlow: a member claims childcare for the meeting they
// attended — bad input and a meeting they missed are refused with field
// errors and nothing stored —, sees it submitted, the clerk rejects
// without reason (refused) and approves, the member sees it approved.
// Citizens and the public get no page; members no back office.
func TestChildcareFlow(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newChildcareFixture(t, e)

	status, body := e.get(t, f.member, "/my/childcare")
	wantStatus(t, "member's page", status, http.StatusOK)
	for _, want := range []string{"Kinderbetreuungskosten", "Ratssitzung Haushalt", "Geben Sie keine Namen", "15,00 €"} {
		if !strings.Contains(body, want) {
			t.Errorf("member's page lacks %q", want)
		}
	}
	if strings.Contains(body, "Ratssitzung Schulen") {
		t.Error("the page offers the meeting the member did not attend")
	}
	for _, tc := range []struct {
		what string
		form url.Values
		want string
	}{
		{"amount not a number", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"3"}, "amount": {"viel"}}, "Geben Sie den Betrag in Euro"},
		{"no hours", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"0"}, "amount": {"10"}}, "Geben Sie die Stunden"},
		{"over the cap", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"2"}, "amount": {"30,01"}}, "übersteigt den Höchstsatz"},
		{"longer than the meeting", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"4,5"}, "amount": {"10"}}, "Mehr Stunden"},
		{"not attended", url.Values{"meeting": {f.missed.ID.String()}, "hours": {"2"}, "amount": {"20"}}, "nicht festgehalten"},
		{"no meeting", url.Values{"hours": {"2"}, "amount": {"20"}}, "Bitte ausfüllen"},
	} {
		status, _, body := e.submit(t, f.member, "/my/childcare", tc.form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: status %d, want 422 with %q:\n%s", tc.what, status, tc.want, excerpt(body))
		}
		if n := e.claimCount(t); n != 0 {
			t.Fatalf("%s: %d claims stored", tc.what, n)
		}
	}
	status, loc, _ := e.submit(t, f.member, "/my/childcare", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"3,5"},
		"amount": {"42,50"}, "note": {"Babysitter"}})
	if status != http.StatusSeeOther || loc != "/my/childcare?notice=submitted" {
		t.Fatalf("claim: %d to %q", status, loc)
	}
	_, body = e.get(t, f.member, loc)
	for _, want := range []string{"Ihr Antrag ist eingereicht", "42,50 €", "3,5", "eingereicht"} {
		if !strings.Contains(body, want) {
			t.Errorf("after the claim the page lacks %q", want)
		}
	}
	status, _, body = e.submit(t, f.member, "/my/childcare", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"1"}, "amount": {"5"}})
	if status != http.StatusUnprocessableEntity || e.claimCount(t) != 1 {
		t.Errorf("second claim for the meeting: %d, %d claims", status, e.claimCount(t))
	}
	// Withdrawn while it awaits its decision (another member cannot), then
	// claimed again.
	queued := must(e.meetings.ClaimQueue(context.Background(), e.body.ID, time.Now()))(t)
	withdraw := "/my/childcare/" + queued[0].ID.String() + "/withdraw"
	if _, body = e.get(t, f.member, "/my/childcare"); !strings.Contains(body, withdraw) {
		t.Errorf("the page offers no withdrawal of the submitted claim")
	}
	if status, _, _ := e.submit(t, f.clerk, withdraw, nil); status != http.StatusNotFound || e.claimCount(t) != 1 {
		t.Errorf("the clerk withdraws the member's claim: %d, %d claims", status, e.claimCount(t))
	}
	if status, loc, _ := e.submit(t, f.member, withdraw, nil); status != http.StatusSeeOther || loc != "/my/childcare?notice=withdrawn" || e.claimCount(t) != 0 {
		t.Fatalf("withdraw: %d to %q, %d claims", status, loc, e.claimCount(t))
	}
	_, body = e.get(t, f.member, "/my/childcare?notice=withdrawn")
	mustContain(t, "after the withdrawal", body, "Ihr Antrag ist zurückgezogen.", "Ratssitzung Haushalt")
	if status, loc, _ := e.submit(t, f.member, "/my/childcare", url.Values{"meeting": {f.attended.ID.String()}, "hours": {"3,5"},
		"amount": {"42,50"}, "note": {"Babysitter"}}); status != http.StatusSeeOther || loc != "/my/childcare?notice=submitted" {
		t.Fatalf("claim again: %d to %q", status, loc)
	}

	if status, _ := e.get(t, f.citizen, "/my/childcare"); status != http.StatusForbidden {
		t.Errorf("citizen: %d, want 403", status)
	}
	if status, _ := e.get(t, e.anon(), "/my/childcare"); status != http.StatusSeeOther {
		t.Errorf("public: %d, want 303 to the login", status)
	}
	if status, _ := e.get(t, f.member, "/admin/childcare"); status != http.StatusForbidden {
		t.Errorf("member in the back office: %d, want 403", status)
	}

	status, body = e.get(t, f.clerk, "/admin/childcare")
	wantStatus(t, "queue", status, http.StatusOK)
	if !strings.Contains(body, "Mara Kindler") || !strings.Contains(body, "Offene Anträge: 1") {
		t.Fatalf("queue lacks the claim:\n%s", excerpt(body))
	}
	claims := must(e.meetings.ClaimQueue(context.Background(), e.body.ID, time.Now()))(t)
	id := claims[0].ID.String()
	status, _, body = e.adminPost(t, f.clerk, "/admin/childcare/"+id+"/reject", url.Values{"reason": {" "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reason-`+id+`-error"`) {
		t.Errorf("rejection without a reason: %d\n%s", status, excerpt(body))
	}
	e.mustRedirect(t, f.clerk, "/admin/childcare/"+id+"/approve", nil, "/admin/childcare")
	_, body = e.get(t, f.member, "/my/childcare?lang=en")
	if !strings.Contains(body, "approved") || !strings.Contains(body, "€42.50") {
		t.Errorf("the member's page in English after the approval:\n%s", excerpt(body))
	}
	status, _, _ = e.adminPost(t, f.clerk, "/admin/childcare/"+id+"/reject", url.Values{"reason": {"doch nicht"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("rejecting an approved claim: %d, want 422", status)
	}
	// The rules: a bad cap is refused, a good one stored.
	status, _, body = e.adminPost(t, f.clerk, "/admin/childcare/rules", url.Values{"cap": {"-3"}, "margin": {"60"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-cap-error"`) {
		t.Errorf("bad cap: %d", status)
	}
	e.mustRedirect(t, f.clerk, "/admin/childcare/rules", url.Values{"cap": {"20,00"}, "margin": {"60"}}, "/admin/childcare")
	if r := must(e.meetings.ChildcareRules(context.Background(), e.body.ID))(t); r.CapCentsPerHour != 2000 || r.Margin != time.Hour {
		t.Errorf("rules = %+v", r)
	}
}
