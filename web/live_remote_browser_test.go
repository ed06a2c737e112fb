package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
)

// evalBool evaluates a boolean expression in the page.
func evalBool(t testing.TB, ctx context.Context, js string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("eval %s: %v", js, err)
	}
	return ok
}

// energyGrowth is how much the floor-0 slot's totalAudioEnergy grows on
// ctx's page within two seconds.
func energyGrowth(t *testing.T, ctx context.Context) float64 {
	t.Helper()
	e1 := readStats(t, ctx)["floor-0"].Energy
	time.Sleep(2 * time.Second)
	return readStats(t, ctx)["floor-0"].Energy - e1
}

// TestLiveRemoteBrowser: the remote side of a hybrid session in Chromium
// with fake devices — the chair on the console with camera, Beate and
// Carl in the member room.
//   - The chair creates and revokes an ingest token by keyboard; axe on
//     the console.
//   - With nobody on the floor the chair's camera fills the speaker tile
//     (Carl's page decodes speaker-video frames).
//   - Beate raises a Rüge; the console shows it; the chair resolves it
//     with "repeat"; the console and Beate's page show it resolved.
//   - In the non-public part the console lists the remote members who
//     have not confirmed until each confirms on their page; each remote
//     page shows a focused prompt; an unconfirmed member (Carl) receives
//     no packets while a confirmed one (Beate) decodes the chair's
//     camera, and receives media once he confirms.
//   - With Beate on the floor, her mute button disables her microphone
//     track: the audio energy Carl receives stops growing, and grows
//     again after unmuting.
//   - Carl's websocket breaks (closed from the page): the page reconnects,
//     joins media again on a new peer connection and receives Beate again.
//   - After a reload, Beate's page and the console show the resolved Rüge.
//
// The console and Carl's page run at desktop width, Beate's at phone
// width (TestLiveDefects runs the public and member pages at phone width,
// the consoles at desktop width).
func TestLiveRemoteBrowser(t *testing.T) {
	t.Parallel()
	liveRemote(t)
}

