package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// questionTimeEnv is an invited council meeting in ten days with a
// public question time (deadline 3 days, 2 questions per person).
type questionTimeEnv struct {
	*testEnv
	meeting meetings.Meeting
	item    meetings.AgendaItem
}

func newQuestionTimeEnv(t *testing.T) questionTimeEnv {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	org := must(e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil}))(t)
	m := must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Ratssitzung", Start: time.Now().Add(10 * 24 * time.Hour),
		Organizations: []council.ID{org.ID}}))(t)
	it := must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Einwohnerfragestunde", Public: true}))(t)
	if err := e.meetings.SetQuestionTime(ctx, meetings.QuestionTime{ItemID: it.ID, DeadlineDays: 3, PerPerson: 2}); err != nil {
		t.Fatal(err)
	}
	m = must(e.meetings.Invite(ctx, m.ID, time.Now()))(t)
	return questionTimeEnv{testEnv: e, meeting: m, item: it}
}

func (e questionTimeEnv) questions(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.srv.pool.QueryRow(context.Background(), `SELECT count(*) FROM questions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestQuestionsAskModerateAnswer: a citizen asks through the form, bad
// input is refused with a clear message in the visitor's language and
// nothing stored, the clerk moderates in the back office, and the public
// sees only what was published, with the statistics.
func TestQuestionsAskModerateAnswer(t *testing.T) {
	e := newQuestionTimeEnv(t)
	page := "/meetings/" + e.meeting.ID.String() + "/questions"

	// The public sees the question time on the meeting page and how to
	// take part.
	status, body := e.get(t, e.anon(), "/meetings/"+e.meeting.ID.String())
	if status != http.StatusOK {
		t.Fatalf("meeting page: %d", status)
	}
	mustContain(t, "meeting page", body, "Einwohnerfragestunde", page)
	_, body = e.get(t, e.anon(), page)
	mustContain(t, "questions page (public)", body, "bestätigtes Bürgerkonto", "/register")
	mustNotContain(t, "questions page (public)", body, `name="text"`)

	citizen, _ := e.login(t, council.RoleCitizen)
	_, body = e.get(t, citizen, page)
	mustContain(t, "questions page (citizen)", body, `name="text"`, `name="csrf_token"`)

	// Bad input: a clear message, nothing stored.
	first := "Wann wird die Ampel an der Schulstraße endlich gebaut?"
	if resp := e.postForm(t, citizen, page, url.Values{"text": {first}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ask: %d %s", resp.StatusCode, readBody(t, resp))
	} else {
		resp.Body.Close()
	}
	for _, c := range []struct {
		name, path, text, want string
	}{
		{"empty", page, "  ", "Bitte ausfüllen."},
		{"short", page, "Warum?", "Die Frage ist zu kurz"},
		{"long", page, strings.Repeat("Warum nur? ", 300), "Der Text ist zu lang."},
		{"same question", page, "wann wird die Ampel an der Schulstraße endlich gebaut", "Diese Frage haben Sie für diese Sitzung bereits gestellt."},
		{"same question, English", page + "?lang=en", "WANN wird die Ampel an der Schulstraße endlich gebaut!", "You have already asked this question for this meeting."},
		{"control characters", page, "Warum\x01 ist das so geregelt?", "ungültige Zeichen"},
	} {
		resp := e.postForm(t, citizen, c.path, url.Values{"text": {c.text}})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", c.name, resp.StatusCode)
		}
		mustContain(t, c.name, body, c.want)
	}
	if n := e.questions(t); n != 1 {
		t.Fatalf("%d questions stored after the refusals, want 1", n)
	}
	// HTML and script are text; the limit is two.
	script := `<script>alert("x")</script> Warum ist <b>das Freibad</b> zu?`
	resp := e.postForm(t, citizen, page, url.Values{"text": {script}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second question: %d", resp.StatusCode)
	}
	resp = e.postForm(t, citizen, page, url.Values{"text": {"Und wann öffnet die Bibliothek wieder?"}})
	mustContain(t, "third question", readBody(t, resp), "so viele Fragen gestellt, wie erlaubt sind")
	if n := e.questions(t); n != 2 {
		t.Fatalf("%d questions stored, want 2", n)
	}
	_, body = e.get(t, citizen, "/my/questions")
	mustContain(t, "my questions", body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "Eingereicht, wird geprüft")
	mustNotContain(t, "my questions", body, "<script>alert")

	// A member may not ask; a form without the CSRF token is refused.
	member, _ := e.login(t, council.RoleMember)
	resp = e.postForm(t, member, page, url.Values{"text": {"Ich bin Ratsmitglied und frage trotzdem?"}})
	mustContain(t, "member asks", readBody(t, resp), "bestätigten Bürgerkonto")
	resp = e.postForm(t, citizen, page, url.Values{"text": {"Eine Frage ohne Token bitte?"}, "csrf_token": {"forged"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: status %d", resp.StatusCode)
	}
	if n := e.questions(t); n != 2 {
		t.Fatalf("%d questions stored, want 2", n)
	}

	// Nothing is public before moderation.
	_, body = e.get(t, e.anon(), "/beteiligung/fragen")
	mustNotContain(t, "all questions before moderation", body, "Ampel", "Freibad")

	// The clerk publishes one and rejects the other, with a reason.
	clerk, _ := e.login(t, council.RoleClerk)
	qs := must(e.meetings.QuestionsOfItem(context.Background(), e.item.ID))(t)
	admin := "/admin/meetings/" + e.meeting.ID.String() + "/questions/"
	_, body = e.get(t, clerk, "/admin/questions")
	mustContain(t, "queue", body, "Ampel", "Freibad")
	resp = e.postForm(t, clerk, admin+qs[1].ID.String(), url.Values{"action": {"reject"}})
	mustContain(t, "reject without reason", readBody(t, resp), "Bitte einen Grund für die Ablehnung wählen.")
	for _, step := range []struct {
		q council.ID
		v url.Values
	}{
		{qs[0].ID, url.Values{"action": {"publish"}}},
		{qs[1].ID, url.Values{"action": {"reject"}, "reason": {"not_municipal"}, "note": {"Das Freibad gehört dem Kreis."}}},
		{qs[0].ID, url.Values{"action": {"answer"}, "mode": {"written"}, "answer": {"Im Mai 2027."}}},
	} {
		resp := e.postForm(t, clerk, admin+step.q.String(), step.v)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("moderate %v: status %d", step.v, resp.StatusCode)
		}
	}
	resp = e.postForm(t, clerk, admin+qs[1].ID.String(), url.Values{"action": {"answer"}, "mode": {"oral"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("answering a rejected question: status %d", resp.StatusCode)
	}
	mustContain(t, "answering a rejected question", readBody(t, resp), "nicht erlaubt")

	for _, path := range []string{"/beteiligung/fragen", page, "/beteiligung/fragen?lang=en"} {
		_, body = e.get(t, e.anon(), path)
		mustContain(t, path, body, first, "Im Mai 2027.")
		mustNotContain(t, path, body, "Freibad", "Das Freibad gehört dem Kreis.", "Test citizen")
	}
	_, body = e.get(t, e.anon(), "/beteiligung/fragen")
	mustContain(t, "statistics", body, "2 Fragen eingereicht.", "Keine Angelegenheit der Gemeinde")
	_, body = e.get(t, citizen, "/my/questions")
	mustContain(t, "my questions after moderation", body, "Grund der Ablehnung: Keine Angelegenheit der Gemeinde",
		"Das Freibad gehört dem Kreis.", "Im Mai 2027.")

	// Anyone may report a public question (it reaches the back office's
	// queue); a rejected one cannot be reported (404), nor without a reason.
	anon := e.anon()
	_, body = e.get(t, anon, page)
	mustContain(t, "report form", body, "/beteiligung/fragen/"+qs[0].ID.String()+"/melden")
	if st, loc, _ := e.adminPost(t, anon, "/beteiligung/fragen/"+qs[0].ID.String()+"/melden", url.Values{"reason": {"offensive"}}); st != http.StatusSeeOther || !strings.Contains(loc, "notice=reported") {
		t.Errorf("report a public question: %d %q", st, loc)
	}
	if st, _, _ := e.adminPost(t, anon, "/beteiligung/fragen/"+qs[1].ID.String()+"/melden", url.Values{"reason": {"offensive"}}); st != http.StatusNotFound {
		t.Errorf("report a rejected question: %d, want 404", st)
	}
	if st, _, _ := e.adminPost(t, anon, "/beteiligung/fragen/"+qs[0].ID.String()+"/melden", nil); st != http.StatusBadRequest {
		t.Errorf("report without a reason: %d, want 400", st)
	}
	_, body = e.get(t, anon, page+"?notice=reported")
	mustContain(t, "after the report", body, "Danke für Ihre Meldung")
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM abuse_reports WHERE target_kind = 'question' AND target_id = $1`, qs[0].ID); n != 1 {
		t.Errorf("%d reports of the question stored, want 1", n)
	}
}

