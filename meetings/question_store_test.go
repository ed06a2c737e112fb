package meetings_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// questionEnv is an invited council meeting on 20 November with a
// public question time (deadline 3 days, 2 questions per person), a
// second public item and two verified citizens.
type questionEnv struct {
	*env
	m          meetings.Meeting
	qt, other  meetings.AgendaItem
	anna, bert council.User
}

func newQuestionEnv(t *testing.T) *questionEnv {
	t.Helper()
	e := &questionEnv{env: newEnv(t)}
	e.m = e.meeting(t, "Ratssitzung", at(20, 17))
	e.qt = e.item(t, e.m.ID, "Einwohnerfragestunde", true)
	e.other = e.item(t, e.m.ID, "Haushalt", true)
	if err := e.s.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: e.qt.ID, DeadlineDays: 3, PerPerson: 2}); err != nil {
		t.Fatalf("SetQuestionTime: %v", err)
	}
	if _, err := e.s.Invite(e.ctx, e.m.ID, at(1, 9)); err != nil {
		t.Fatalf("Invite: %v", err)
	}
	e.anna = e.citizen(t, "anna@example.org", "Anna Amsel", true)
	e.bert = e.citizen(t, "bert@example.org", "Bert Birke", false)
	return e
}

func (e *questionEnv) citizen(t *testing.T, email, name string, publish bool) council.User {
	t.Helper()
	u, err := e.c.CreateUser(e.ctx, council.User{Email: email, DisplayName: name, PasswordHash: "x", Role: council.RoleCitizen})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if _, err := e.pool.Exec(e.ctx, `UPDATE users SET publish_name = $2 WHERE id = $1`, u.ID, publish); err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *questionEnv) ask(t *testing.T, u council.User, text string) meetings.Question {
	t.Helper()
	q, err := e.s.Ask(e.ctx, u.ID, e.qt.ID, text, at(10, 12))
	if err != nil {
		t.Fatalf("Ask(%q): %v", text, err)
	}
	return q
}

func (e *questionEnv) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM questions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldMsg returns the message of field text in err's FieldErrors.
func fieldMsg(err error) string {
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		return fe["text"]
	}
	return ""
}

