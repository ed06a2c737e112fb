package live_test

import (
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