// TestQuestionsDeadline: after the deadline the form is gone and a
// posted question is refused.
func TestQuestionsDeadline(t *testing.T) {
	e := newQuestionTimeEnv(t)
	if err := e.meetings.SetQuestionTime(context.Background(), meetings.QuestionTime{ItemID: e.item.ID, DeadlineDays: 12, PerPerson: 2}); err != nil {
		t.Fatal(err)
	}
	page := "/meetings/" + e.meeting.ID.String() + "/questions"
	citizen, _ := e.login(t, council.RoleCitizen)
	_, body := e.get(t, citizen, page)
	mustContain(t, "closed", body, "keine Fragen mehr angenommen")
	mustNotContain(t, "closed", body, `name="text"`)
	resp := e.postForm(t, citizen, page, url.Values{"text": {"Kommt diese Frage noch rechtzeitig an?"}})
	mustContain(t, "late question", readBody(t, resp), "Die Frist für Fragen zu dieser Sitzung ist abgelaufen.")
	if n := e.questions(t); n != 0 {
		t.Errorf("%d questions stored after the deadline", n)
	}
}

// TestQuestionsBackOffice: only staff moderate; a question is moderated
// only under its own meeting; the question time's form refuses bad rules
// and a non-public item with a message and saves good ones.
func TestQuestionsBackOffice(t *testing.T) {
	e := newQuestionTimeEnv(t)
	ctx := context.Background()
	citizen, u := e.login(t, council.RoleCitizen)
	q := must(e.meetings.Ask(ctx, u.ID, e.item.ID, "Warum ist der Spielplatz am Teich gesperrt?", time.Now()))(t)
	mod := "/admin/meetings/" + e.meeting.ID.String() + "/questions/" + q.ID.String()
	member, _ := e.login(t, council.RoleMember)
	for name, c := range map[string]*http.Client{"citizen": citizen, "member": member} {
		if status, _ := e.get(t, c, "/admin/questions"); status != http.StatusForbidden {
			t.Errorf("%s GET /admin/questions: %d, want 403", name, status)
		}
		resp := e.postForm(t, c, mod, url.Values{"action": {"publish"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s publishes: %d, want 403", name, resp.StatusCode)
		}
	}
	clerk, _ := e.login(t, council.RoleClerk)
	other := must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Andere Sitzung", Start: time.Now().Add(20 * 24 * time.Hour),
		Organizations: e.meeting.Organizations}))(t)
	resp := e.postForm(t, clerk, "/admin/meetings/"+other.ID.String()+"/questions/"+q.ID.String(), url.Values{"action": {"publish"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("publishing through another meeting: %d, want 404", resp.StatusCode)
	}
	if got := must(e.meetings.Question(ctx, q.ID))(t); got.State != meetings.QuestionSubmitted {
		t.Fatalf("question is %s after refused steps", got.State)
	}

	secret := must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: other.ID, Name: "Grundstück", Public: false}))(t)
	public := must(e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: other.ID, Name: "Fragestunde", Public: true}))(t)
	form := "/admin/meetings/" + other.ID.String() + "/question-time"
	_, body := e.get(t, clerk, form)
	mustContain(t, "question time form", body, "Fragestunde")
	mustNotContain(t, "question time form", body, "Grundstück")
	for _, c := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"bad rules", url.Values{"item": {public.ID.String()}, "deadline_days": {"-1"}, "per_person": {"0"}}, "Dieser Wert ist ungültig."},
		{"not a number", url.Values{"item": {public.ID.String()}, "deadline_days": {"drei"}, "per_person": {"2"}}, "Bitte eine ganze Zahl angeben."},
		{"item of another meeting", url.Values{"item": {e.item.ID.String()}, "deadline_days": {"3"}, "per_person": {"2"}}, "Dieser Wert ist ungültig."},
	} {
		resp := e.postForm(t, clerk, form, c.v)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", c.name, resp.StatusCode)
		}
		mustContain(t, c.name, body, c.want)
	}
	resp = e.postForm(t, clerk, form, url.Values{"item": {secret.ID.String()}, "deadline_days": {"3"}, "per_person": {"2"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("non-public item: status %d", resp.StatusCode)
	}
	mustContain(t, "non-public item", readBody(t, resp), "öffentlicher Tagesordnungspunkt")
	resp = e.postForm(t, clerk, form, url.Values{"item": {public.ID.String()}, "deadline_days": {"5"}, "per_person": {"1"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save question time: %d", resp.StatusCode)
	}
	qt, ok, err := e.meetings.QuestionTimeOf(ctx, other.ID)
	if err != nil || !ok || qt.ItemID != public.ID || qt.DeadlineDays != 5 || qt.PerPerson != 1 {
		t.Errorf("saved question time %+v %v %v", qt, ok, err)
	}
}

// TestQuestionModerationMail: the asker gets one message per moderation
// step, in their language, read back from a real SMTP server: published
// (with the link to the question), merged (the number it joined, the
// note), rejected (the reason code and its words, the note; the question
// escaped in HTML), answered in writing (the answer). An oral answer and
// a refused step send nothing.
func TestQuestionModerationMail(t *testing.T) {
	t.Parallel()
	e := newQuestionTimeEnv(t)
	ctx := context.Background()
	smtpd := mailtest.Start(t, mailtest.Options{})
	_, clara := e.login(t, council.RoleCitizen)
	_, dan := e.login(t, council.RoleCitizen)
	if _, err := e.srv.pool.Exec(ctx, `UPDATE users SET lang = 'en' WHERE id = $1`, dan.ID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ampel := must(e.meetings.Ask(ctx, clara.ID, e.item.ID, "Wann kommt die Ampel an der Schulstraße?", now))(t)
	dup := must(e.meetings.Ask(ctx, dan.ID, e.item.ID, "Kommt die Ampel an der Schulstraße bald?", now))(t)
	const bad = "Warum darf <b>Herr Nachbar</b> dort parken?"
	rej := must(e.meetings.Ask(ctx, clara.ID, e.item.ID, bad, now))(t)
	clerk, _ := e.login(t, council.RoleClerk)
	admin := "/admin/meetings/" + e.meeting.ID.String() + "/questions/"
	step := func(q council.ID, v url.Values, status int) {
		t.Helper()
		resp := e.postForm(t, clerk, admin+q.String(), v)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Fatalf("moderate %v: status %d, want %d", v, resp.StatusCode, status)
		}
	}
	next := func(n int, to string) mailtest.Received {
		t.Helper()
		msgs := e.deliver(t, smtpd)
		if len(msgs) != n || msgs[n-1].To != to {
			t.Fatalf("%d messages at the SMTP server, want %d, the last to %s", len(msgs), n, to)
		}
		m := msgs[n-1]
		m.Text = strings.ReplaceAll(m.Text, "\r\n", "\n")
		return m
	}
	public := "http://plenar.test/meetings/" + e.meeting.ID.String() + "/questions#question-"

	step(ampel.ID, url.Values{"action": {"publish"}}, http.StatusSeeOther)
	m := next(1, clara.Email)
	if m.Subject != "Ihre Frage ist veröffentlicht – Ratssitzung" {
		t.Errorf("published: subject %q", m.Subject)
	}
	mustContain(t, "published", m.Text, "ist veröffentlicht (Nr. 1)", "Wann kommt die Ampel", public+ampel.ID.String(),
		"http://plenar.test/my/questions")
	mustContain(t, "published HTML", m.HTML, `lang="de"`, `href="`+public+ampel.ID.String()+`"`)

	step(dup.ID, url.Values{"action": {"merge"}, "into": {ampel.ID.String()}, "note": {"Gleiche Frage wie Nr. 1"}}, http.StatusSeeOther)
	m = next(2, dan.Email)
	if m.Subject != "Your question was merged with an identical one – Ratssitzung" {
		t.Errorf("merged: subject %q", m.Subject)
	}
	mustContain(t, "merged (English)", m.Text, "merged with the identical\nquestion no. 1", "Note from the administration: Gleiche Frage wie Nr. 1",
		"http://plenar.test/my/questions")
	// A refused step (publishing a merged question) sends nothing.
	step(dup.ID, url.Values{"action": {"publish"}}, http.StatusConflict)

	step(rej.ID, url.Values{"action": {"reject"}, "reason": {"personal_data"}, "note": {"Bitte ohne Namen anderer."}}, http.StatusSeeOther)
	m = next(3, clara.Email)
	if m.Subject != "Ihre Frage wurde nicht zugelassen – Ratssitzung" {
		t.Errorf("rejected: subject %q", m.Subject)
	}
	mustContain(t, "rejected", m.Text, "Grund (personal_data): enthält Daten anderer Personen", "Hinweis der Verwaltung: Bitte ohne Namen anderer.", bad)
	mustContain(t, "rejected HTML", m.HTML, "&lt;b&gt;Herr Nachbar&lt;/b&gt;", "Grund (personal_data)")
	mustNotContain(t, "rejected HTML", m.HTML, "<b>Herr")

	step(ampel.ID, url.Values{"action": {"answer"}, "mode": {"oral"}, "answer": {"Im Frühjahr."}}, http.StatusSeeOther)
	if msgs := e.deliver(t, smtpd); len(msgs) != 3 {
		t.Errorf("an oral answer sent mail: %d messages", len(msgs))
	}
	step(ampel.ID, url.Values{"action": {"answer"}, "mode": {"written"}, "answer": {"Die Ampel kommt im Mai 2027."}}, http.StatusSeeOther)
	m = next(4, clara.Email)
	if m.Subject != "Ihre Frage ist schriftlich beantwortet – Ratssitzung" {
		t.Errorf("answered: subject %q", m.Subject)
	}
	mustContain(t, "answered", m.Text, "Antwort:\nDie Ampel kommt im Mai 2027.", public+ampel.ID.String())
	mustContain(t, "answered HTML", m.HTML, "Die Ampel kommt im Mai 2027.")
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM mail_outbox`); n != 4 {
		t.Errorf("%d messages in the outbox, want 4", n)
	}
}