func TestQuestionsAskAndModerate(t *testing.T) {
	e := newQuestionEnv(t)
	mark := e.mark(t)
	q1 := e.ask(t, e.anna, "  Wann wird der Spielplatz an der Lindenstraße saniert?  ")
	if q1.Number != 1 || q1.State != meetings.QuestionSubmitted || q1.Text != "Wann wird der Spielplatz an der Lindenstraße saniert?" {
		t.Fatalf("asked: %+v", q1)
	}
	e.wantTrail(t, "ask", mark, change{"question", q1.ID, "create"})
	q2 := e.ask(t, e.bert, "Wann wird der Spielplatz Lindenstraße endlich saniert?")
	q3 := e.ask(t, e.bert, "<script>alert(1)</script> Warum ist das Freibad geschlossen?")

	// Nothing is public before moderation.
	pub, err := e.s.PublicQuestions(e.ctx, council.NilID)
	if err != nil || len(pub) != 0 {
		t.Fatalf("public before moderation: %v, %+v", err, pub)
	}
	now := at(11, 9)
	if _, err := e.s.Moderate(e.ctx, q1.ID, meetings.Moderation{Action: meetings.ActPublish}, now, nil); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if _, err := e.s.Moderate(e.ctx, q2.ID, meetings.Moderation{Action: meetings.ActMerge, Into: q1.ID, Note: "gleiche Frage"}, now, nil); err != nil {
		t.Fatalf("merge: %v", err)
	}
	r, err := e.s.Moderate(e.ctx, q3.ID, meetings.Moderation{Action: meetings.ActReject, Reason: meetings.ReasonOffensive, Note: "Bitte sachlich"}, now, nil)
	if err != nil || r.State != meetings.QuestionRejected || r.Reason != meetings.ReasonOffensive || r.Note != "Bitte sachlich" {
		t.Fatalf("reject: %v, %+v", err, r)
	}
	// Steps the state does not allow.
	for _, c := range []struct {
		id council.ID
		m  meetings.Moderation
	}{
		{q2.ID, meetings.Moderation{Action: meetings.ActPublish}},                                  // merged
		{q3.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerOral}},        // rejected
		{q3.ID, meetings.Moderation{Action: meetings.ActMerge, Into: q1.ID}},                       // rejected
		{q1.ID, meetings.Moderation{Action: meetings.ActMerge, Into: q1.ID}},                       // into itself
		{q1.ID, meetings.Moderation{Action: meetings.ActReject}},                                   // no reason
		{q1.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerWritten}},     // no text
		{q1.ID, meetings.Moderation{Action: "delete"}},                                             // unknown
		{q1.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: "sung", Answer: "la la la"}}, // unknown mode
	} {
		if _, err := e.s.Moderate(e.ctx, c.id, c.m, now, nil); err == nil {
			t.Errorf("Moderate(%+v) passed", c.m)
		}
	}

	pub, err = e.s.PublicQuestions(e.ctx, e.m.ID)
	if err != nil || len(pub) != 1 {
		t.Fatalf("public: %v, %+v", err, pub)
	}
	if p := pub[0]; p.ID != q1.ID || p.Asker != "Anna Amsel" || p.Merged != 1 || p.Answer != "" {
		t.Errorf("public question: %+v", p)
	}

	// Called in the session, then answered orally: the text waits for
	// the minutes; a written answer is public at once.
	if _, err := e.s.CallQuestion(e.ctx, e.qt.ID, q3.ID, now); !errors.Is(err, council.ErrConflict) {
		t.Errorf("calling a rejected question: %v", err)
	}
	if _, err := e.s.CallQuestion(e.ctx, e.other.ID, q1.ID, now); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("calling a question on another item: %v", err)
	}
	if _, err := e.s.CallQuestion(e.ctx, e.qt.ID, q1.ID, now); err != nil {
		t.Fatalf("CallQuestion: %v", err)
	}
	if c, ok, err := e.s.CalledQuestion(e.ctx, e.qt.ID); err != nil || !ok || c.ID != q1.ID {
		t.Errorf("CalledQuestion: %v %v %+v", err, ok, c)
	}
	if _, err := e.s.Moderate(e.ctx, q1.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerOral, Answer: "Im Frühjahr."}, now, nil); err != nil {
		t.Fatalf("answer oral: %v", err)
	}
	pub, _ = e.s.PublicQuestions(e.ctx, e.m.ID)
	if p := pub[0]; p.State != meetings.QuestionAnswered || p.AnswerMode != meetings.AnswerOral || p.Answer != "" {
		t.Errorf("oral answer before the minutes: %+v", p)
	}
	if _, err := e.s.Moderate(e.ctx, q1.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerWritten, Answer: "Im Frühjahr 2027."}, now, nil); err != nil {
		t.Fatalf("answer written: %v", err)
	}
	pub, _ = e.s.PublicQuestions(e.ctx, e.m.ID)
	if p := pub[0]; p.Answer != "Im Frühjahr 2027." {
		t.Errorf("written answer: %+v", p)
	}

	st, err := e.s.QuestionStatistics(e.ctx, council.NilID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 3 || st.ByState[meetings.QuestionAnswered] != 1 || st.ByState[meetings.QuestionMerged] != 1 ||
		st.ByState[meetings.QuestionRejected] != 1 || st.ByReason[meetings.ReasonOffensive] != 1 {
		t.Errorf("statistics: %+v", st)
	}

	mine, err := e.s.MyQuestions(e.ctx, e.bert.ID)
	if err != nil || len(mine) != 2 {
		t.Fatalf("MyQuestions: %v %+v", err, mine)
	}
	if mine[0].ID != q3.ID || mine[0].Reason != meetings.ReasonOffensive || mine[1].MergedNum != 1 {
		t.Errorf("my questions: %+v", mine)
	}
}

