package web

import (
	"context"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// minutesFixture is the minutes of the hostile fixture
// (docs/ARCHITECTURE.md, "A non-public state"): the poll fixture's meeting
// has approved minutes whose non-public item carries markers in its
// notes, correction, resolution and addendum; the later meeting that
// approved them ran live too and has draft minutes with a marker on its
// public item.
type minutesFixture struct {
	approved, draft council.ID
	approvalItem    council.ID
}

func newMinutesFixture(t *testing.T, e *filesEnv, f portalFixture, polls pollFixture, mark func(m, what string) string) minutesFixture {
	t.Helper()
	ctx := context.Background()
	ms := e.meetings
	clerk := must(e.council.CreateUser(ctx, council.User{Email: "minutes-clerk@plenar.test", Role: council.RoleClerk, PasswordHash: "x"}))(t)
	actx := council.WithActor(ctx, clerk.ID)
	hub := live.NewHub(e.srv.pool, live.Options{})
	a := polls.meeting.ID
	edit := func(m, item council.ID, field meetings.MinutesField, value, reason string) {
		t.Helper()
		if _, err := ms.EditMinutes(actx, meetings.MinutesEdit{MeetingID: m, ItemID: item, Field: field, Value: value, Reason: reason}); err != nil {
			t.Fatalf("edit minutes: %v", err)
		}
	}
	edit(a, polls.hidden.ID, meetings.FieldNotes, "Beratung "+mark("NOTIZ-NOEFF-M3C", "note on a non-public item in approved minutes"), "")
	edit(a, polls.hidden.ID, meetings.FieldCorrection, mark("BERICHTIGUNG-NOEFF-M2B", "correction of a non-public item in approved minutes"), "Hinweis")
	edit(a, polls.hidden.ID, meetings.FieldResolutionText, "Beschluss "+mark("BESCHLUSS-NOEFF-M5E", "resolution of a non-public item, approved"), "")

	b := must(ms.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Folgesitzung",
		Start: polls.meeting.Start.Add(time.Hour), Organizations: []council.ID{f.council.ID}}))(t)
	item := must(ms.AddMinutesApproval(ctx, b.ID, a))(t)
	must(ms.Invite(ctx, b.ID, b.Start.AddDate(0, 0, -12)))(t)
	actor := live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}
	do := func(c live.Command) {
		t.Helper()
		if _, err := hub.Do(ctx, b.ID, actor, c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
	do(live.Start{Mode: voting.Presence})
	do(live.CheckIn{Person: f.person.ID})
	do(live.OpenPoll{Kind: voting.Open, Question: item.Name, Rule: "simple"})
	poll, ok, err := ms.RunningPoll(ctx, b.ID)
	if err != nil || !ok {
		t.Fatalf("running poll: %v", err)
	}
	do(live.CastBallot{Person: f.person.ID, Poll: poll.ID, Choice: []string{"yes"}})
	do(live.ClosePoll{Poll: poll.ID})
	do(live.Close{})
	must(hub.ApproveMinutes(actx, item.ID))(t)
	edit(a, polls.hidden.ID, meetings.FieldAddendum, mark("NACHTRAG-NOEFF-M4D", "addendum to a non-public item"), "Nachtrag")
	edit(b.ID, item.ID, meetings.FieldNotes, mark("ENTWURF-NOTIZ-M1A", "note in draft minutes"), "")

	pub := must(ms.PublicMinutes(ctx, a))(t)
	r := must(documents.NewRenderer(""))(t)
	must(documents.PublishMinutes(ctx, e.docs, r, pub, time.Now()))(t)
	return minutesFixture{approved: a, draft: b.ID, approvalItem: item.ID}
}
