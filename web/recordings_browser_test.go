package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRecordingPlaysFromChapterBrowser opens a recorded meeting's page in
// Chromium, clicks the chapter of the second item, and waits until the
// video has switched to that item's segment, has decoded data
// (readyState ≥ 2), plays (currentTime advances) and has no error.
func TestRecordingPlaysFromChapterBrowser(t *testing.T) {
	e := newFilesEnv(t, 0)
	rm := newRecordedMeeting(t, e, "Personalsache")
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/meetings/"+rm.meeting.ID.String()),
		chromedp.WaitVisible(`#recording-video`), chromedp.Click(`#recording a.chapter[data-chapter="1"]`)); err != nil {
		t.Fatal(err)
	}
	waitChapterPlays(t, ctx, rm.url(rm.public[1]), "1")
}

// waitChapterPlays waits (30 s) until the meeting page's player in ctx
// plays chapter (data-chapter) from a source ending in src: switched,
// decoded data (readyState ≥ 2), currentTime past 0.2 s, no media error,
// the chapter's link marked current.
func waitChapterPlays(t testing.TB, ctx context.Context, src, chapter string) {
	t.Helper()
	type state struct {
		Src     string  `json:"src"`
		Chapter string  `json:"chapter"`
		Ready   int     `json:"ready"`
		Time    float64 `json:"time"`
		Err     int     `json:"err"`
		Current string  `json:"current"`
	}
	const js = `(() => { const v = document.getElementById('recording-video');
		if (!v) return {src: "", chapter: "", ready: 0, time: 0, err: 0, current: ""}; // still loading
		const cur = document.querySelector('#recording a.chapter[aria-current="true"]');
		return {src: v.currentSrc, chapter: v.dataset.chapter || "", ready: v.readyState, time: v.currentTime,
			err: v.error ? v.error.code : 0, current: cur ? cur.dataset.chapter : ""}; })()`
	var st state
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if st, err = chromedp.Run(ctx, chromedp.Evaluate[state](js)); err != nil {
			t.Fatal(err)
		}
		if st.Err != 0 {
			t.Fatalf("video error %d: %+v", st.Err, st)
		}
		if strings.HasSuffix(st.Src, src) && st.Chapter == chapter && st.Current == chapter && st.Ready >= 2 && st.Time > 0.2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chapter %s does not play: %+v (want %s)", chapter, st, src)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
