package mail

import (
	"testing"
	"time"
)

func TestMeetingWhen(t *testing.T) {
	start := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		end        time.Time
		lang, want string
	}{
		{start.Add(3 * time.Hour), "de", "07.12.2026, 18:00 – ca. 21:00 Uhr (CET, voraussichtliches Ende)"},
		{start.Add(3 * time.Hour), English, "7 December 2026, 18:00 – approx. 21:00 (CET, expected end)"},
		{time.Time{}, "de", "07.12.2026, 18:00 Uhr (CET)"},
		{start.Add(8 * time.Hour), "de", "07.12.2026, 18:00 Uhr (CET) – ca. 08.12.2026, 02:00 Uhr (CET), voraussichtliches Ende"},
	} {
		if got := meetingWhen(start, tc.end, tc.lang); got != tc.want {
			t.Errorf("meetingWhen(%v, %s) = %q, want %q", tc.end, tc.lang, got, tc.want)
		}
	}
}
