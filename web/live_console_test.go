package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// TestLiveConsoleAccess: the console page answers 403, like the back
// office, to a citizen, to a member of the meeting's council who does not
// chair it and to the chair of another body's council; 200 to a clerk and
// to the chair, before the start (the chair the start would name) and
// after it.
func TestLiveConsoleAccess(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	ctx := context.Background()
	other, err := e.council.CreateBody(ctx, council.Body{Name: "Gemeinde Nachbarort", ShortName: "Nachbarort"})
	liveMust(t, "create body", err)
	org, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: other.ID, Name: "Gemeinderat", Kind: council.KindCouncil})
	liveMust(t, "save organization", err)
	p, err := e.council.SavePerson(ctx, council.Person{BodyID: other.ID, GivenName: "Olga", FamilyName: "Andere"})
	liveMust(t, "save person", err)
	_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, Role: "Vorsitzende", VotingRight: true})
	liveMust(t, "save membership", err)

	citizen, _ := e.login(t, council.RoleCitizen)
	clerk, _ := e.login(t, council.RoleClerk)
	clients := []struct {
		name string
		c    *http.Client
		want int
	}{
		{"citizen", citizen, http.StatusForbidden},
		{"member who does not chair", e.loginMember(t, e.persons[1]), http.StatusForbidden},
		{"chair of another body", e.loginMember(t, p), http.StatusForbidden},
		{"clerk", clerk, http.StatusOK},
		{"chair", e.loginMember(t, e.persons[0]), http.StatusOK},
	}
	path := "/admin/meetings/" + e.meeting.ID.String() + "/live"
	check := func(when string) {
		t.Helper()
		for _, c := range clients {
			st, body := e.get(t, c.c, path)
			if st != c.want {
				t.Errorf("%s: console as %s: status %d, want %d", when, c.name, st, c.want)
			}
			if c.want == http.StatusForbidden {
				mustNotContain(t, when+": console as "+c.name, body, `data-mode="console"`, liveSecretTitle)
			}
		}
	}
	check("before the start")
	e.do(t, e.clerkActor(t), live.Start{})
	check("running")
}
