package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// TestInvitationPreview: a clerk gets the invitation PDF of a meeting;
// the public is turned away.
func TestInvitationPreview(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	clerk, _ := e.login(t, council.RoleClerk)
	org, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 1. Sitzung",
		Start: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Eröffnung", Public: true}); err != nil {
		t.Fatal(err)
	}
	u := "/admin/meetings/" + m.ID.String() + "/invitation.pdf"
	resp, err := clerk.Get(e.ts.URL + u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("clerk GET %s: %d %s, want 200 application/pdf", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if status, _ := e.get(t, e.anon(), u); status == http.StatusOK {
		t.Errorf("anonymous GET %s: 200, want a refusal", u)
	}
}
