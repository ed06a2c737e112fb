package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// TestQuestionsBrowser: the Einwohnerfragestunde end to end in Chromium.
// A citizen asks two questions through the meeting's question page; the
// clerk publishes one and rejects the other with a reason in the back
// office; the public sees the published one with the asker's consented
// name and the moderation statistics, never the rejected one; in the live
// session the chair calls the question on the console and the public and
// member pages show it; the clerk records the written answer, which the
// public page shows with the question. The chair gives Clara the floor:
// her public live page offers her the microphone (audio only, never a
// camera), the public hears her, the chair ends it and her page plays the
// programme again; the non-public part ends her floor too. axe-core (no serious or critical
// finding) on every new page, in German and English.
func TestQuestionsBrowser(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	ctx := context.Background()
	axe := axeSource(t)
	base := e.ts.URL

	// A council meeting in four days whose first item is the question
	// time (deadline three days before: open for another day).
	qm, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Ratssitzung mit Fragestunde",
		Start: time.Now().Add(4 * 24 * time.Hour).Truncate(time.Minute), Organizations: []council.ID{e.org.ID}})
	liveMust(t, "save meeting", err)
	qt, err := e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: qm.ID, Name: "Einwohnerfragestunde", Public: true})
	liveMust(t, "save item", err)
	_, err = e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: qm.ID, Name: "Haushalt 2027", Public: true})
	liveMust(t, "save item", err)
	liveMust(t, "question time", e.meetings.SetQuestionTime(ctx, meetings.QuestionTime{ItemID: qt.ID, DeadlineDays: 3, PerPerson: 2}))
	_, err = e.meetings.Invite(ctx, qm.ID, time.Now())
	liveMust(t, "invite", err)
	mid := qm.ID.String()

	hash, err := council.HashPassword(testPassword)
	liveMust(t, "hash", err)
	clara, err := e.council.CreateUser(ctx, council.User{Email: "clara@plenar.test", DisplayName: "Clara Kiesel", PasswordHash: hash, Role: council.RoleCitizen})
	liveMust(t, "citizen", err)
	if _, err := e.srv.pool.Exec(ctx, `UPDATE users SET publish_name = true WHERE id = $1`, clara.ID); err != nil {
		t.Fatal(err)
	}
	chair, beate := e.newMember(t, e.persons[0]), e.newMember(t, e.persons[1])
	clerkClient, _ := e.login(t, council.RoleClerk)

	bctx := startMediaBrowser(t)
	tab := func() context.Context {
		c, cancel := mediaTab(t, bctx, 8*time.Minute)
		t.Cleanup(cancel)
		return c
	}
	cit, clk, pub, mem := tab(), tab(), tab(), tab()
	axeBoth := func(ctx context.Context, path, what string) {
		t.Helper()
		for _, lang := range []string{"en", "de"} { // German last: a logged-in visitor keeps the language
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			navigate(t, ctx, base+path+sep+"lang="+lang)
			if vs := runAxe(t, ctx, axe); len(vs) > 0 {
				t.Errorf("%s (%s): axe:%s", what, lang, describeViolations(vs))
			}
		}
	}
	body := func(ctx context.Context) string { return evalString(t, ctx, `document.body.innerText`) }

	// The citizen finds the question time on the meeting page and asks
	// there.
	good, bad := "Wann wird die Ampel an der Schulstraße gebaut?", "Warum ist mein Nachbar so laut? Er wohnt in Nummer 5."
	browserLogin(t, cit, base, clara)
	axeBoth(cit, "/meetings/"+mid, "meeting page with the question form")
	if b := body(cit); !strings.Contains(b, "Einwohnerfragestunde") || !strings.Contains(b, "Ihre Frage") {
		t.Fatalf("meeting page without the question form:\n%s", b)
	}
	if err := chromedp.Do(cit, chromedp.SetValue(chromedp.CSS("#f-text"), good)); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, cit, "#f-text")
	if p := pathOf(t, cit, base); !strings.HasPrefix(p, "/my/questions") || !strings.Contains(body(cit), "Ihre Frage ist eingegangen") {
		t.Fatalf("after asking: at %s:\n%s", p, body(cit))
	}
	// The meeting's question page: the form, the rules, the refusals.
	navigate(t, cit, base+"/meetings/"+mid)
	click(t, cit, `.question-time a`)
	waitNewDocumentOrPath(t, cit, base, "/meetings/"+mid+"/questions")
	axeBoth(cit, "/meetings/"+mid+"/questions", "question page with the form")
	ask := func(text string) {
		t.Helper()
		navigate(t, cit, base+"/meetings/"+mid+"/questions")
		if err := chromedp.Do(cit, chromedp.SetValue(chromedp.CSS("#f-text"), text)); err != nil {
			t.Fatal(err)
		}
		submitAndWait(t, cit, "#f-text")
	}
	ask("Warum?") // too short: the form again with the message
	if b := body(cit); !strings.Contains(b, "Die Frage ist zu kurz") {
		t.Fatalf("short question: no message:\n%s", b)
	}
	if vs := runAxe(t, cit, axe); len(vs) > 0 {
		t.Errorf("question form with an error: axe:%s", describeViolations(vs))
	}
	ask(bad)
	axeBoth(cit, "/my/questions", "my questions")
	qs, err := e.meetings.QuestionsOfItem(ctx, qt.ID)
	if err != nil || len(qs) != 2 {
		t.Fatalf("questions stored: %v %+v", err, qs)
	}
	q1, q2 := qs[0].ID.String(), qs[1].ID.String()

	// The clerk moderates: publish one, reject the other with a reason.
	setBrowserCookie(t, clk, base, e.sessionCookie(clerkClient))
	axeBoth(clk, "/admin/questions", "moderation queue")
	axeBoth(clk, "/admin/meetings/"+mid+"/questions", "moderation page")
	navigate(t, clk, base+"/admin/meetings/"+mid+"/questions")
	submitAndWait(t, clk, "#question-"+q1+` input[value="publish"]`)
	if err := chromedp.Do(clk, chromedp.SetValue(chromedp.CSS("#reason-"+q2), "personal_data"),
		chromedp.SetValue(chromedp.CSS("#rnote-"+q2), "Bitte keine Angaben zu Nachbarn.")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, clk, "#reason-"+q2)
	if b := body(clk); !strings.Contains(b, "Die Frage ist abgelehnt.") {
		t.Fatalf("after rejecting:\n%s", b)
	}
	axeBoth(clk, "/admin/meetings/"+mid+"/questions", "moderation page after moderation")

	// The public sees the published question with the consented name and
	// the statistics, not the rejected one.
	for _, path := range []string{"/beteiligung/fragen", "/meetings/" + mid + "/questions"} {
		navigate(t, pub, base+path)
		b := body(pub)
		for _, want := range []string{good, "Clara Kiesel", "Abgelehnt", "Enthält Daten anderer Personen"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s: missing %q", path, want)
			}
		}
		for _, no := range []string{"Nachbar", "Bitte keine Angaben"} {
			if strings.Contains(b, no) {
				t.Errorf("%s shows %q of the rejected question", path, no)
			}
		}
		axeBoth(pub, path, "public "+path)
	}
	navigate(t, cit, base+"/my/questions")
	if b := body(cit); !strings.Contains(b, "Grund der Ablehnung: Enthält Daten anderer Personen") || !strings.Contains(b, "Bitte keine Angaben zu Nachbarn.") {
		t.Errorf("my questions after moderation:\n%s", b)
	}

	// The live session: the chair starts it on the console (the question
	// time is the first item) and reads the question; the public and the
	// member pages show it.
	clk = tab() // the chair's own browser
	browserLogin(t, clk, base, chair)
	navigate(t, clk, base+"/admin/meetings/"+mid+"/live")
	waitText(t, clk, `[data-live="conn"]`, "Verbunden")
	navigate(t, pub, base+"/meetings/"+mid+"/live")
	waitText(t, pub, `[data-live="conn"]`, "Verbunden")
	browserLogin(t, mem, base, beate)
	navigate(t, mem, base+"/meetings/"+mid+"/live/member")
	waitText(t, mem, `[data-live="conn"]`, "Verbunden")
	click(t, clk, `button[data-cmd="start"]`)
	waitText(t, clk, `[data-live="item"]`, "Einwohnerfragestunde")
	waitText(t, clk, `[data-live="questions"]`, good)
	waitText(t, pub, `[data-live="question"]`, "Noch keine Frage aufgerufen")
	click(t, clk, fmt.Sprintf(`button[data-key="read-%s"]`, q1))
	for name, c := range map[string]context.Context{"public": pub, "member": mem, "console": clk} {
		waitText(t, c, `[data-live="question"]`, good)
		waitText(t, c, `[data-live="question"]`, "Clara Kiesel")
		if vs := runAxe(t, c, axe); len(vs) > 0 {
			t.Errorf("%s live page with the question: axe:%s", name, describeViolations(vs))
		}
	}
	if strings.Contains(evalString(t, pub, `document.getElementById("live").innerText`), "Nachbar") {
		t.Error("the public live page shows the rejected question")
	}

	// The chair gives Clara the floor for her question: her own public
	// live page offers her the microphone; the public hears her; nothing
	// of a camera leaves her browser.
	navigate(t, cit, base+"/meetings/"+mid+"/live")
	waitText(t, cit, `[data-live="conn"]`, "Verbunden")
	waitJS(t, cit, `document.querySelector('[data-live="guest-floor"]').hidden`, "no floor panel before the floor")
	waitText(t, pub, `[data-media="status"]`, "Verbunden: Bild und Ton")
	silent := readStats(t, pub)["floor-0"].Packets
	click(t, clk, fmt.Sprintf(`button[data-key="floor-%s"]`, q1))
	waitJS(t, cit, `!document.querySelector('[data-live="guest-floor"]').hidden && document.activeElement === document.querySelector('[data-live="guest-floor"]')`,
		"Clara's floor panel, focused")
	waitText(t, cit, `[data-live="guest-remaining"]`, "Redezeit: noch")
	for name, c := range map[string]context.Context{"public": pub, "member": mem, "console": clk} {
		waitText(t, c, `[data-live="question-floor"]`, "hat das Wort (nur Ton)")
		if name == "public" {
			waitText(t, c, `[data-media="slate-text"]`, "Es spricht die fragende Person zu Frage 1 (nur Ton)")
		}
		if name == "public" && !evalBool(t, c, `document.querySelector('[data-live="guest-floor"]').hidden`) {
			t.Error("the public page of someone else offers the microphone")
		}
	}
	// The panel after a reload, in English and German (the snapshot tells
	// the page the floor is hers).
	for _, lang := range []string{"en", "de"} {
		navigate(t, cit, base+"/meetings/"+mid+"/live?lang="+lang)
		waitJS(t, cit, `!document.querySelector('[data-live="guest-floor"]').hidden`, "Clara's panel after a reload ("+lang+")")
		waitText(t, cit, `[data-live="guest-remaining"]`, map[string]string{"en": "Speaking time", "de": "Redezeit"}[lang])
		if vs := runAxe(t, cit, axe); len(vs) > 0 {
			t.Errorf("Clara's live page with the floor (%s): axe:%s", lang, describeViolations(vs))
		}
	}
	waitText(t, cit, `[data-media="status"]`, "Verbunden")
	liveStates(t, cit, "61-question-floor-offered", axe)
	liveStates(t, clk, "62-console-question-floor", axe)
	click(t, cit, `[data-live="guest-speak"]`)
	waitText(t, cit, `[data-media="status"]`, "Ihr Mikrofon ist im Saal zu hören")
	waitJS(t, cit, `window.__pcs.filter(p => p.connectionState !== "closed").some(p => p.getSenders().some(s => s.track && s.track.kind === "audio"))`,
		"Clara's microphone sent")
	if evalBool(t, cit, `window.__pcs.some(p => p.getSenders().some(s => s.track && s.track.kind === "video"))`) {
		t.Error("Clara's browser sends a camera track")
	}
	waitStats(t, pub, "Clara heard by the public", func(s slotStats) bool { return s["floor-0"].Packets > silent+50 })
	liveStates(t, cit, "63-question-floor-speaking", axe)
	// The chair ends her floor: the panel goes, the microphone is off,
	// the programme plays again (a viewer, sending nothing).
	click(t, clk, `[data-live="end-question-floor"]`)
	waitJS(t, cit, `document.querySelector('[data-live="guest-floor"]').hidden`, "Clara's panel gone after the end")
	waitJS(t, cit, `window.__pcs.filter(p => p.connectionState !== "closed").every(p => p.getSenders().every(s => !s.track))`,
		"Clara's microphone off")
	waitText(t, cit, `[data-media="status"]`, "Verbunden")
	for _, c := range []context.Context{pub, clk} {
		waitJS(t, c, `document.querySelector('[data-live="question-floor"]').hidden`, "the floor line gone")
	}
	// Given again, the non-public part ends it at once.
	click(t, clk, fmt.Sprintf(`button[data-key="floor-%s"]`, q1))
	waitJS(t, cit, `!document.querySelector('[data-live="guest-floor"]').hidden`, "Clara's panel again")
	if _, err := chromedp.Run(clk, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	click(t, clk, `button[data-cmd="set_part"][data-part="non_public"]`)
	waitJS(t, cit, `document.querySelector('[data-live="guest-floor"]').hidden`, "Clara's panel gone in the non-public part")
	if s, err := e.meetings.Question(ctx, qs[0].ID); err != nil || s.FloorUntil.IsZero() || s.FloorUntil.After(time.Now()) {
		t.Errorf("stored floor after the non-public part: %v %v", err, s.FloorUntil)
	}
	click(t, clk, `button[data-cmd="set_part"][data-part="public"]`)

	// The clerk records the written answer; it is published with the
	// question.
	resp := e.postForm(t, clerkClient, "/admin/meetings/"+mid+"/questions/"+q1,
		url.Values{"action": {"answer"}, "mode": {"written"}, "answer": {"Die Ampel wird im Mai 2027 gebaut."}})
	resp.Body.Close()
	navigate(t, pub, base+"/meetings/"+mid+"/questions")
	if b := body(pub); !strings.Contains(b, "Schriftliche Antwort") || !strings.Contains(b, "Die Ampel wird im Mai 2027 gebaut.") ||
		!strings.Contains(b, "in der Sitzung aufgerufen") && !strings.Contains(b, "Beantwortet") {
		t.Errorf("public question page after the answer:\n%s", b)
	}
	axeBoth(pub, "/meetings/"+mid+"/questions", "public question page with the answer")
}

// waitNewDocumentOrPath waits until the browser is at path (after a
// click on a link).
func waitNewDocumentOrPath(t *testing.T, ctx context.Context, base, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.HasPrefix(pathOf(t, ctx, base), path) &&
			evalString(t, ctx, `document.readyState`) == "complete" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not at %s within 20 s (at %s)", path, pathOf(t, ctx, base))
}
