package web

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/web/site"
)

// TestCalendarBrowserAxe runs axe-core on the pages this area added or
// changed, in their new states: a running session's "Live jetzt" badge on
// the home page and in the calendar filtered to the member's bodies (list
// and month), and "Meine Gremien". It also checks that no page asks for a
// resource that fails (the favicon was the console's one error).
func TestCalendarBrowserAxe(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newLiveEnv(t)
	e.do(t, e.clerkActor(t), live.Start{})
	member := e.loginMember(t, e.persons[1])
	ck := e.sessionCookie(member)
	if ck == nil {
		t.Fatal("member has no session cookie")
	}
	var mu sync.Mutex
	var failed []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				failed = append(failed, fmt.Sprintf("%s: %d", ev.Response.URL, ev.Response.Status))
			}
		case *network.EventLoadingFailed:
			failed = append(failed, "a request: "+ev.ErrorText)
		}
	}); err != nil {
		t.Fatal(err)
	}
	setBrowserCookie(t, ctx, e.ts.URL, ck)
	month := e.meeting.Start.In(site.Berlin).Format("2006-01")
	for _, path := range []string{"/", "/meetings?body=mine", "/meetings/month?m=" + month + "&body=mine",
		"/meetings?body=" + e.org.ID.String() + "&lang=en", "/my/bodies"} {
		navigate(t, ctx, e.ts.URL+path)
		html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(html, `class="badge live"`) {
			t.Errorf("%s: no live badge", path)
		}
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", path, describeViolations(vs))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Errorf("failed requests: %v", failed)
	}
}
