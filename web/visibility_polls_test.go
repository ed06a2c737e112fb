package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// Markers of the polls on a non-public agenda item: its question and its
// candidates' names.
const (
	pollQuestionMarker  = "WAHLFRAGE-GEHEIM-Q5V"
	pollCandidateMarker = "BEWERBER-GEHEIM-B8N"
)

// pollFixture is a closed council meeting whose polls were held through
// live.Hub commands: on a public item an open poll and a secret poll, on
// a non-public item an election whose question and candidates carry
// markers.
type pollFixture struct {
	meeting        meetings.Meeting
	public, hidden meetings.AgendaItem
	receipt        string // a published receipt of the public secret poll
}

// newPollFixture holds the polls of pollFixture in a council meeting of
// f (its one voting member, f.person, in the room).
func newPollFixture(t *testing.T, e *testEnv, f portalFixture) pollFixture {
	t.Helper()
	ctx := context.Background()
	ms := e.meetings
	start := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	var p pollFixture
	p.meeting = must(ms.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sondersitzung mit Abstimmungen",
		Start: start, End: start.Add(2 * time.Hour), Organizations: []council.ID{f.council.ID}}))(t)
	p.public = must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: p.meeting.ID, Name: "Spielplatz am Anger", Public: true}))(t)
	p.hidden = must(ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: p.meeting.ID, Name: "Personalangelegenheit", Public: false}))(t)
	must(ms.Invite(ctx, p.meeting.ID, start.AddDate(0, 0, -12)))(t)
	clerk := must(e.council.CreateUser(ctx, council.User{Email: "poll-clerk@plenar.test", Role: council.RoleClerk, PasswordHash: "x"}))(t)
	actor := live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}
	hub := live.NewHub(e.srv.pool, live.Options{})
	do := func(c live.Command) {
		t.Helper()
		if _, err := hub.Do(ctx, p.meeting.ID, actor, c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
	running := func() council.ID {
		t.Helper()
		poll, ok, err := ms.RunningPoll(ctx, p.meeting.ID)
		if err != nil || !ok {
			t.Fatalf("no running poll: %v", err)
		}
		return poll.ID
	}
	member := f.person.ID
	do(live.Start{Mode: voting.Presence})
	do(live.CheckIn{Person: member})
	do(live.OpenPoll{Kind: voting.Open, Question: "Neugestaltung des Spielplatzes", Rule: "simple"})
	poll := running()
	do(live.CastBallot{Person: member, Poll: poll, Choice: []string{"yes"}})
	do(live.ClosePoll{Poll: poll})
	do(live.OpenPoll{Kind: voting.Secret, Question: "Benennung des Spielplatzes", Rule: "simple"})
	poll = running()
	do(live.CastBallot{Person: member, Poll: poll})
	do(live.PaperBallot{Poll: poll, Choice: []string{"yes"}})
	do(live.ClosePoll{Poll: poll})
	bs := must(ms.SecretBallots(ctx, poll))(t)
	if len(bs) != 1 {
		t.Fatalf("secret ballots %v, want one", bs)
	}
	p.receipt = bs[0].Receipt
	do(live.NextItem{})
	do(live.OpenPoll{Kind: voting.Election, Question: "Wahl " + pollQuestionMarker,
		Candidates: []string{"Frau " + pollCandidateMarker, "Herr Zweitbewerber"}})
	poll = running()
	do(live.CastBallot{Person: member, Poll: poll})
	do(live.PaperBallot{Poll: poll, Choice: []string{"c1"}})
	do(live.ClosePoll{Poll: poll})
	do(live.Close{})
	return p
}

// TestPortalMeetingPolls: the meeting page shows the public item's polls
// to everyone — inputs, counts, each member's choice of the open poll,
// the receipt list of the secret one, a receipt looked up — and the
// non-public item's election only to a member of the council.
func TestPortalMeetingPolls(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	p := newPollFixture(t, e, f)
	path := "/meetings/" + p.meeting.ID.String()

	_, body := e.get(t, e.anon(), path)
	for _, want := range []string{"Offene Abstimmung: Neugestaltung des Spielplatzes", "Geheime Abstimmung: Benennung des Spielplatzes",
		"einfache Mehrheit", "Stimmberechtigt", "Befangen", "angenommen", "1 Ja, 0 Nein, 0 Enthaltungen",
		"Stimmabgabe der Mitglieder (1)", f.person.Name(), p.receipt, "Belegnummer prüfen", "<caption>"} {
		if !strings.Contains(body, want) {
			t.Errorf("public meeting page lacks %q", want)
		}
	}
	for _, leak := range []string{pollQuestionMarker, pollCandidateMarker, "Zweitbewerber"} {
		if strings.Contains(body, leak) {
			t.Errorf("public meeting page shows %q of the non-public item's poll", leak)
		}
	}
	_, body = e.get(t, e.anon(), path+"?lang=en&receipt="+url.QueryEscape(strings.ToLower(p.receipt)))
	for _, want := range []string{"Secret ballot", "Receipt code " + p.receipt + " found", `class="found"`, "Open vote", "How each member voted"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page with receipt lookup lacks %q", want)
		}
	}
	_, body = e.get(t, e.anon(), path+"?receipt=ABCD-EFGH")
	if !strings.Contains(body, "steht in keiner Liste") {
		t.Error("a receipt not in any list is not reported")
	}

	member, _ := e.loginPerson(t, council.RoleMember, f.person.ID)
	_, body = e.get(t, member, path)
	for _, want := range []string{"Wahl: Wahl " + pollQuestionMarker, "Frau " + pollCandidateMarker, "Stimmen je Bewerberin und Bewerber", "gewählt"} {
		if !strings.Contains(body, want) {
			t.Errorf("member's meeting page lacks %q", want)
		}
	}
}

// TestPortalMeetingPollsBrowserAxe runs axe-core on the meeting page with
// its polls (every details opened, a receipt looked up), for the public
// and for a member who also sees the non-public item's election.
func TestPortalMeetingPollsBrowserAxe(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	p := newPollFixture(t, e, f)
	path := "/meetings/" + p.meeting.ID.String()
	check := func(what, u string) {
		t.Helper()
		navigate(t, ctx, u)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`document.querySelectorAll("details").forEach(d => d.open = true); true`)); err != nil {
			t.Fatal(err)
		}
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", what, describeViolations(vs))
		}
	}
	check("public meeting page with polls", e.ts.URL+path+"?receipt="+p.receipt)
	check("public meeting page in English", e.ts.URL+path+"?lang=en&receipt=XXXX")
	member, _ := e.loginPerson(t, council.RoleMember, f.person.ID)
	setBrowserCookie(t, ctx, e.ts.URL, e.sessionCookie(member))
	check("member's meeting page with the non-public election", e.ts.URL+path)
}
