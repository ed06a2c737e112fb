package documents_test

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestPublishInvitation publishes a meeting's invitation twice: the first
// file holds every public agenda title and no non-public one; the second
// is a new version of the first.
func TestPublishInvitation(t *testing.T) {
	if _, err := documents.NewRenderer(""); err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	e := newEnv(t)
	start := time.Date(2026, 5, 5, 16, 0, 0, 0, time.UTC)
	m, err := e.m.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Bauausschuss – 3. Sitzung",
		Start: start, Organizations: []council.ID{e.org.ID}})
	if err != nil {
		t.Fatalf("SaveMeeting: %v", err)
	}
	for _, it := range []meetings.AgendaItem{
		{MeetingID: m.ID, Name: "Radweg Hauptstraße für Łukasz und Doğan", Public: true},
		{MeetingID: m.ID, Name: "Grundstücksverkauf Geheimweg 7", Public: false},
	} {
		if _, err := e.m.SaveAgendaItem(e.ctx, it); err != nil {
			t.Fatalf("SaveAgendaItem: %v", err)
		}
	}
	first, err := documents.PublishInvitation(e.ctx, e.c, e.m, e.docs, m.ID, start)
	if err != nil {
		t.Fatalf("PublishInvitation: %v", err)
	}
	if first.MIMEType != "application/pdf" || !first.Public || first.MasterID.String() != (council.ID{}).String() {
		t.Errorf("first invitation = %+v, want a public PDF without master", first)
	}
	rc, err := e.docs.Open(first)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	pdf, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, pdf)
	for _, w := range []string{"Einladung", "Bauausschuss – 3. Sitzung", "Radweg Hauptstraße für Łukasz und Doğan", documents.NonPublicItemTitle} {
		if !strings.Contains(text, w) {
			t.Errorf("stored invitation lacks %q: %s", w, text)
		}
	}
	if strings.Contains(text, "Geheimweg") {
		t.Errorf("public invitation names the non-public item: %s", text)
	}

	second, err := documents.PublishInvitation(e.ctx, e.c, e.m, e.docs, m.ID, start.Add(time.Hour))
	if err != nil {
		t.Fatalf("PublishInvitation again: %v", err)
	}
	if second.MasterID != first.ID {
		t.Errorf("second invitation's master = %v, want the first %v", second.MasterID, first.ID)
	}
	files, err := e.docs.Files(e.ctx, documents.Link{Kind: documents.LinkMeeting, ID: m.ID})
	if err != nil {
		t.Fatalf("Files: %v", err)
	}
	if len(files) != 2 || files[0].Role != documents.RoleInvitation || files[1].ID != second.ID {
		t.Errorf("meeting files = %+v, want both invitations, oldest first", files)
	}
}

// pdfToText extracts pdf's text with pdftotext, whitespace collapsed.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		pgtest.Unavailable(t, "pdftotext not found (install the Debian package poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
