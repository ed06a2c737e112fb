package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// recordedMeeting is a past meeting with a recorded session: a segment
// of each public item (the demo city's test pattern) and, as if its item
// had been made non-public after the session, one of a non-public item.
type recordedMeeting struct {
	meeting meetings.Meeting
	public  []documents.Recording // items 1 and 2
	hidden  documents.Recording   // the non-public item's
}

// demoSegment is the path of one of the demo city's recorded items.
func demoSegment(n int) string {
	return filepath.Join("..", "cmd", "plenar", "demo", "recording", fmt.Sprintf("top-%d.webm", n))
}

func newRecordedMeeting(t testing.TB, e *filesEnv, hiddenTitle string) recordedMeeting {
	t.Helper()
	ctx := context.Background()
	org := must(e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil}))(t)
	start := time.Now().Add(-48 * time.Hour).Truncate(time.Minute)
	m := must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "9. Sitzung des Stadtrates", Start: start,
		Organizations: []council.ID{org.ID}, Record: true}))(t)
	var items []meetings.AgendaItem
	for _, it := range []meetings.AgendaItem{{Name: "Eröffnung und Tagesordnung", Public: true},
		{Name: "Haushalt 2027", Public: true}, {Name: hiddenTitle, Public: false}} {
		it.MeetingID = m.ID
		items = append(items, must(e.meetings.SaveAgendaItem(ctx, it))(t))
	}
	m = must(e.meetings.Invite(ctx, m.ID, start.Add(-7*24*time.Hour)))(t)
	rm := recordedMeeting{meeting: m}
	for i, it := range items {
		r := must(e.docs.AddRecording(ctx, documents.NewRecording{MeetingID: m.ID, ItemID: it.ID,
			Started: start.Add(time.Duration(i) * time.Minute), Duration: 3850 * time.Millisecond, Width: 320, Height: 180,
			Path: demoSegment(i + 1)}))(t)
		if it.Public {
			rm.public = append(rm.public, r)
		} else {
			rm.hidden = r
		}
	}
	return rm
}

func (r recordedMeeting) url(rec documents.Recording) string {
	return fmt.Sprintf("/meetings/%s/recordings/%s.webm", r.meeting.ID, rec.ID)
}

// TestRecordingServing: the meeting page lists the public segments as
// chapters; a segment answers Range requests with 206 and Content-Range
// as video/webm; the segment of a non-public item is 404 for the public
// (and served to staff).
func TestRecordingServing(t *testing.T) {
	e := newFilesEnv(t, 0)
	rm := newRecordedMeeting(t, e, "Grundstücksverkauf")
	anon := e.anon()

	code, page := e.get(t, anon, "/meetings/"+rm.meeting.ID.String())
	if code != 200 {
		t.Fatalf("meeting page: %d", code)
	}
	mustContain(t, "meeting page", page, "Aufzeichnung", "Kapitel", `id="recording-video"`, "recording.js",
		"TOP Ö 1 – Eröffnung und Tagesordnung", "TOP Ö 2 – Haushalt 2027", "ab 0:04", rm.url(rm.public[0]), rm.url(rm.public[1]))
	mustNotContain(t, "meeting page", page, rm.hidden.ID.String(), "Grundstücksverkauf")

	size, err := os.Stat(demoSegment(2))
	if err != nil {
		t.Fatal(err)
	}
	resp, body := e.do(t, anon, "GET", rm.url(rm.public[1]), map[string]string{"Range": "bytes=0-99"})
	if resp.StatusCode != 206 || len(body) != 100 || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-99/%d", size.Size()) ||
		resp.Header.Get("Content-Type") != "video/webm" || !strings.HasPrefix(body, "\x1a\x45\xdf\xa3") {
		t.Errorf("range: %d, %d bytes, Content-Range %q, Content-Type %q", resp.StatusCode, len(body),
			resp.Header.Get("Content-Range"), resp.Header.Get("Content-Type"))
	}
	resp, body = e.do(t, anon, "GET", rm.url(rm.public[1]), nil)
	if resp.StatusCode != 200 || int64(len(body)) != size.Size() || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("whole segment: %d, %d bytes, Accept-Ranges %q", resp.StatusCode, len(body), resp.Header.Get("Accept-Ranges"))
	}
	if resp, _ := e.do(t, anon, "GET", rm.url(rm.hidden), nil); resp.StatusCode != 404 {
		t.Errorf("non-public item's segment for the public: %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.do(t, anon, "GET", fmt.Sprintf("/meetings/%s/recordings/%s.webm", council.NewID(), rm.public[0].ID), nil); resp.StatusCode != 404 {
		t.Errorf("segment under another meeting: %d, want 404", resp.StatusCode)
	}
	staff, _ := e.login(t, council.RoleClerk)
	if resp, _ := e.do(t, staff, "GET", rm.url(rm.hidden), map[string]string{"Range": "bytes=0-9"}); resp.StatusCode != 206 {
		t.Errorf("non-public item's segment for staff: %d, want 206", resp.StatusCode)
	}
}
