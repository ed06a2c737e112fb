package live_test

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

func TestReadQuestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	cs, ms := council.NewStore(e.pool), meetings.NewStore(e.pool)
	qt := e.items[0] // Ö 1 is the question time
	if err := ms.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: qt.ID, DeadlineDays: 3, PerPerson: 2}); err != nil {
		t.Fatalf("SetQuestionTime: %v", err)
	}
	u, err := cs.CreateUser(e.ctx, council.User{Email: "anna@example.org", DisplayName: "Anna", PasswordHash: "x", Role: council.RoleCitizen})
	if err != nil {
		t.Fatal(err)
	}
	asked := time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)
	published, err := ms.Ask(e.ctx, u.ID, qt.ID, "Wann wird die Brücke am Markt saniert?", asked)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	waiting, err := ms.Ask(e.ctx, u.ID, qt.ID, "Warum fährt der Bus sonntags nicht?", asked)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if _, err := ms.Moderate(e.ctx, published.ID, meetings.Moderation{Action: meetings.ActPublish}, asked, nil); err != nil {
		t.Fatalf("publish: %v", err)
	}
	e.start(t, 0)
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	snap := *next(t, pub).Snapshot
	if len(snap.Questions) != 1 || snap.Questions[0].ID != published.ID || snap.Questions[0].Asker != "" || snap.Question != nil {
		t.Fatalf("public snapshot questions %+v, current %+v: want the published one, pseudonymous, none called", snap.Questions, snap.Question)
	}
	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.Command
		kind error
	}{
		{"a member reads", e.members[3], live.ReadQuestion{Question: published.ID}, council.ErrForbidden},
		{"no question", e.members[0], live.ReadQuestion{}, council.ErrInvalid},
		{"not published", e.members[0], live.ReadQuestion{Question: waiting.ID}, council.ErrConflict},
		{"unknown", e.members[0], live.ReadQuestion{Question: council.NewID()}, council.ErrNotFound},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	e.do(t, e.members[0], live.ReadQuestion{Question: published.ID})
	v := decode[live.QuestionView](t, first(t, pub, live.EvQuestionRead))
	if v.ID != published.ID || v.Number != 1 || v.Text != published.Text || v.Called == nil {
		t.Errorf("the public sees the question read as %+v", v)
	}
	for _, a := range []live.Actor{{}, e.members[3], e.clerk} {
		s, err := e.hub.Snapshot(e.ctx, e.meeting.ID, a)
		if err != nil || s.Question == nil || s.Question.ID != published.ID {
			t.Errorf("snapshot of %v after read_question: %v, %+v", a.Role, err, s.Question)
		}
	}
	// The clerk publishes the waiting question during the session: the
	// back office announces the list again.
	if _, err := ms.Moderate(e.ctx, waiting.ID, meetings.Moderation{Action: meetings.ActPublish}, asked, nil); err != nil {
		t.Fatalf("publish: %v", err)
	}
	e.do(t, e.clerk, live.ShowQuestions{})
	if qv := decode[live.QuestionsView](t, first(t, pub, live.EvQuestions)); len(qv.Questions) != 2 || qv.Current == nil || qv.Current.ID != published.ID {
		t.Errorf("questions after publishing one more: %+v", qv)
	}
	// On another item there is no question time: nothing to read, no
	// current question.
	e.do(t, e.clerk, live.NextItem{})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.ReadQuestion{Question: published.ID})
	wantErr(t, "another item", err, council.ErrConflict)
	if s, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); s.Question != nil || len(s.Questions) != 0 {
		t.Errorf("after the question time: %+v %+v", s.Question, s.Questions)
	}
	// Back on the question time, the pages receive its questions with
	// the current one.
	e.do(t, e.clerk, live.PreviousItem{})
	qv := decode[live.QuestionsView](t, first(t, pub, live.EvQuestions))
	if len(qv.Questions) != 2 || qv.Current == nil || qv.Current.ID != published.ID {
		t.Errorf("questions event %+v", qv)
	}
	// The clerk records the oral answer: the minutes carry the question
	// with it (pseudonymous: Anna did not consent to her name).
	if _, err := ms.Moderate(e.ctx, published.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerOral,
		Answer: "Die Brücke wird 2027 saniert."}, asked.Add(time.Hour), nil); err != nil {
		t.Fatalf("answer: %v", err)
	}
	doc, _, err := e.hub.MinutesDocument(e.ctx, e.meeting.ID)
	if err != nil {
		t.Fatalf("MinutesDocument: %v", err)
	}
	var got []meetings.MinutesQuestion
	for _, it := range doc.Items {
		if it.ItemID == qt.ID {
			got = it.Questions
		}
	}
	if len(got) != 1 || got[0].Number != 1 || got[0].Mode != "oral" || got[0].Answer != "Die Brücke wird 2027 saniert." || got[0].Asker != "" {
		t.Errorf("minutes questions %+v", got)
	}
}

