package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/meetings/live"
)

// waitJSFor polls a boolean expression for up to d.
func waitJSFor(t *testing.T, ctx context.Context, d time.Duration, js, what string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, d)
}

// TestLiveVoteStates: every state of a poll on the three live pages, with
// all three members in the room (Beate votes on her own device; the clerk
// enters the others):
//   - opened: the console opens an open vote with "absolute Mehrheit";
//     Beate's ballot takes the focus, the public page counts 0 of 3, the
//     polite live region announces it;
//   - pending and retry: Beate's first ballot is lost on the way; her page
//     shows it in flight with the choices disabled and sends it again with
//     the same ballot id; then "gezählt"; after a reload still "gezählt";
//   - paused: Beate's Rüge pauses the poll: member, public and console
//     pages say so, the console cannot close it, Beate cannot vote;
//   - resumed: the chair's "Fortfahren" reopens it everywhere;
//   - closed: the result with the rule and inputs on all pages;
//   - cancelled: cancelling needs a reason (a translated message, not the
//     server's); the reason shows on all pages; "wiederholen" opens it
//     again;
//   - a secret vote: Beate's receipt survives a reload of her page.
func TestLiveVoteStates(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	base, mid := e.ts.URL, e.meeting.ID.String()
	clerkActor := e.clerkActor(t)
	e.do(t, clerkActor, live.Start{})
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CheckIn{Person: p.ID})
	}
	chair, beate, carl := e.persons[0], e.persons[1], e.persons[2]
	clerk, _ := e.login(t, "clerk")
	tabs := longer(t, newMediaBrowser(t, 3), 10*time.Minute)
	con, b, pub := tabs[0], tabs[1], tabs[2]
	setBrowserCookie(t, con, base, e.sessionCookie(clerk))
	setBrowserCookie(t, b, base, e.sessionCookie(e.loginMember(t, beate)))
	navigate(t, con, base+"/admin/meetings/"+mid+"/live")
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	navigate(t, pub, base+"/meetings/"+mid+"/live")
	for _, ctx := range tabs {
		waitText(t, ctx, `[data-live="item"]`, "Haushalt 2027")
		waitText(t, ctx, `[data-live="polls"]`, "noch keine Abstimmung")
	}
	state := func(ctx context.Context, want string) {
		t.Helper()
		waitText(t, ctx, lastPoll+` [data-live="poll-state"]`, want)
	}

	// Opened.
	if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-rule"]`), "absolute"),
		chromedp.SetValue(chromedp.CSS(`[data-live="poll-question"]`), "Haushaltssatzung 2027")); err != nil {
		t.Fatal(err)
	}
	click(t, con, `[data-live="poll-form"] button[type="submit"]`)
	for _, ctx := range tabs {
		state(ctx, "Die Abstimmung läuft.")
	}
	waitText(t, pub, lastPoll+` [data-live="poll-info"]`, "offen · absolute Mehrheit (der gesetzlichen Mitglieder)")
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "0 von 3 Stimmen abgegeben")
	waitText(t, pub, `[data-live="poll-status"]`, "Abstimmung eröffnet: Haushaltssatzung 2027")
	waitJS(t, b, `document.activeElement && document.activeElement.dataset.live === "ballot"`, "ballot focused")
	id := lastPollID(t, con)
	if evalBool(t, con, `!document.querySelector('[data-live="poll-form"] button[type="submit"]').disabled`) {
		t.Error("the console offers to open a second poll while one runs")
	}

	// Pending, and the retry with the same ballot id.
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`(() => {
		window.__ballots = []; const send = WebSocket.prototype.send;
		WebSocket.prototype.send = function (m) {
			if (String(m).includes('"cast_ballot"')) { window.__ballots.push(JSON.parse(m)); if (window.__ballots.length === 1) return; }
			return send.call(this, m);
		};
		return true; })()`)); err != nil {
		t.Fatal(err)
	}
	click(t, b, `[data-live="ballot"] button[data-choice="yes"]`)
	waitText(t, b, `[data-live="ballot"]`, "Ihre Stimme wird übermittelt")
	if !evalBool(t, b, `[...document.querySelectorAll('[data-live="ballot"] button')].every(x => x.disabled)`) {
		t.Error("choices stay enabled while the ballot is in flight")
	}
	waitJSFor(t, b, 20*time.Second, `!!document.querySelector('[data-live="counted"]')`, "ballot counted after the retry")
	waitText(t, b, `[data-live="counted"]`, "Ihre Stimme wurde gezählt: Ja")
	if got := evalString(t, b, `JSON.stringify(window.__ballots.map(m => m.ballot))`); !evalBool(t, b, `window.__ballots.length === 2 && window.__ballots[0].ballot === window.__ballots[1].ballot && window.__ballots[0].ballot.length >= 8`) {
		t.Errorf("ballot ids sent: %s, want the same id twice", got)
	}
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "1 von 3 Stimmen abgegeben")
	waitText(t, con, fmt.Sprintf(`%s tr[data-person=%q]`, lastPoll, beate.ID), "Ja")
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, lastPoll+` [data-live="counted"]`, "Ihre Stimme wurde gezählt: Ja")

	// Changed (the NW profile allows it until the close): Nein, then Ja again.
	for _, c := range []struct{ choice, label string }{{"no", "Nein"}, {"yes", "Ja"}} {
		click(t, b, lastPoll+` [data-live="change"]`)
		waitJS(t, b, `document.activeElement && document.activeElement.dataset.live === "ballot"`, "ballot focused for the change")
		click(t, b, `[data-live="ballot"] button[data-choice="`+c.choice+`"]`)
		waitText(t, b, lastPoll+` [data-live="counted"]`, "Ihre Stimme wurde gezählt: "+c.label)
		waitText(t, con, fmt.Sprintf(`%s tr[data-person=%q]`, lastPoll, beate.ID), c.label)
		waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "1 von 3 Stimmen abgegeben")
	}

	// Paused by a Rüge, resumed by the chair.
	if err := chromedp.Do(b, chromedp.SetValue(chromedp.CSS(`[data-live="complaint-text"]`), "Ton fällt aus")); err != nil {
		t.Fatal(err)
	}
	click(t, b, `[data-live="complaint-form"] button[type="submit"]`)
	for _, ctx := range tabs {
		state(ctx, "Unterbrochen wegen einer Rüge")
	}
	waitText(t, pub, `[data-live="poll-status"]`, "Abstimmung unterbrochen")
	if !evalBool(t, con, fmt.Sprintf(`document.querySelector('[data-key="close-%s"]').disabled`, id)) {
		t.Error("the console offers to close a paused poll")
	}
	if vs := runAxe(t, con, axeSource(t)); len(vs) > 0 {
		t.Errorf("console with a paused poll: axe violations:%s", describeViolations(vs))
	}
	click(t, con, `[data-live="complaints"] li button:nth-of-type(2)`) // continue
	for _, ctx := range tabs {
		state(ctx, "Die Abstimmung läuft.")
	}
	waitText(t, b, `[data-live="poll-status"]`, "Abstimmung fortgesetzt")

	// Closed: Carl "Nein" entered, everyone else in the room "Ja".
	click(t, con, fmt.Sprintf(`%s tr[data-person=%q] button[data-choice="no"]`, lastPoll, carl.ID))
	waitJS(t, con, fmt.Sprintf(`!document.querySelector('%s tr[data-person="%s"] button')`, lastPoll, carl.ID), "Carl entered")
	click(t, con, fmt.Sprintf(`[data-key="room-%s"]`, id))
	waitText(t, con, fmt.Sprintf(`%s tr[data-person=%q]`, lastPoll, chair.ID), "Ja")
	waitText(t, con, lastPoll+` [data-live="poll-count"]`, "3 von 3")
	click(t, con, fmt.Sprintf(`[data-key="close-%s"]`, id))
	for _, ctx := range tabs {
		state(ctx, "Abstimmung geschlossen")
		waitText(t, ctx, lastPoll+` [data-live="poll-result"]`, "Angenommen – Ja: 2, Nein: 1, Enthaltungen: 0")
		waitText(t, ctx, lastPoll+` [data-live="poll-result"]`, "absolute Mehrheit")
		waitText(t, ctx, lastPoll+` [data-live="poll-result"]`, "Anwesend3")
	}

	// Cancelled, with a reason; then repeated.
	click(t, con, `input[name="poll-kind"][value="named"]`)
	if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-question"]`), "Änderungsantrag der Fraktion A")); err != nil {
		t.Fatal(err)
	}
	// The rule list stays offered with polls on the page.
	if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`select[data-live="poll-rule"]`), "two_thirds_cast")); err != nil {
		t.Fatal(err)
	}
	click(t, con, `[data-live="poll-form"] button[type="submit"]`)
	waitText(t, pub, lastPoll+" h3", "Änderungsantrag")
	waitText(t, pub, lastPoll+` [data-live="poll-info"]`, "namentlich · Zweidrittelmehrheit der abgegebenen Stimmen")
	id = lastPollID(t, con)
	click(t, con, fmt.Sprintf(`[data-key="cancel-%s"]`, id))
	waitText(t, con, `[data-live="error"]`, "Bitte geben Sie einen Grund für den Abbruch an.")
	if got := evalString(t, con, `document.activeElement.id`); got != "reason-"+id {
		t.Errorf("focus after a missing reason: %q, want the reason field", got)
	}
	if err := chromedp.Do(con, chromedp.SendKeys(chromedp.CSS("#reason-"+id), "Antrag zurückgezogen\r")); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range tabs {
		state(ctx, "Abstimmung abgebrochen")
		waitText(t, ctx, lastPoll+` [data-live="poll-result"]`, "Abgebrochen: Antrag zurückgezogen")
	}
	if got := text(t, con, `[data-live="error"]`); got != "" && evalBool(t, con, `!document.querySelector('[data-live="error"]').hidden`) {
		t.Errorf("error still shown after the cancel: %q", got)
	}
	click(t, con, fmt.Sprintf(`[data-key="repeat-%s"]`, id))
	waitJS(t, con, fmt.Sprintf(`document.querySelector('%s').dataset.poll !== %q`, lastPoll, id), "repeat opened")
	state(pub, "Die Abstimmung läuft.")
	waitText(t, pub, lastPoll+" h3", "Änderungsantrag")
	id = lastPollID(t, con)
	if err := chromedp.Do(con, chromedp.SendKeys(chromedp.CSS("#reason-"+id), "Vertagt\r")); err != nil {
		t.Fatal(err)
	}
	state(b, "Abstimmung abgebrochen")

	// A secret vote: the receipt stays on Beate's page after a reload.
	click(t, con, `input[name="poll-kind"][value="secret"]`)
	if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-question"]`), "Geheime Abstimmung")); err != nil {
		t.Fatal(err)
	}
	click(t, con, `[data-live="poll-form"] button[type="submit"]`)
	waitText(t, b, lastPoll+" h3", "Geheime Abstimmung")
	click(t, b, `[data-live="ballot"] button[data-choice="no"]`)
	waitText(t, b, lastPoll+` [data-live="counted"]`, "Ihr Beleg:")
	receipt := text(t, b, lastPoll+` [data-live="own-receipt"]`)
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, lastPoll+` [data-live="own-receipt"]`, receipt)
	// And in English.
	navigate(t, b, base+"/meetings/"+mid+"/live/member?lang=en")
	waitText(t, b, lastPoll+` [data-live="counted"]`, "Your vote was counted.")
	waitText(t, b, lastPoll+` [data-live="own-receipt"]`, receipt)

	// Not eligible: Beate declares a conflict of interest on her page; the
	// next poll tells her why she does not vote.
	id = lastPollID(t, con)
	click(t, con, fmt.Sprintf(`[data-key="close-%s"]`, id))
	state(b, "Poll closed")
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	click(t, b, `button[data-cmd="declare_conflict"]`)
	waitText(t, con, `[data-live="roster"]`, "befangen")
	click(t, con, `input[name="poll-kind"][value="open"]`)
	if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-question"]`), "Nach der Befangenheit")); err != nil {
		t.Fatal(err)
	}
	click(t, con, `[data-live="poll-form"] button[type="submit"]`)
	waitText(t, b, lastPoll+` [data-live="not-eligible"]`, "declared a conflict of interest")
	if evalBool(t, b, `!!document.querySelector('[data-live="ballot"]')`) {
		t.Error("a conflicted member is offered a ballot")
	}
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "0 von 2 Stimmen abgegeben")
}