func liveRemote(t *testing.T) {
	e := newLiveEnv(t, withMedia(t))
	base, mid := e.ts.URL, e.meeting.ID.String()
	chair, beate, carl := e.newMember(t, e.persons[0]), e.newMember(t, e.persons[1]), e.newMember(t, e.persons[2])
	tabs := newMediaBrowser(t, 3)
	con, a, b := tabs[0], tabs[1], tabs[2]
	phoneView(t, b) // Beate on her phone

	browserLogin(t, con, base, chair)
	navigate(t, con, base+"/admin/meetings/"+mid+"/live")
	waitText(t, con, `[data-live="conn"]`, "Verbunden")
	if _, err := chromedp.Run(con, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	click(t, con, `button[data-cmd="start"]`)
	waitText(t, con, `[data-live="item"]`, "Haushalt 2027")

	// Ingest tokens by keyboard: Enter in the label field creates one, it
	// is listed (encoder, by whom, valid), Enter on its revoke button
	// revokes it.
	if err := chromedp.Do(con, chromedp.SendKeys(chromedp.CSS("#live-ingest-label"), "OBS Saal\r")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, con, `document.querySelector('[data-live="ingest-token"]').value.startsWith("plenar_whip_")`, "token shown once")
	waitJS(t, con, `[...document.querySelectorAll('[data-live="ingest-tokens"] tr')].some(r => r.textContent.includes("OBS Saal") && r.textContent.includes("Vorsitz") && r.textContent.includes("gültig"))`, "token listed")
	if err := chromedp.Do(con, chromedp.Focus(chromedp.CSS(`[data-live="ingest-tokens"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(con, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, con, `[...document.querySelectorAll('[data-live="ingest-tokens"] tr')].some(r => r.textContent.includes("OBS Saal") && r.textContent.includes("widerrufen")) && !document.querySelector('[data-live="ingest-tokens"] button')`, "token revoked")
	if vs := runAxe(t, con, axeSource(t)); len(vs) > 0 {
		t.Errorf("console: axe violations:%s", describeViolations(vs))
	}

	waitJS(t, con, `!document.querySelector('[data-media="devices"]').hidden && !document.querySelector('[data-media="join"]').disabled`, "chair's camera controls")
	click(t, con, `[data-media="join"]`)
	for _, m := range []struct {
		ctx context.Context
		u   council.User
	}{{a, beate}, {b, carl}} {
		browserLogin(t, m.ctx, base, m.u)
		navigate(t, m.ctx, base+"/meetings/"+mid+"/live/member")
		waitText(t, m.ctx, `[data-live="item"]`, "Haushalt 2027")
		waitJS(t, m.ctx, `!document.querySelector('[data-media="join"]').disabled`, "join enabled")
		click(t, m.ctx, `[data-media="join"]`)
	}
	remote := func(name string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('[data-live="roster"] tr')].some(r => r.textContent.includes(%q) && r.textContent.includes("digital") && r.textContent.includes("verbunden"))`, name)
	}
	for _, name := range []string{"Vorsitz", "Beate", "Carl"} {
		waitJS(t, con, remote(name), "console roster: "+name+" remote")
	}

	// Nobody holds the floor: the chair's camera is the speaker tile.
	first := waitStats(t, b, "chair's camera on Carl's speaker tile", func(s slotStats) bool { return s["speaker-video"].Frames > 0 })
	waitStats(t, b, "chair's camera frames grow", func(s slotStats) bool { return s["speaker-video"].Frames > first["speaker-video"].Frames })

	// A Rüge: raised by Beate, resolved by the chair with "repeat".
	if err := chromedp.Do(a, chromedp.SetValue(chromedp.CSS(`[data-live="complaint-text"]`), "Ton fällt aus")); err != nil {
		t.Fatal(err)
	}
	click(t, a, `[data-live="complaint-form"] button[type="submit"]`)
	waitText(t, a, `[data-live="own-complaints"]`, "übermittelt: Ton fällt aus")
	waitText(t, con, `[data-live="complaints"]`, "Beate Rat1: Ton fällt aus")
	click(t, con, `[data-live="complaints"] li button`) // the first button: repeat
	resolvedRepeat := `[...document.querySelectorAll('[data-resolved="repeat"]')].some(li => li.textContent.includes("Ton fällt aus") && li.textContent.includes("wiederholt"))`
	waitJS(t, con, resolvedRepeat, "console: complaint resolved (repeat)")
	waitJS(t, a, resolvedRepeat, "Beate's page: complaint resolved (repeat)")
	if evalBool(t, a, `document.querySelector('[data-live="own-complaints"]').textContent.includes("übermittelt")`) {
		t.Error("Beate's page still shows the complaint as pending")
	}
	if evalBool(t, con, `!!document.querySelector('[data-live="complaints"] button')`) {
		t.Error("console still offers to resolve the complaint")
	}

	// Non-public part: who has not confirmed yet. Every remote page (the
	// chair's console too: the chair is remote) shows the prompt and
	// moves the focus to it.
	click(t, con, `button[data-cmd="set_part"][data-part="non_public"]`)
	waitText(t, con, `[data-live="confirmations"]`, "Beate Rat1: noch nicht bestätigt")
	waitText(t, con, `[data-live="confirmations"]`, "Carl Rat2: noch nicht bestätigt")
	prompt := `(() => { const p = document.querySelector('[data-live="confirm-prompt"]');
		return !p.hidden && document.activeElement === p && p.textContent.includes("kein Dritter"); })()`
	for _, ctx := range []context.Context{con, a, b} {
		waitJS(t, ctx, prompt, "confirmation prompt shown and focused")
	}
	// The prompt is part of the member room: axe checks it while shown.
	if vs := runAxe(t, b, axeSource(t)); len(vs) > 0 {
		t.Errorf("member room with the confirmation prompt: axe violations:%s", describeViolations(vs))
	}
	// The chair and Beate confirm; Carl has not. Beate receives the
	// chair's camera again while Carl receives nothing.
	click(t, con, `[data-live="confirm-prompt"] button[data-cmd="confirm_non_public"]`)
	click(t, a, `[data-live="confirm-prompt"] button[data-cmd="confirm_non_public"]`)
	waitText(t, a, `[data-live="confirm-state"]`, "Sie haben bestätigt")
	waitJS(t, a, `document.querySelector('[data-live="confirm-prompt"]').hidden`, "Beate's prompt gone")
	waitText(t, con, `[data-live="confirmations"]`, "Beate Rat1: bestätigt")
	if got := text(t, con, `[data-live="confirmations"]`); !strings.Contains(got, "Carl Rat2: noch nicht bestätigt") {
		t.Errorf("confirmations after Beate's: %q, want Carl still unconfirmed", got)
	}
	seen := readStats(t, a)["speaker-video"].Frames
	mark := waitStats(t, a, "Beate decodes the chair's camera after confirming", func(s slotStats) bool { return s["speaker-video"].Frames > seen })
	carl0 := readStats(t, b).packets()
	waitStats(t, a, "Beate's frames grow by 30", func(s slotStats) bool { return s["speaker-video"].Frames >= mark["speaker-video"].Frames+30 })
	carl1 := readStats(t, b).packets()
	t.Logf("non-public, Carl unconfirmed: Carl's inbound packets %v → %v while Beate decoded 30 frames", carl0, carl1)
	if carl1 != carl0 {
		t.Errorf("Carl, unconfirmed, received media in the non-public part: inbound packets %v → %v", carl0, carl1)
	}
	click(t, b, `[data-live="confirm-prompt"] button[data-cmd="confirm_non_public"]`)
	waitText(t, con, `[data-live="confirmations"]`, "Carl Rat2: bestätigt")
	waitStats(t, b, "Carl receives media after confirming", func(s slotStats) bool { return s.packets() > carl1 })
	click(t, con, `button[data-cmd="set_part"][data-part="public"]`)

	// Beate on the floor; Carl hears her; mute silences her track.
	click(t, a, `button[data-cmd="raise_hand"]:not([data-point-of-order])`)
	waitText(t, con, `[data-live="queue"]`, "Beate")
	click(t, con, `[data-live="queue"] button`)
	waitText(t, b, `[data-media="speaker-caption"]`, "Beate")
	waitStats(t, b, "Carl receives Beate's audio energy", func(s slotStats) bool { return s["floor-0"].Energy > 0 })
	on := energyGrowth(t, b)
	click(t, a, `[data-media="mute"]`)
	waitJS(t, a, `document.querySelector('[data-media="mute"]').getAttribute("aria-pressed") === "true" &&
		window.__pcs.filter(p => p.connectionState !== "closed").every(p => p.getSenders().filter(s => s.track && s.track.kind === "audio").every(s => !s.track.enabled))`, "Beate's microphone track disabled")
	time.Sleep(time.Second) // settle: audio in flight and the jitter buffer
	muted := energyGrowth(t, b)
	click(t, a, `[data-media="mute"]`)
	waitJS(t, a, `document.querySelector('[data-media="mute"]').getAttribute("aria-pressed") === "false"`, "unmuted")
	time.Sleep(time.Second)
	unmuted := energyGrowth(t, b)
	t.Logf("floor-0 audio energy Carl receives in 2 s: unmuted %.4g, muted %.4g, unmuted again %.4g", on, muted, unmuted)
	if on <= 0 || unmuted <= 0 || muted > on/20 || muted > unmuted/20 {
		t.Errorf("audio energy in 2 s: on %.4g, muted %.4g, on again %.4g; want growth only while unmuted", on, muted, unmuted)
	}

	// Carl's live socket breaks: the page reconnects and joins media again.
	pcs, err := chromedp.Run(b, chromedp.Evaluate[int](`window.__pcs.length`))
	if err != nil {
		t.Fatal(err)
	}
	if !evalBool(t, b, `(() => { const ws = window.__wss.filter(w => w.readyState === WebSocket.OPEN); ws.forEach(w => w.close()); return ws.length === 1; })()`) {
		t.Fatal("Carl's page: not exactly one open websocket")
	}
	waitJS(t, b, fmt.Sprintf(`window.__pcs.length > %d && window.__pcs.at(-1).connectionState === "connected"`, pcs), "Carl's new peer connection")
	after := waitStats(t, b, "Carl receives Beate after the reconnect", func(s slotStats) bool { return s["floor-0"].Packets > 0 })
	waitStats(t, b, "Carl's packets grow after the reconnect", func(s slotStats) bool { return s["floor-0"].Packets > after["floor-0"].Packets })
	waitText(t, b, `[data-media="status"]`, "Sie nehmen per Video teil")
	waitJS(t, con, remote("Carl"), "console roster: Carl still remote")

	// Resolved complaints survive a reload: the pages render them from
	// the snapshot.
	navigate(t, a, base+"/meetings/"+mid+"/live/member")
	waitJS(t, a, resolvedRepeat, "Beate's page after a reload: complaint resolved (repeat)")
	navigate(t, con, base+"/admin/meetings/"+mid+"/live")
	waitJS(t, con, resolvedRepeat, "console after a reload: complaint resolved (repeat)")
	if evalBool(t, con, `!!document.querySelector('[data-live="complaints"] button')`) {
		t.Error("console after a reload offers to resolve the resolved complaint")
	}
}
