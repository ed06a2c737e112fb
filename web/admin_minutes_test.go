package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// TestAdminMinutes: the back office shows a meeting's draft minutes from
// its live session — the speech, the named poll with each member's vote,
// the part switch, the non-public item marked — to the staff only.
func TestAdminMinutes(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerkActor := e.clerkActor(t)
	mid := e.meeting.ID.String()
	path := "/admin/meetings/" + mid + "/minutes"
	clerk, _ := e.login(t, council.RoleClerk)

	st, body := e.get(t, clerk, path)
	if st != http.StatusOK || !strings.Contains(body, "lief nicht live") {
		t.Fatalf("before the session: status %d, want the page saying there is no log", st)
	}
	e.do(t, clerkActor, live.Start{})
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CheckIn{Person: p.ID})
	}
	chairActor := live.Actor{Viewer: council.Viewer{UserID: e.newMember(t, e.persons[0]).ID, Role: council.RoleMember}, PersonID: e.persons[0].ID}
	e.do(t, chairActor, live.FindQuorum{})
	e.do(t, clerkActor, live.RaiseHand{Person: e.persons[1].ID})
	e.do(t, clerkActor, live.GrantFloor{})
	e.do(t, clerkActor, live.EndFloor{})
	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Named, Question: "Haushaltssatzung 2027"})
	snap, err := e.hub.Snapshot(t.Context(), e.meeting.ID, clerkActor)
	liveMust(t, "snapshot", err)
	poll := snap.Polls[0].ID
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CastBallot{Poll: poll, Person: p.ID, Choice: []string{"yes"}})
	}
	e.do(t, clerkActor, live.ClosePoll{Poll: poll})
	e.do(t, clerkActor, live.NextItem{}) // N 1
	e.do(t, clerkActor, live.SetPart{Part: live.PartNonPublic})

	st, body = e.get(t, clerk, path)
	if st != http.StatusOK {
		t.Fatalf("minutes: status %d", st)
	}
	for _, want := range []string{"Entwurf der Niederschrift", "Haushalt 2027", "Beate Rat1 (Erstmeldung)", "Haushaltssatzung 2027",
		"Ja 3, Nein 0, Enthaltung 0", "angenommen", "Stimmen der Mitglieder", liveSecretTitle, "nichtöffentlicher Teil", "im Saal 3", "Feststellung der Beschlussfähigkeit", "anwesend 3 von 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("minutes page lacks %q", want)
		}
	}
	// Not for members or the public.
	member, _ := e.login(t, council.RoleMember)
	if st, _ := e.get(t, member, path); st != http.StatusForbidden && st != http.StatusNotFound && st != http.StatusSeeOther {
		t.Errorf("a member gets the draft minutes: status %d", st)
	}
	if st, body := e.get(t, e.anon(), path); st == http.StatusOK || strings.Contains(body, "Haushaltssatzung 2027") {
		t.Errorf("the public gets the draft minutes: status %d", st)
	}
}
