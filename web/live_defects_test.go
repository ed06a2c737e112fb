package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

// TestLiveDefects: the defects of the live pages found in issue 17 and
// the state changes of the three live pages, one subtest each, in the
// order of one session (the chair on the console, Beate on her member page
// with camera and microphone, a citizen on the public page, a clerk on a
// second console). The public and the member page run at phone width
// (where citizens and remote members mostly are), the consoles at desktop
// width (the console step checks its layout at 390, 1024 and 1280 px too);
// TestLiveRemoteBrowser runs a member page at desktop width. Each defect's
// subtest fails on the code before the fix.
func TestLiveDefects(t *testing.T) {
	t.Parallel()
	liveDefects(t)
}

func liveDefects(t *testing.T) {
	e := newLiveEnv(t, withMedia(t))
	base, mid := e.ts.URL, e.meeting.ID.String()
	clerkActor := e.clerkActor(t)
	chair, beate := e.newMember(t, e.persons[0]), e.newMember(t, e.persons[1])
	tabs := longer(t, newMediaBrowser(t, 3), 10*time.Minute)
	pub, con, b := tabs[0], tabs[1], tabs[2]
	clk := longer(t, newMediaBrowser(t, 1), 10*time.Minute)[0] // a clerk's console
	for _, tab := range []context.Context{pub, b} {
		phoneView(t, tab)
	}
	axe := axeSource(t)
	failed := false
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if failed {
			t.Logf("%s: not run, an earlier step failed (the test has failed already)", name)
			return
		}
		if !t.Run(name, f) {
			failed = true
		}
	}
	noRaw := func(t *testing.T, ctx context.Context, what string) {
		t.Helper()
		body := evalString(t, ctx, `document.getElementById("live").innerText`)
		for _, bad := range []string{"agenda.nonpublic_title", "live.", "conflict:", "live_speakers_open", "raise hand:"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: raw key or server text %q on the page", what, bad)
			}
		}
	}

	// stage waits until the public player shows what (speaker, room or
	// slate) and, for the slate, a text containing slate.
	stage := func(t *testing.T, what, slate string) {
		t.Helper()
		waitJS(t, pub, `document.querySelector('[data-media="stage"]').dataset.show === "`+what+`"`, "public stage shows "+what)
		if slate != "" {
			waitText(t, pub, `[data-media="slate-text"]`, slate)
		}
	}

	step("StartOnce", func(t *testing.T) {
		// The back office does not offer a second "Sitzung starten": it
		// leads to the console, where the session starts with one press.
		clerk, _ := e.login(t, council.RoleClerk)
		st, body := e.get(t, clerk, "/admin/meetings/"+mid)
		if st != http.StatusOK || !strings.Contains(body, "/admin/meetings/"+mid+"/live") {
			t.Fatalf("back office meeting page: status %d, no link to the console", st)
		}
		if strings.Contains(body, ">Sitzung starten<") {
			t.Error(`the back office offers "Sitzung starten" although the session starts on the console`)
		}
		navigate(t, pub, base+"/meetings/"+mid+"/live")
		waitText(t, pub, `[data-live="conn"]`, "Verbunden")
		// Before the start the player says when the session begins.
		stage(t, "slate", "Die Sitzung beginnt am")
		liveStates(t, pub, "40-live-public-before", axe)
		browserLogin(t, con, base, chair)
		navigate(t, con, base+"/admin/meetings/"+mid+"/live")
		waitText(t, con, `[data-live="conn"]`, "Verbunden")
		waitText(t, con, `[data-live="public-gets"]`, "keine Übertragung")
		click(t, con, `button[data-cmd="start"]`)
		waitText(t, con, `[data-live="item"]`, "Haushalt 2027")
		waitText(t, pub, `[data-live="item"]`, "Haushalt 2027")
		waitText(t, con, `[data-live="public-gets"]`, "sieht und hört")
		// Running, nobody speaks and no room camera sends: a slate, with
		// the item as the caption and the attendance as a summary.
		stage(t, "slate", "zurzeit spricht niemand")
		waitText(t, pub, `[data-media="item-caption"]`, "Haushalt 2027")
		waitText(t, pub, `[data-live="attendance"]`, "anwesend")
		liveStates(t, pub, "41-live-public-nobody", axe)
	})

	step("R4_SoundButtonHidden", func(t *testing.T) {
		browserLogin(t, b, base, beate)
		navigate(t, b, base+"/meetings/"+mid+"/live/member")
		waitText(t, b, `[data-live="item"]`, "Haushalt 2027")
		liveStates(t, b, "45-live-member-before-join", axe)
		for _, p := range []struct {
			name string
			ctx  context.Context
		}{{"public", pub}, {"console", con}, {"member", b}} {
			if !evalBool(t, p.ctx, `(() => { const s = document.querySelector('[data-media="sound"]'); return s.hidden && getComputedStyle(s).display === "none"; })()`) {
				t.Errorf("%s page: \"Ton einschalten\" is displayed although hidden", p.name)
			}
		}
	})

	step("R8_ConsoleNoDeadMedia", func(t *testing.T) {
		// The console has not joined: no black tiles, no sound button, no
		// hint meant for members.
		if !evalBool(t, con, `(() => { const p = document.querySelector('[data-media="program"]'); return p.hidden && getComputedStyle(p).display === "none"; })()`) {
			t.Error("console shows the program tiles without receiving anything")
		}
		clerk, _ := e.login(t, council.RoleClerk)
		setBrowserCookie(t, clk, base, e.sessionCookie(clerk))
		navigate(t, clk, base+"/admin/meetings/"+mid+"/live")
		waitText(t, clk, `[data-live="item"]`, "Haushalt 2027")
		waitText(t, clk, `[data-media="status"]`, "Die Konsole sendet und empfängt kein Bild")
		if s := text(t, clk, `[data-media="status"]`); strings.Contains(s, "Testen Sie") {
			t.Errorf("clerk's console shows the members' device hint: %q", s)
		}
		// Only the programme monitor's switch (R8_ProgrammeMonitor).
		if evalBool(t, clk, `[...document.querySelectorAll('[data-media="section"] video, [data-media="section"] button:not([data-media="monitor"])')].some(x => x.offsetParent !== null)`) {
			t.Error("clerk's console shows media tiles or controls it cannot use")
		}
	})

	step("R7_ConsoleNoSidewaysScroll", func(t *testing.T) {
		// The whole console: a WHIP token created (its URL and token shown
		// once), the roster, the speakers and the poll form.
		if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="ingest-label"]`), "Saalkamera Ratssaal Nord")); err != nil {
			t.Fatal(err)
		}
		click(t, con, `[data-live="ingest-form"] button[type="submit"]`)
		waitJS(t, con, `!document.querySelector('[data-live="ingest-result"]').hidden`, "token shown")
		waitText(t, con, `[data-live="ingest-tokens"]`, "Saalkamera Ratssaal Nord")
		for _, w := range []int64{390, 1024, 1280} { // a phone, a tablet in the room, a laptop
			if err := chromedp.Do(con, chromedp.EmulateViewport(w, 844)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
			if !evalBool(t, con, `document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
				t.Errorf("console at %d px: document %s px wide for %s px (sideways scrolling); widest: %s", w,
					evalString(t, con, `String(document.documentElement.scrollWidth)`), evalString(t, con, `String(document.documentElement.clientWidth)`),
					evalString(t, con, `[...document.querySelectorAll("#live *")].filter(x => x.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(x => x.tagName + "." + x.className + "[" + (x.dataset.live || x.id || "") + "]").join(", ")`))
			}
		}
	})

	step("R5_FocusKeptOnUpdates", func(t *testing.T) {
		carl := e.persons[2].ID
		sel := fmt.Sprintf(`[data-key="presence-%s"]`, carl)
		focused := fmt.Sprintf(`document.activeElement && document.activeElement.dataset.key === "presence-%s"`, carl)
		click(t, clk, sel) // check Carl in: the button turns into check-out and keeps the focus
		waitText(t, clk, sel, "Auschecken")
		waitJS(t, clk, focused, "focus on Carl's button after his check-in")
		// Roster and quorum updates from elsewhere.
		e.do(t, clerkActor, live.CheckIn{Person: e.persons[0].ID})
		waitText(t, clk, fmt.Sprintf(`[data-key="presence-%s"]`, e.persons[0].ID), "Auschecken")
		if !evalBool(t, clk, focused) {
			t.Errorf("focus after a roster update: %s", evalString(t, clk, `document.activeElement.tagName + " " + document.activeElement.textContent`))
		}
		click(t, con, `button[data-cmd="find_quorum"]`) // the chair finds the quorum
		waitText(t, clk, `[data-live="quorum"]`, "beschlussfähig")
		waitText(t, clk, `[data-live="quorum-why"]`, "mehr als die Hälfte") // and how it is reckoned
		time.Sleep(300 * time.Millisecond)
		if !evalBool(t, clk, focused) {
			t.Errorf("focus after a quorum update: %s", evalString(t, clk, `document.activeElement.tagName`))
		}
	})

	step("R6_RaiseHandState", func(t *testing.T) {
		waitJS(t, b, `!document.querySelector('[data-media="join"]').disabled`, "join enabled")
		// The pre-join panel: a speaker test, and joining muted.
		click(t, b, `[data-media="speaker-test"]`)
		waitText(t, b, `[data-media="status"]`, "einen Ton hören")
		click(t, b, `[data-media="join-muted"]`)
		click(t, b, `[data-media="join"]`)
		waitText(t, b, `[data-media="status"]`, "Sie nehmen per Video teil")
		waitJS(t, b, `document.querySelector('[data-media="mute"]').getAttribute("aria-pressed") === "true"`, "joined muted")
		click(t, b, `[data-media="mute"]`) // and on again
		waitJS(t, b, `document.querySelector('[data-media="mute"]').getAttribute("aria-pressed") === "false"`, "microphone on")
		hand := `button[data-cmd="raise_hand"]:not([data-point-of-order])`
		click(t, b, hand)
		waitText(t, b, `[data-live="hand-state"]`, "Nr. 1")
		waitText(t, con, `[data-live="queue"]`, "Beate")
		liveStates(t, b, "46-live-member-queued", axe)
		// "Wortmeldung" is a toggle: while Beate is on the list the
		// toolbar offers the withdrawal instead, with the focus on it.
		if !evalBool(t, b, `(() => { const h = document.querySelector('`+hand+`'); return h.hidden && h.getAttribute("aria-disabled") === "true"; })()`) {
			t.Error(`"Wortmeldung" is offered again while Beate is on the list`)
		}
		if !evalBool(t, b, `(() => { const w = document.querySelector('[data-live="toolbar"] button[data-cmd="withdraw_hand"]'); return !w.hidden && document.activeElement === w; })()`) {
			t.Errorf("the withdrawal is not offered with the focus: active %s", evalString(t, b, `document.activeElement.outerHTML`))
		}
		if !evalBool(t, b, `document.querySelector('[data-live="error"]').hidden`) {
			t.Errorf("after the request: error %q", text(t, b, `[data-live="error"]`))
		}
		// Forced through (another tab, a stale page): a translated message.
		evalBool(t, b, `(() => { const h = document.querySelector('`+hand+`'); h.hidden = false; h.removeAttribute("aria-disabled"); return true; })()`)
		click(t, b, hand)
		waitText(t, b, `[data-live="error"]`, "bereits auf der Rednerliste")
		noRaw(t, b, "member page")
	})

	step("R5_FocusKeptOnQueueUpdate", func(t *testing.T) {
		grant := `[data-live="queue"] button[data-key^="grant-"]`
		evalBool(t, con, `(() => { document.querySelector('`+grant+`').focus(); return true; })()`)
		key := evalString(t, con, `document.activeElement.dataset.key || ""`)
		if key == "" {
			t.Fatal("grant button not focused")
		}
		carl := e.newMember(t, e.persons[2])
		carlActor := live.Actor{Viewer: council.Viewer{UserID: carl.ID, Role: council.RoleMember}, PersonID: e.persons[2].ID}
		e.do(t, carlActor, live.RaiseHand{Person: e.persons[2].ID}) // Carl asks too
		waitText(t, con, `[data-live="queue"]`, "Carl")
		if got := evalString(t, con, `document.activeElement.dataset.key || document.activeElement.tagName`); got != key {
			t.Errorf("focus after a queue update: %s, want %s", got, key)
		}
	})

	step("R9_SpeakingTimeAtGrant", func(t *testing.T) {
		// The time is typed after the request arrived.
		if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="seconds"]`), "120")); err != nil {
			t.Fatal(err)
		}
		click(t, con, `[data-live="queue"] li:first-child button[data-key^="grant-"]`)
		waitText(t, con, `[data-live="floor"]`, "Beate")
		waitText(t, con, `[data-live="floor"] .live-countdown`, ":")
		waitText(t, pub, `[data-media="speaker-caption"]`, "Es spricht: Beate")
		// The public player shows Beate's camera, and the public sees the
		// speakers' list with her countdown.
		stage(t, "speaker", "")
		// The player's controls: pause stops every media element, play
		// starts them again; picture in picture is offered with a picture.
		if !evalBool(t, pub, `!document.querySelector('[data-media="pip"]').disabled || !document.pictureInPictureEnabled`) {
			t.Error("picture in picture not offered while the speaker shows")
		}
		click(t, pub, `[data-media="play"]`)
		waitJS(t, pub, `[...document.querySelectorAll('[data-media="stage"] video, [data-media="audio"] audio')].every((m) => m.paused)`, "paused")
		waitText(t, pub, `[data-media="play"]`, "Abspielen")
		click(t, pub, `[data-media="play"]`)
		waitJS(t, pub, `!document.querySelector('[data-media="speaker-video"]').paused`, "playing again")
		// Beate's toolbar says she has the floor and how long.
		waitText(t, b, `[data-live="hand-state"]`, "Sie haben das Wort")
		waitText(t, b, `[data-live="hand-time"]`, ":")
		// Her gallery shows who takes part, and that she has the floor.
		waitText(t, b, `[data-live="gallery"] li[data-floor="true"]`, "Beate")
		waitText(t, b, `[data-live="gallery"]`, "Carl")
		liveStates(t, b, "47-live-member-floor", axe)
		waitText(t, pub, `[data-live="floor"]`, "Beate")
		waitText(t, pub, `[data-live="floor"] .live-countdown`, ":")
		liveStates(t, pub, "42-live-public-speaker", axe)
	})

	step("R8_ProgrammeMonitor", func(t *testing.T) {
		// The clerk's console shows what the public gets: Beate on the
		// floor, picture decoding, sound off until asked for.
		click(t, clk, `[data-media="monitor"]`)
		waitJS(t, clk, `document.querySelector('[data-media="monitor"]').getAttribute("aria-pressed") === "true" && !document.querySelector('[data-media="program"]').hidden`, "monitor on")
		waitStats(t, clk, "the monitor decodes Beate's camera", func(s slotStats) bool { return s["speaker-video"].Frames > 0 })
		waitJS(t, clk, `(() => { const a = [...document.querySelectorAll('[data-media="audio"] audio')]; return a.length > 0 && a.every((x) => x.muted); })()`, "monitor audio muted")
		click(t, clk, `[data-media="monitor-sound"]`)
		waitJS(t, clk, `[...document.querySelectorAll('[data-media="audio"] audio')].every((x) => !x.muted)`, "monitor audio on")
		waitText(t, clk, `[data-media="speaker-caption"]`, "Beate")
		liveStates(t, clk, "48-live-console-monitor", axe)
	})

	step("PublicReconnects", func(t *testing.T) {
		// The citizen's connection breaks: the page reconnects by itself
		// and the player comes back with the speaker.
		if !evalBool(t, pub, `(() => { const ws = window.__wss.filter(w => w.readyState === WebSocket.OPEN); ws.forEach(w => w.close()); return ws.length === 1; })()`) {
			t.Fatal("the public page has no open live socket")
		}
		waitNotText(t, pub, `[data-live="conn"]`, "Verbunden")
		waitText(t, pub, `[data-live="conn"]`, "Verbunden")
		stage(t, "speaker", "")
		waitText(t, pub, `[data-media="speaker-caption"]`, "Beate")
	})

	step("R3_SpeakerTileClearedAfterFloor", func(t *testing.T) {
		waitJS(t, pub, `!!document.querySelector('[data-media="speaker-video"]').srcObject`, "public speaker tile shows Beate")
		click(t, con, `button[data-cmd="next_item"]`) // ends the floor; calls N 1
		waitText(t, con, `[data-live="item"]`, "Geheimweg")
		waitNotText(t, pub, `[data-media="speaker-caption"]`, "Es spricht")
		// The tile shows no frozen frame of the last speaker.
		waitJS(t, b, `!document.querySelector('[data-media="speaker-video"]').srcObject`, "member's speaker tile cleared")
	})

	step("R1_NeutralTitleTranslated", func(t *testing.T) {
		waitText(t, pub, `[data-live="item"]`, "N 1 Nichtöffentlicher Tagesordnungspunkt")
		noRaw(t, pub, "public page")
		stage(t, "slate", "nichtöffentlich")
		liveStates(t, pub, "43-live-public-nonpublic", axe)
		// The monitor shows nothing either, and says why.
		waitJS(t, clk, `document.querySelector('[data-media="program"]').hidden`, "monitor program hidden for a non-public item")
		waitText(t, clk, `[data-media="status"]`, "kein Bild und keinen Ton")
		if strings.Contains(text(t, pub, `[data-live="announce"]`), meetings.NonPublicTitle) {
			t.Error("the announcement reads the raw key")
		}
	})

	step("ConsoleSaysWhatPublicGets", func(t *testing.T) {
		waitText(t, con, `[data-live="public-gets"]`, "kein Bild und kein Ton")
		stage(t, "slate", "nichtöffentlich")          // the public's player says why there is no picture
		click(t, con, `button[data-cmd="next_item"]`) // Ö 2 Radwege
		waitText(t, con, `[data-live="public-gets"]`, "sieht und hört")
	})

	step("ConsoleRosterOrderAndShortcuts", func(t *testing.T) {
		// The roll call: the clerk finds members by name and by presence,
		// selects everyone absent and checks them in with one command.
		for _, p := range []council.ID{e.persons[0].ID, e.persons[2].ID} {
			e.do(t, clerkActor, live.CheckOut{Person: p})
		}
		waitText(t, clk, fmt.Sprintf(`[data-key="presence-%s"]`, e.persons[2].ID), "Im Saal einchecken")
		if err := chromedp.Do(clk, chromedp.SendKeys(`[data-live="roster-search"]`, "carl")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, clk, `document.querySelectorAll('[data-live="roster"] input[type=checkbox]').length === 1`, "search shows Carl only")
		waitText(t, clk, `[data-live="roster"]`, "Carl")
		setField := func(sel, value, event string) {
			t.Helper()
			evalBool(t, clk, `(() => { const x = document.querySelector('`+sel+`'); x.value = "`+value+`"; x.dispatchEvent(new Event("`+event+`")); return true; })()`)
		}
		setField(`[data-live="roster-search"]`, "", "input")
		setField(`[data-live="roster-filter"]`, "absent", "change")
		waitJS(t, clk, `document.querySelectorAll('[data-live="roster"] input[type=checkbox]').length === 2`, "filter shows the two absent")
		click(t, clk, `[data-live="select-absent"]`)
		waitText(t, clk, `[data-live="roster-count"]`, "2 ausgewählt")
		click(t, clk, `[data-live="check-in-selected"]`)
		waitText(t, clk, `[data-live="announce"]`, "2 im Saal eingecheckt")
		waitJS(t, clk, `document.querySelectorAll('[data-live="roster"] input[type=checkbox]').length === 0`, "nobody absent any more")
		liveStates(t, clk, "49-live-console-roll-call", axe)
		setField(`[data-live="roster-filter"]`, "", "change")

		// The chair's shortcuts: the floor to the first request, then end it.
		carl := e.newMember(t, e.persons[2])
		carlActor := live.Actor{Viewer: council.Viewer{UserID: carl.ID, Role: council.RoleMember}, PersonID: e.persons[2].ID}
		beateActor := live.Actor{Viewer: council.Viewer{UserID: beate.ID, Role: council.RoleMember}, PersonID: e.persons[1].ID}
		e.do(t, carlActor, live.RaiseHand{Person: e.persons[2].ID})
		e.do(t, beateActor, live.RaiseHand{Person: e.persons[1].ID})
		waitText(t, con, `[data-live="queue"] li:nth-child(2)`, "Beate")
		// The chair moves Carl down: everyone sees Beate first.
		click(t, con, fmt.Sprintf(`[data-key="down-%s"]`, evalString(t, con, `document.querySelector('[data-live="queue"] li:first-child [data-key^="grant-"]').dataset.key.slice(6)`)))
		waitText(t, con, `[data-live="queue"] li:first-child`, "Beate")
		waitText(t, pub, `[data-live="queue"] li:first-child`, "Beate")
		waitText(t, pub, `[data-live="queue"] li:nth-child(2)`, "Carl")
		if err := chromedp.Do(con, chromedp.KeyEvent("G", chromedp.KeyModifiers(chromedp.ModifierAlt, chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
		waitText(t, con, `[data-live="floor"]`, "Beate")
		if err := chromedp.Do(con, chromedp.KeyEvent("E", chromedp.KeyModifiers(chromedp.ModifierAlt, chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
		waitNotText(t, con, `[data-live="floor"]`, "Beate")
	})

	step("R2_MediaStatusFollowsPartAndClose", func(t *testing.T) {
		waitText(t, pub, `[data-live="item"]`, "Radwege")
		if _, err := chromedp.Run(con, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
			t.Fatal(err)
		}
		click(t, con, `button[data-cmd="set_part"][data-part="non_public"]`)
		waitText(t, pub, `[data-media="status"]`, "angehalten")
		waitText(t, con, `[data-live="public-gets"]`, "kein Bild und kein Ton")
		click(t, con, `button[data-cmd="set_part"][data-part="public"]`)
		waitNotText(t, pub, `[data-media="status"]`, "angehalten")
		waitText(t, pub, `[data-media="status"]`, "Verbunden")
		waitText(t, con, `[data-live="public-gets"]`, "sieht und hört")
		stage(t, "slate", "zurzeit spricht niemand")
		click(t, con, `button[data-cmd="close"]`)
		waitText(t, pub, `[data-media="status"]`, "beendet")
		stage(t, "slate", "Die Sitzung ist beendet")
		liveStates(t, pub, "44-live-public-closed", axe)
		waitText(t, b, `[data-media="status"]`, "beendet")
		waitNotText(t, pub, `[data-media="speaker-caption"]`, "Es spricht")
		waitText(t, con, `[data-live="public-gets"]`, "keine Übertragung")
		noRaw(t, pub, "public page after closing")
		noRaw(t, b, "member page after closing")
	})
}
