package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLiveBrowser: the chair starts the session and moves to the next
// item in the console; the public live page in a second browser (no
// cookies) follows without a reload. axe-core on the three pages.
func TestLiveBrowser(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	axe := axeSource(t)
	chair := e.newMember(t, e.persons[0])
	base := e.ts.URL
	mid := e.meeting.ID.String()
	// The meeting is recorded: every page of the session shows it while
	// the recorder writes (the public part on a public item).
	rec := e.meeting
	rec.Record = true
	if _, err := e.meetings.SaveMeeting(context.Background(), rec); err != nil {
		t.Fatal(err)
	}

	pub := newBrowser(t)
	navigate(t, pub, base+"/meetings/"+mid+"/live")
	waitText(t, pub, `[data-live="conn"]`, "Verbunden")
	waitText(t, pub, `[data-live="item"]`, "noch nicht begonnen")
	if vs := runAxe(t, pub, axe); len(vs) > 0 {
		t.Errorf("public live page: axe violations:%s", describeViolations(vs))
	}
	// A marker that a reload would lose.
	if _, err := chromedp.Run(pub, chromedp.Evaluate[bool](`window.__noReload = true`)); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t)
	navigate(t, b, base+"/login")
	if err := chromedp.Do(b, chromedp.SetValue(chromedp.CSS("#f-email"), chair.Email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword)); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, b, "#f-password")
	navigate(t, b, base+"/admin/meetings/"+mid+"/live")
	waitText(t, b, `[data-live="conn"]`, "Verbunden")
	click(t, b, `button[data-cmd="start"]`)
	waitText(t, b, `[data-live="item"]`, "Haushalt 2027")
	waitText(t, pub, `[data-live="item"]`, "Haushalt 2027")
	waitText(t, pub, `[data-live="roster"]`, "Beate")
	waitText(t, pub, `[data-live="recording"]`, "Aufzeichnung läuft")
	waitText(t, b, `[data-live="recording"]`, "Aufzeichnung läuft")
	click(t, b, `button[data-cmd="next_item"]`)
	waitText(t, b, `[data-live="item"]`, "Geheimweg")
	waitNotText(t, pub, `[data-live="item"]`, "Haushalt 2027")
	waitNotText(t, pub, `[data-live="recording"]`, "Aufzeichnung") // a non-public item is not recorded
	item := text(t, pub, `[data-live="item"]`)
	if strings.Contains(item, "Geheimweg") || !strings.Contains(item, "N 1") {
		t.Errorf("public item after next: %q", item)
	}
	if still, err := chromedp.Run(pub, chromedp.Evaluate[bool](`window.__noReload === true`)); err != nil || !still {
		t.Errorf("the public page reloaded (%v)", err)
	}
	if vs := runAxe(t, b, axe); len(vs) > 0 {
		t.Errorf("console: axe violations:%s", describeViolations(vs))
	}
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, `[data-live="item"]`, "Geheimweg")
	// Back on the public item, the member page shows the recording too.
	navigate(t, b, base+"/admin/meetings/"+mid+"/live")
	waitText(t, b, `[data-live="item"]`, "Geheimweg")
	click(t, b, `button[data-cmd="previous_item"]`)
	waitText(t, b, `[data-live="item"]`, "Haushalt 2027")
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, `[data-live="recording"]`, "Aufzeichnung läuft")
	if vs := runAxe(t, b, axe); len(vs) > 0 {
		t.Errorf("member page: axe violations:%s", describeViolations(vs))
	}
	// The meeting page links to the live page while the meeting runs.
	if st, body := e.get(t, e.anon(), "/meetings/"+mid); st != http.StatusOK || !strings.Contains(body, "/meetings/"+mid+"/live") {
		t.Errorf("meeting page of a running meeting: status %d, no live link", st)
	}
}

func click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (!b) return false; b.focus(); b.click(); return true; })()`, sel)))
	if err != nil || !ok {
		t.Fatalf("click %s: found %t, %v", sel, ok, err)
	}
}

func text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
	if err != nil {
		t.Fatalf("text %s: %v", sel, err)
	}
	return s
}

func waitText(t testing.TB, ctx context.Context, sel, want string) {
	t.Helper()
	waitFor(t, ctx, sel, func(s string) bool { return strings.Contains(s, want) }, "contain "+want)
}

func waitNotText(t *testing.T, ctx context.Context, sel, bad string) {
	t.Helper()
	waitFor(t, ctx, sel, func(s string) bool { return !strings.Contains(s, bad) }, "lose "+bad)
}

func waitFor(t testing.TB, ctx context.Context, sel string, ok func(string) bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var s string
	for time.Now().Before(deadline) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		if err == nil {
			s = got
			if ok(s) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: text %q does not %s within 10 s", sel, s, what)
}
