package portal

import (
	"testing"
	"time"

	"github.com/plenar/plenar/web/site"
)

func TestPortalMonthGrid(t *testing.T) {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, site.Berlin) // a Sunday
	row := meetingRow{Name: "x", Start: time.Date(2026, 11, 27, 17, 0, 0, 0, site.Berlin)}
	g := monthGrid(first, time.Date(2026, 11, 27, 0, 0, 0, 0, site.Berlin), []meetingRow{row})
	if len(g.Weeks) != 6 {
		t.Fatalf("November 2026: %d weeks, want 6", len(g.Weeks))
	}
	if g.Weeks[0][6].Day != 1 || g.Weeks[0][5].Day != 0 {
		t.Errorf("November 2026 starts on a Sunday: first week %+v", g.Weeks[0])
	}
	if len(g.Days) != 1 || g.Days[0].Day != 27 || !g.Days[0].Today {
		t.Errorf("days with meetings: %+v, want the 27th, today", g.Days)
	}
	if g.PrevURL != "/meetings/month?m=2026-10" || g.NextURL != "/meetings/month?m=2026-12" {
		t.Errorf("prev/next: %s %s", g.PrevURL, g.NextURL)
	}
}
