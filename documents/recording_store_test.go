package documents_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// TestRecordingRetention stores two segments of an old and one of a
// recent meeting and expires them at a given time: "2y" deletes the old
// meeting's rows and blobs, "until-minutes" the recent one's once its
// results protocol is attached; "forever" deletes nothing.
func TestRecordingRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	meeting := func(start time.Time) meetings.Meeting {
		m, err := e.m.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung", Start: start,
			Organizations: []council.ID{e.org.ID}, Record: true})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	segment := filepath.Join("..", "cmd", "plenar", "demo", "recording", "top-1.webm")
	add := func(m meetings.Meeting, path string) documents.Recording {
		r, err := e.docs.AddRecording(e.ctx, documents.NewRecording{MeetingID: m.ID, Started: m.Start, Duration: time.Second, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	old, recent := meeting(now.AddDate(-3, 0, 0)), meeting(now.AddDate(0, 0, -10))
	other := filepath.Join(t.TempDir(), "other.webm")
	if err := os.WriteFile(other, []byte("another segment"), 0o600); err != nil {
		t.Fatal(err)
	}
	oldA, oldB, rec := add(old, segment), add(old, other), add(recent, segment) // oldA and rec share a blob
	blob := func(r documents.Recording) bool {
		p, _ := e.docs.Blobs().Path(r.SHA512)
		_, err := os.Stat(p)
		return err == nil
	}
	left := func() int {
		var n int
		if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM recordings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if gone, err := e.docs.ExpireRecordings(e.ctx, now, documents.Retention{}); err != nil || len(gone) != 0 {
		t.Fatalf("forever: %v, %v", gone, err)
	}
	years, err := documents.ParseRetention("2y")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.docs.ExpireRecordings(e.ctx, now, years)
	if err != nil || len(gone) != 2 || gone[0].MeetingID != old.ID || gone[1].MeetingID != old.ID || left() != 1 {
		t.Fatalf("2y: %+v, %v; %d left", gone, err, left())
	}
	if blob(oldB) || !blob(oldA) {
		t.Errorf("2y: the old meeting's own blob should be gone, the shared one kept (%t, %t)", blob(oldB), blob(oldA))
	}

	until, err := documents.ParseRetention("until-minutes")
	if err != nil {
		t.Fatal(err)
	}
	if gone, err := e.docs.ExpireRecordings(e.ctx, now, until); err != nil || len(gone) != 0 {
		t.Fatalf("until-minutes without minutes: %v, %v", gone, err)
	}
	pdf := filepath.Join("..", "cmd", "plenar", "demo", "recording", "top-2.webm") // any content: the role counts
	f, err := os.Open(pdf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tmp, err := e.docs.Blobs().Write(f, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tmp.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.Create(e.ctx, documents.File{FileName: "Niederschrift.pdf", MIMEType: "application/pdf", Public: true}, b,
		[]documents.Link{{Kind: documents.LinkMeeting, ID: recent.ID, Role: documents.RoleResultsProtocol}}); err != nil {
		t.Fatal(err)
	}
	if gone, err := e.docs.ExpireRecordings(e.ctx, now, until); err != nil || len(gone) != 1 || gone[0].ID != rec.ID || left() != 0 {
		t.Fatalf("until-minutes with minutes: %+v, %v", gone, err)
	}
	if blob(rec) {
		t.Error("the last recording's blob is still there")
	}
	for _, bad := range []string{"0y", "ten years", "5w"} {
		if _, err := documents.ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q) accepted", bad)
		}
	}
}
