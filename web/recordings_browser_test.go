package web

import (
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
	type state struct {
		Src     string  `json:"src"`
		Chapter string  `json:"chapter"`
		Ready   int     `json:"ready"`
		Time    float64 `json:"time"`
		Err     int     `json:"err"`
		Current string  `json:"current"`
	}
	const js = `(() => { const v = document.getElementById('recording-video');
		return {src: v.currentSrc, chapter: v.dataset.chapter, ready: v.readyState, time: v.currentTime,
			err: v.error ? v.error.code : 0,
			current: document.querySelector('#recording a.chapter[aria-current="true"]').dataset.chapter}; })()`
	want := rm.url(rm.public[1])
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
		if strings.HasSuffix(st.Src, want) && st.Chapter == "1" && st.Current == "1" && st.Ready >= 2 && st.Time > 0.2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second item's segment does not play: %+v (want %s)", st, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