func TestQuestionsBadInput(t *testing.T) {
	e := newQuestionEnv(t)
	e.ask(t, e.anna, "Wie viele Kitaplätze fehlen im Stadtteil Nord?")
	member, err := e.c.CreateUser(e.ctx, council.User{Email: "rat@example.org", PasswordHash: "x", Role: council.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	unverified := e.citizen(t, "neu@example.org", "", false)
	if _, err := e.pool.Exec(e.ctx, `UPDATE users SET email_verified = NULL WHERE id = $1`, unverified.ID); err != nil {
		t.Fatal(err)
	}
	before := e.count(t)
	ok := "Wann öffnet das Hallenbad wieder für Schulen?"
	for _, c := range []struct {
		name string
		user council.ID
		item council.ID
		text string
		at   time.Time
		want string // FieldErrors message of "text"; "": another error
	}{
		{"empty", e.anna.ID, e.qt.ID, "   ", at(10, 12), council.MsgRequired},
		{"short", e.anna.ID, e.qt.ID, "Warum?", at(10, 12), meetings.MsgQuestionShort},
		{"long", e.anna.ID, e.qt.ID, strings.Repeat("Frage ", 400), at(10, 12), council.MsgTooLong},
		{"control", e.anna.ID, e.qt.ID, "Warum ist\x07 das so? Bitte erklären.", at(10, 12), council.MsgBadChars},
		{"same text", e.anna.ID, e.qt.ID, "wie VIELE Kitaplätze fehlen im Stadtteil Nord", at(10, 12), meetings.MsgQuestionDuplicate},
		{"deadline", e.anna.ID, e.qt.ID, ok, at(17, 17), meetings.MsgQuestionDeadline},
		{"member", member.ID, e.qt.ID, ok, at(10, 12), meetings.MsgQuestionAccount},
		{"unverified", unverified.ID, e.qt.ID, ok, at(10, 12), meetings.MsgQuestionAccount},
		{"not a question time", e.anna.ID, e.other.ID, ok, at(10, 12), ""},
	} {
		_, err := e.s.Ask(e.ctx, c.user, c.item, c.text, c.at)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if got := fieldMsg(err); got != c.want {
			t.Errorf("%s: message %q (%v), want %q", c.name, got, err, c.want)
		}
	}
	// The limit: a second question is fine, a third is refused.
	if _, err := e.s.Ask(e.ctx, e.anna.ID, e.qt.ID, ok, at(10, 12)); err != nil {
		t.Fatalf("second question: %v", err)
	}
	before++
	if _, err := e.s.Ask(e.ctx, e.anna.ID, e.qt.ID, "Und wann öffnet das Freibad wieder?", at(10, 12)); fieldMsg(err) != meetings.MsgQuestionLimit {
		t.Errorf("third question: %v", err)
	}
	if n := e.count(t); n != before {
		t.Errorf("%d questions stored, want %d: a refusal stored something", n, before)
	}
	// A cancelled meeting takes no questions.
	if _, err := e.s.Cancel(e.ctx, e.m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Ask(e.ctx, e.bert.ID, e.qt.ID, ok, at(10, 12)); fieldMsg(err) != meetings.MsgQuestionClosed {
		t.Errorf("cancelled meeting: %v", err)
	}
	// Only a public item can be a question time.
	secret := e.item(t, e.m.ID, "Grundstücksangelegenheit", false)
	if err := e.s.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: secret.ID, DeadlineDays: 3, PerPerson: 2}); !errors.Is(err, council.ErrConflict) {
		t.Errorf("non-public question time: %v", err)
	}
	if err := e.s.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: e.other.ID, DeadlineDays: 3, PerPerson: 2}); !errors.Is(err, council.ErrConflict) {
		t.Errorf("second question time: %v", err)
	}
	if err := e.s.SetQuestionTime(e.ctx, meetings.QuestionTime{ItemID: e.qt.ID, DeadlineDays: -1, PerPerson: 0}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("bad rules: %v", err)
	}
}

func TestNormalizeQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"  Wann kommt der Bus?! ":   "wann kommt der bus",
		"WANN\tkommt  der—Bus":      "wann kommt der bus",
		"Straße 12, Öffnungszeiten": "straße 12 öffnungszeiten",
	} {
		if got := meetings.NormalizeQuestion(in); got != want {
			t.Errorf("NormalizeQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}
