package alerts_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
)

// TestPeriod: the periods are German calendar days, ISO weeks and
// five-minute slots, so a digest is once a day even across midnight UTC.
func TestPeriod(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC) // 00:30 on the 8th in Berlin
	for f, want := range map[alerts.Frequency]string{alerts.Daily: "2026-12-08", alerts.Weekly: "2026-W50", alerts.Instant: "2026-12-08T00:30"} {
		if got := alerts.Period(f, at); got != want {
			t.Errorf("Period(%s) = %q, want %q", f, got, want)
		}
	}
	if a, b := alerts.Period(alerts.Instant, at.Add(4*time.Minute)), alerts.Period(alerts.Instant, at.Add(6*time.Minute)); a == b {
		t.Errorf("instant slots %q and %q should differ", a, b)
	}
}

// TestNormalizeQuery: the same search is one follow whatever the order of
// its parameters, the page and order do not count, and an empty search
// cannot be saved.
func TestNormalizeQuery(t *testing.T) {
	t.Parallel()
	a, label, err := alerts.NormalizeQuery(url.Values{"type": {"paper", "meeting"}, "q": {" Radweg "}, "page": {"3"}, "sort": {"newest"}})
	if err != nil || label != "Radweg" {
		t.Fatalf("NormalizeQuery = %q, %q, %v", a, label, err)
	}
	b, _, _ := alerts.NormalizeQuery(url.Values{"q": {"Radweg"}, "type": {"meeting", "paper"}})
	if a != b || a != "q=Radweg&type=meeting&type=paper" {
		t.Errorf("normalised %q and %q", a, b)
	}
	if _, _, err := alerts.NormalizeQuery(url.Values{"page": {"2"}}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("empty search: %v", err)
	}
	if _, err := alerts.ParseFrequency("hourly"); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("hourly: %v", err)
	}
}
