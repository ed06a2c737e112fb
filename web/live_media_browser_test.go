package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
)

// pcSpy records every RTCPeerConnection a page makes (window.__pcs), so
// the test can read getStats() without a hook in the product's script,
// and every WebSocket (window.__wss), so it can break the live socket.
const pcSpy = `(() => {
  const W = window.WebSocket;
  window.__wss = [];
  window.WebSocket = class extends W {
    constructor(...a) { super(...a); window.__wss.push(this); }
  };
  const O = window.RTCPeerConnection;
  if (!O) return;
  window.__pcs = [];
  window.RTCPeerConnection = class extends O {
    constructor(...a) { super(...a); window.__pcs.push(this); }
  };
})();`

// programStats sums the inbound RTP of the page's open peer connections
// per program slot (the msid track id of the server's offer).
const programStats = `(async () => {
  const out = {};
  for (const pc of (window.__pcs || [])) {
    if (pc.connectionState === "closed" || !pc.remoteDescription) continue;
    const slots = {};
    let cur = null;
    for (const line of pc.remoteDescription.sdp.split(/\r?\n/)) {
      if (line.startsWith("m=")) cur = {};
      else if (cur && line.startsWith("a=mid:")) cur.mid = line.slice(6);
      else if (cur && line.startsWith("a=msid:")) cur.track = line.slice(7).split(" ")[1];
      if (cur && cur.mid && cur.track) { slots[cur.mid] = cur.track; cur = null; }
    }
    (await pc.getStats()).forEach((r) => {
      if (r.type !== "inbound-rtp") return;
      const slot = slots[r.mid] || ("mid" + r.mid);
      const s = out[slot] || (out[slot] = {packets: 0, samples: 0, frames: 0, energy: 0});
      s.packets += r.packetsReceived || 0;
      s.energy += r.totalAudioEnergy || 0;
      s.samples += r.totalSamplesReceived || 0;
      s.frames += r.framesDecoded || 0;
    });
  }
  return JSON.stringify(out);
})()`

type slotStats map[string]struct{ Packets, Samples, Frames, Energy float64 }

func (s slotStats) packets() float64 {
	var n float64
	for _, v := range s {
		n += v.Packets
	}
	return n
}

func readStats(t *testing.T, ctx context.Context) slotStats {
	t.Helper()
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](programStats, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("getStats: %v", err)
	}
	var s slotStats
	liveMust(t, "stats", json.Unmarshal([]byte(js), &s))
	return s
}

