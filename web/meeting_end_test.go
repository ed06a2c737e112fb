package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// TestMeetingExpectedEnd (docs/DOMAIN.md, "Expected end"): the back
// office gives a meeting scheduled without an end the start plus its
// body's usual length (3 hours for a body without history, 2 hours for the
// council whose last session lasted 2); the meeting page, the list, the
// month grid, the live page, the iCalendar feed and OParl show it as
// expected ("ca."), and a closed meeting its actual end.
func TestMeetingExpectedEnd(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	f := newChildcareFixture(t, e) // the council's sessions: one of 2 hours, one of 26 (not typical)
	rat := f.attended.Organizations[0]
	committee := must(e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Kulturausschuss", Kind: council.KindCommittee}))(t)

	day := time.Now().In(site.Berlin).AddDate(0, 0, 10)
	start := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, site.Berlin)
	schedule := func(org council.ID, name string) meetings.Meeting {
		t.Helper()
		id := e.mustRedirect(t, f.clerk, "/admin/meetings", url.Values{"name": {name}, "organizations": {org.String()},
			"start": {start.Format("2006-01-02T15:04")}, "end": {""}}, "/admin/meetings/")
		return must(e.meetings.Meeting(ctx, must(council.ParseID(id))(t)))(t)
	}
	culture := schedule(committee.ID, "Kulturausschuss – 1. Sitzung")
	if got := culture.End.Sub(culture.Start); got != meetings.DefaultMeetingLength {
		t.Errorf("a body without history: expected end %v after the start, want %v", got, meetings.DefaultMeetingLength)
	}
	ratssitzung := schedule(rat, "Ratssitzung Kultur")
	if got := ratssitzung.End.Sub(ratssitzung.Start); got != 2*time.Hour {
		t.Errorf("the council: expected end %v after the start, want 2h (its last session)", got)
	}
	status, body := e.get(t, f.clerk, "/admin/meetings/new")
	wantStatus(t, "meeting form", status, http.StatusOK)
	mustContain(t, "meeting form", body, "Voraussichtliches Ende", "übliche Dauer")

	// Expected: the portal's pages, German and English.
	id := culture.ID.String()
	for _, tc := range []struct{ path, want string }{
		{"/meetings/" + id, "18:00 Uhr</time> – ca. <time class=\"meeting-end\""},
		{"/meetings/" + id, "21:00</time> <span class=\"meeting-end-note\">(voraussichtliches Ende)</span>"},
		{"/meetings/" + id + "?lang=en", "approx. <time class=\"meeting-end\""},
		{"/meetings/" + id + "?lang=en", "(expected end)"},
		{"/meetings", "(voraussichtliches Ende)"},
		{"/meetings/month?m=" + start.Format("2006-01"), "18:00</time>–ca. <time"},
		{"/meetings/" + id + "/live", "(voraussichtliches Ende)"},
	} {
		status, body := e.get(t, e.anon(), tc.path)
		if status != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d, want %q in\n%s", tc.path, status, tc.want, excerpt(body))
		}
	}
	// Closed: the actual end, no "expected".
	closed := f.attended
	if closed.Ended.IsZero() || closed.EndExpected() {
		t.Fatalf("the closed meeting: Ended %v", closed.Ended)
	}
	status, body = e.get(t, e.anon(), "/meetings/"+closed.ID.String())
	// The end's time of day, with the date and "Uhr" when the session
	// ended on another day than it began (a test run around midnight).
	endTime := closed.Ended.In(site.Berlin).Format("15:04")
	if status != http.StatusOK || strings.Contains(body, "voraussichtliches Ende") || !strings.Contains(body, "(Ende)") ||
		!strings.Contains(body, endTime+"</time>") && !strings.Contains(body, endTime+" Uhr</time>") {
		t.Errorf("closed meeting page: %d\n%s", status, excerpt(body))
	}

	// iCalendar: DTEND is the expected end, the description says so; the
	// closed meeting's DTEND is its actual end.
	events := map[string]icsEvent{}
	for _, ev := range icsEvents(t, icsLines(t, e.mustFetch(t, "/meetings.ics", "text/calendar"))) {
		events[ev["UID"]] = ev
	}
	ev := events[id+"@plenar.test"]
	if ev["DTEND;TZID=Europe/Berlin"] != start.Add(3*time.Hour).Format("20060102T150405") ||
		!strings.Contains(ev["DESCRIPTION"], "Voraussichtliches Ende: ca. 21:00") {
		t.Errorf("ics event of the expected end: %v", ev)
	}
	ev = events[closed.ID.String()+"@plenar.test"]
	if want := closed.Ended.In(site.Berlin).Format("20060102T150405"); ev["DTEND;TZID=Europe/Berlin"] != want ||
		strings.Contains(ev["DESCRIPTION"], "Voraussichtliches Ende") {
		t.Errorf("ics event of the closed meeting: DTEND %q, want %s; %q", ev["DTEND;TZID=Europe/Berlin"], want, ev["DESCRIPTION"])
	}

	// OParl: end, and plenar:endExpected while it is expected.
	oparl := func(m meetings.Meeting) map[string]any {
		t.Helper()
		var out map[string]any
		if err := json.Unmarshal([]byte(e.mustFetch(t, "/oparl/v1.1/meeting/"+m.ID.String(), "application/json")), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if o := oparl(culture); o["plenar:endExpected"] != true || !strings.HasPrefix(o["end"].(string), start.Add(3*time.Hour).Format("2006-01-02T15:04")) {
		t.Errorf("OParl expected end: end %v, plenar:endExpected %v", o["end"], o["plenar:endExpected"])
	}
	if o := oparl(closed); o["plenar:endExpected"] != nil || o["end"] == nil {
		t.Errorf("OParl closed meeting: end %v, plenar:endExpected %v", o["end"], o["plenar:endExpected"])
	}
}