// The asking citizen's floor (give_question_floor): only on the question
// time, in the public part, for a published question and with a free
// place on the floor; the snapshot tells the asker it is theirs (and
// nobody else); it ends by command, by time, with the item and with the
// non-public part; while it runs it takes a place on the floor.
func TestQuestionFloor(t *testing.T) {
	t.Parallel()
	var clock atomic.Pointer[time.Time]
	start := time.Now().UTC().Truncate(time.Second)
	clock.Store(&start)
	e := newEnv(t, live.Options{Now: func() time.Time { return *clock.Load() }})
	advance := func(d time.Duration) {
		t2 := clock.Load().Add(d)
		clock.Store(&t2)
	}
	cs, ms := council.NewStore(e.pool), meetings.NewStore(e.pool)
	qt := e.items[0]
	if err := ms.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: qt.ID, DeadlineDays: 3, PerPerson: 2}); err != nil {
		t.Fatalf("SetQuestionTime: %v", err)
	}
	u, err := cs.CreateUser(e.ctx, council.User{Email: "anna@example.org", DisplayName: "Anna", PasswordHash: "x", Role: council.RoleCitizen})
	if err != nil {
		t.Fatal(err)
	}
	other, err := cs.CreateUser(e.ctx, council.User{Email: "ben@example.org", DisplayName: "Ben", PasswordHash: "x", Role: council.RoleCitizen})
	if err != nil {
		t.Fatal(err)
	}
	asked := time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)
	q, err := ms.Ask(e.ctx, u.ID, qt.ID, "Wann wird die Brücke am Markt saniert?", asked)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	waiting, err := ms.Ask(e.ctx, u.ID, qt.ID, "Warum fährt der Bus sonntags nicht?", asked)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if _, err := ms.Moderate(e.ctx, q.ID, meetings.Moderation{Action: meetings.ActPublish}, asked, nil); err != nil {
		t.Fatalf("publish: %v", err)
	}
	anna := live.Actor{Viewer: council.Viewer{UserID: u.ID, Role: council.RoleCitizen}}
	ben := live.Actor{Viewer: council.Viewer{UserID: other.ID, Role: council.RoleCitizen}}
	e.start(t, 1)
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, pub)
	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.Command
		kind error
	}{
		{"a member gives it", e.members[3], live.GiveQuestionFloor{Question: q.ID}, council.ErrForbidden},
		{"the citizen takes it", anna, live.GiveQuestionFloor{Question: q.ID}, council.ErrForbidden},
		{"no question", e.members[0], live.GiveQuestionFloor{}, council.ErrInvalid},
		{"too long", e.members[0], live.GiveQuestionFloor{Question: q.ID, Limit: time.Hour}, council.ErrInvalid},
		{"too short", e.members[0], live.GiveQuestionFloor{Question: q.ID, Limit: time.Second}, council.ErrInvalid},
		{"not published", e.members[0], live.GiveQuestionFloor{Question: waiting.ID}, council.ErrConflict},
		{"unknown", e.members[0], live.GiveQuestionFloor{Question: council.NewID()}, council.ErrNotFound},
		{"nobody to end", e.members[0], live.EndQuestionFloor{}, council.ErrConflict},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	// A member holds the only place on the floor: the citizen must wait.
	e.do(t, e.members[2], live.RaiseHand{})
	e.do(t, e.clerk, live.GrantFloor{})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.GiveQuestionFloor{Question: q.ID})
	wantErr(t, "floor full", err, council.ErrConflict)
	e.do(t, e.clerk, live.EndFloor{})

	e.do(t, e.members[0], live.GiveQuestionFloor{Question: q.ID, Limit: 2 * time.Minute})
	if v := decode[live.QuestionView](t, first(t, pub, live.EvQuestionRead)); v.ID != q.ID || v.Called == nil {
		t.Errorf("giving the floor reads the question: %+v", v)
	}
	f := decode[live.QuestionFloorView](t, first(t, pub, live.EvQuestionFloor))
	if f.ID != q.ID || f.Number != 1 || f.Until == nil || !f.Until.Equal(start.Add(2*time.Minute)) || f.Mine || f.Asker != "" {
		t.Errorf("public floor event %+v", f)
	}
	for _, tc := range []struct {
		a    live.Actor
		mine bool
	}{{anna, true}, {ben, false}, {live.Actor{}, false}, {e.members[3], false}, {e.clerk, false}} {
		s, err := e.hub.Snapshot(e.ctx, e.meeting.ID, tc.a)
		if err != nil || s.QuestionFloor == nil || s.QuestionFloor.ID != q.ID || s.QuestionFloor.Mine != tc.mine {
			t.Errorf("snapshot of %v (user %s): %v, %+v; want mine %t", tc.a.Role, tc.a.UserID, err, s.QuestionFloor, tc.mine)
		}
	}
	sys, err := e.hub.Snapshot(e.ctx, e.meeting.ID, live.SystemActor())
	if err != nil {
		t.Fatal(err)
	}
	var v live.MediaView
	v.Apply(live.Message{Type: live.TypeSnapshot, Snapshot: &sys})
	if v.Guest != q.ID || !v.GuestUntil.Equal(start.Add(2*time.Minute)) {
		t.Errorf("media view guest %s until %s", v.Guest, v.GuestUntil)
	}
	// The citizen holds the only place: no member gets the floor meanwhile.
	e.do(t, e.members[3], live.RaiseHand{})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.GrantFloor{})
	wantErr(t, "grant while the citizen speaks", err, council.ErrConflict)

	// The chair ends it early.
	e.do(t, e.members[0], live.EndQuestionFloor{})
	f = decode[live.QuestionFloorView](t, first(t, pub, live.EvQuestionFloor))
	if f.ID != q.ID || f.Until != nil || f.Ended == nil {
		t.Errorf("end event %+v", f)
	}
	if v.Apply(live.Message{Type: live.TypeEvent, Kind: live.EvQuestionFloor, Data: json.RawMessage(mustJSON(t, f))}); v.Guest != council.NilID {
		t.Errorf("media view keeps the guest after the end")
	}
	stored, err := ms.Question(e.ctx, q.ID)
	if err != nil || !stored.FloorFrom.Equal(start) || !stored.FloorUntil.Equal(start) {
		t.Errorf("stored floor %v–%v (%v), want both %v", stored.FloorFrom, stored.FloorUntil, err, start)
	}

	// Time runs out: the snapshot shows no floor after it.
	e.do(t, e.members[0], live.GiveQuestionFloor{Question: q.ID, Limit: 30 * time.Second})
	advance(31 * time.Second)
	if s, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, anna); s.QuestionFloor != nil {
		t.Errorf("after the time ran out: %+v", s.QuestionFloor)
	}
	e.do(t, e.clerk, live.GrantFloor{}) // the place is free again
	e.do(t, e.clerk, live.EndFloor{})

	// The non-public part ends it at once, and it cannot be given there.
	e.do(t, e.members[0], live.GiveQuestionFloor{Question: q.ID})
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	for { // the events of the floors given before, then the end
		if f := decode[live.QuestionFloorView](t, first(t, pub, live.EvQuestionFloor)); f.Ended != nil {
			break
		}
	}
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.GiveQuestionFloor{Question: q.ID})
	wantErr(t, "non-public part", err, council.ErrConflict)
	e.do(t, e.clerk, live.SetPart{Part: live.PartPublic})
	if s, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, anna); s.QuestionFloor != nil {
		t.Errorf("back in the public part the floor stays ended: %+v", s.QuestionFloor)
	}
	// Moving on ends it too; elsewhere it cannot be given.
	e.do(t, e.members[0], live.GiveQuestionFloor{Question: q.ID})
	e.do(t, e.clerk, live.NextItem{})
	if s, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, anna); s.QuestionFloor != nil {
		t.Errorf("on the next item: %+v", s.QuestionFloor)
	}
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.GiveQuestionFloor{Question: q.ID})
	wantErr(t, "another item", err, council.ErrConflict)
	stored, _ = ms.Question(e.ctx, q.ID)
	if !stored.FloorUntil.Equal(*clock.Load()) {
		t.Errorf("the floor ended with the item at %v, want %v", stored.FloorUntil, *clock.Load())
	}
}