// waitStats polls the page's stats until ok holds (15 s).
func waitStats(t *testing.T, ctx context.Context, what string, ok func(slotStats) bool) slotStats {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var s slotStats
	for time.Now().Before(deadline) {
		if s = readStats(t, ctx); ok(s) {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: stats %+v", what, s)
	return s
}

// waitJS polls a boolean expression (10 s).
func waitJS(t testing.TB, ctx context.Context, js, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within 10 s", what)
}

// newMediaBrowser starts one headless Chromium with fake camera and
// microphone (no permission prompt) and loopback WebRTC, and returns n
// tabs in separate browser contexts (separate cookies: separate users),
// each with the peer-connection spy.
func newMediaBrowser(t testing.TB, n int) []context.Context {
	t.Helper()
	bctx := startMediaBrowser(t)
	var tabs []context.Context
	for range n {
		tctx, cancel := mediaTab(t, bctx, 3*time.Minute)
		t.Cleanup(cancel)
		tabs = append(tabs, tctx)
	}
	return tabs
}

// startMediaBrowser starts the Chromium of newMediaBrowser and returns
// its browser context (for mediaTab); it closes with t.
func startMediaBrowser(t testing.TB) context.Context {
	t.Helper()
	path, opts := chromiumOptions(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		// The fake camera at 15 frames a second (Chromium's default is
		// 20): the media tests need moving pictures, not smooth ones, and
		// encoding and decoding them is most of their CPU.
		chromedp.Flag("use-fake-device-for-media-stream", "fps=15"),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// Background tabs must keep decoding and playing.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return bctx
}

// mediaTab opens a tab of the browser bctx in a new browser context (its
// own cookies), with a deadline of d, blank, with the peer-connection spy
// and the extra scripts evaluated on every new document. cancel closes
// it.
func mediaTab(t testing.TB, bctx context.Context, d time.Duration, scripts ...string) (context.Context, context.CancelFunc) {
	t.Helper()
	c, cancelTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	tctx, cancelTimeout := context.WithTimeout(c, d)
	cancel := func() {
		cancelTimeout()
		cancelTab()
	}
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		cancel()
		t.Fatalf("new tab: %v", err)
	}
	watchThirdParty(t, tctx)
	for _, src := range append([]string{pcSpy}, scripts...) {
		if _, err := chromedp.Call(tctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			cancel()
			t.Fatalf("script on new documents: %v", err)
		}
	}
	return tctx, cancel
}

func browserLogin(t testing.TB, ctx context.Context, base string, u council.User) {
	t.Helper()
	navigate(t, ctx, base+"/login")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-email"), u.Email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword)); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, ctx, "#f-password")
}

// TestLiveMediaBrowser: two councillors and a citizen hold a session in
// Chromium with fake camera and microphone. The chair starts it on the
// console; both members join with camera and microphone and become
// "remote" on every roster (the public's too); Beate raises her hand and
// the chair gives her the floor. The public page then decodes her audio
// (floor-0: packets and samples) and video (speaker-video: frames), and
// Carl hears her. In the non-public part the public page shows the notice
// and receives nothing (two readings a second apart after a settle);
// back in public it receives again. axe on the member room and the
// public page.
func TestLiveMediaBrowser(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	axe := axeSource(t)
	base, mid := e.ts.URL, e.meeting.ID.String()
	chair, beate, carl := e.newMember(t, e.persons[0]), e.newMember(t, e.persons[1]), e.newMember(t, e.persons[2])
	tabs := newMediaBrowser(t, 4)
	pub, con, a, b := tabs[0], tabs[1], tabs[2], tabs[3]

	navigate(t, pub, base+"/meetings/"+mid+"/live")
	waitText(t, pub, `[data-live="conn"]`, "Verbunden")
	browserLogin(t, con, base, chair)
	navigate(t, con, base+"/admin/meetings/"+mid+"/live")
	waitText(t, con, `[data-live="conn"]`, "Verbunden")
	click(t, con, `button[data-cmd="start"]`)
	waitText(t, con, `[data-live="item"]`, "Haushalt 2027")

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
	for _, m := range []context.Context{a, b} {
		waitText(t, m, `[data-media="status"]`, "Sie nehmen per Video teil")
	}
	// Presence: both are remote and connected, on the public page too.
	remote := func(name string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('[data-live="roster"] tr')].some(r => r.textContent.includes(%q) && r.textContent.includes("digital") && r.textContent.includes("verbunden"))`, name)
	}
	for _, name := range []string{"Beate", "Carl"} {
		waitJS(t, pub, remote(name), "public roster: "+name+" remote")
		waitJS(t, con, remote(name), "console roster: "+name+" remote")
	}
	if vs := runAxe(t, a, axe); len(vs) > 0 {
		t.Errorf("member room: axe violations:%s", describeViolations(vs))
	}

	// Beate asks for the floor; the chair gives it.
	click(t, a, `button[data-cmd="raise_hand"]:not([data-point-of-order])`)
	waitText(t, con, `[data-live="queue"]`, "Beate")
	click(t, con, `[data-live="queue"] button`)
	waitText(t, pub, `[data-media="speaker-caption"]`, "Beate")

	// The public page decodes Beate's audio and video, growing.
	grows := func(what string, ctx context.Context, get func(slotStats) float64) {
		t.Helper()
		first := waitStats(t, ctx, what+" starts", func(s slotStats) bool { return get(s) > 0 })
		waitStats(t, ctx, what+" grows", func(s slotStats) bool { return get(s) > get(first) })
	}
	grows("public floor-0 packets", pub, func(s slotStats) float64 { return s["floor-0"].Packets })
	grows("public floor-0 samples", pub, func(s slotStats) float64 { return s["floor-0"].Samples })
	grows("public speaker-video frames", pub, func(s slotStats) float64 { return s["speaker-video"].Frames })
	grows("Carl hears Beate (floor-0 packets)", b, func(s slotStats) float64 { return s["floor-0"].Packets })
	t.Logf("public page with Beate on the floor: %+v", readStats(t, pub))
	t.Logf("Carl: %+v", readStats(t, b))
	if vs := runAxe(t, pub, axe); len(vs) > 0 {
		t.Errorf("public page: axe violations:%s", describeViolations(vs))
	}
	// `make screenshots` keeps pictures of a session in progress.
	liveScreenshot(t, con, "20-live-console")
	liveScreenshot(t, a, "21-live-member-floor")
	liveScreenshot(t, b, "22-live-member")
	liveScreenshot(t, pub, "23-live-public")

	// Non-public part: notice, nothing received.
	if _, err := chromedp.Run(con, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	click(t, con, `button[data-cmd="set_part"][data-part="non_public"]`)
	waitJS(t, pub, `document.querySelector('[data-media="stage"]').dataset.show === "slate" && document.querySelector('[data-media="slate-text"]').textContent.includes("nichtöffentlich")`, "public slate for the non-public part")
	time.Sleep(time.Second) // settle: packets in flight arrive
	s1 := readStats(t, pub).packets()
	time.Sleep(time.Second)
	s2 := readStats(t, pub).packets()
	t.Logf("public page, non-public part: inbound packets %v, a second later %v", s1, s2)
	if s2 != s1 {
		t.Errorf("public page in the non-public part: inbound packets %v then %v a second later, want no change", s1, s2)
	}
	if hidden, err := chromedp.Run(pub, chromedp.Evaluate[bool](`document.querySelector('[data-media="program"]').hidden`)); err != nil || !hidden {
		t.Errorf("public program not hidden in the non-public part (%v)", err)
	}
	// Both confirm that no third party can see or hear (until then the SFU
	// gives them no media); then Carl hears Beate again.
	for _, m := range []context.Context{a, b} {
		waitJS(t, m, `!document.querySelector('[data-live="confirm-prompt"]').hidden`, "confirmation prompt")
		click(t, m, `[data-live="confirm-prompt"] button[data-cmd="confirm_non_public"]`)
		waitText(t, m, `[data-live="confirm-state"]`, "Sie haben bestätigt")
	}
	grows("Carl hears Beate in the non-public part after both confirmed", b, func(s slotStats) float64 { return s["floor-0"].Packets })

	// Back to public: the program resumes.
	click(t, con, `button[data-cmd="set_part"][data-part="public"]`)
	waitJS(t, pub, `document.querySelector('[data-media="stage"]').dataset.show !== "slate" || !document.querySelector('[data-media="slate-text"]').textContent.includes("nichtöffentlich")`, "non-public slate gone")
	waitStats(t, pub, "public resumes", func(s slotStats) bool { return s.packets() > s1 })
	grows("public speaker-video frames resume", pub, func(s slotStats) float64 { return s["speaker-video"].Frames })
}

// liveScreenshot writes a full-page screenshot of ctx's page to the
// directory in PLENAR_SCREENSHOTS (`make screenshots`); without it,
// nothing.
func liveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PLENAR_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG (less is JPEG)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// liveStates checks the live page in ctx in its current state at desktop
// and phone width: no sideways scrolling (checkLayout) and no serious or
// critical axe finding; with PLENAR_SCREENSHOTS (make screenshots) it also
// writes name-desktop, name-phone (full page) and …-fold (the first
// screen, as a visitor sees it). The page is left at the width it had.
func liveStates(t *testing.T, ctx context.Context, name, axe string) {
	t.Helper()
	emulate := func(i int) {
		vp := screenshotViewports[i]
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.scale)}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
			t.Fatalf("viewport %s: %v", vp.name, err)
		}
	}
	narrow := evalBool(t, ctx, `window.innerWidth < 600`)
	dir := os.Getenv("PLENAR_SCREENSHOTS")
	for i, vp := range screenshotViewports {
		emulate(i)
		time.Sleep(300 * time.Millisecond) // the layout and the stage's next frame
		checkLayout(t, ctx, name+"-"+vp.name)
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s at %s width: axe:%s", name, vp.name, describeViolations(vs))
		}
		if dir == "" {
			continue
		}
		liveScreenshot(t, ctx, name+"-"+vp.name)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+vp.name+"-fold.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if narrow {
		emulate(1) // back to the phone the page was on
	} else {
		emulate(0)
	}
}

// phoneView shows ctx's page at phone width (screenshotViewports' phone).
func phoneView(t testing.TB, ctx context.Context) {
	t.Helper()
	vp := screenshotViewports[1]
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateScale(vp.scale),
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatalf("phone viewport: %v", err)
	}
}
