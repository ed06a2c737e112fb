package documents_test

import (
	"bytes"
	"errors"
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

// readFile returns the stored content of f.
func (e *env) readFile(t *testing.T, f documents.File) []byte {
	t.Helper()
	rc, err := e.docs.Open(f)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPublishPaper stores a public paper's PDF as its public main file
// (a new version the second time) and a non-public paper's PDF as a main
// file that is not public.
func TestPublishPaper(t *testing.T) {
	if _, err := documents.NewRenderer(""); err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	e := newEnv(t)
	at := time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC)
	first, err := documents.PublishPaper(e.ctx, e.c, e.m, e.docs, e.paper.ID, at)
	if err != nil {
		t.Fatalf("PublishPaper: %v", err)
	}
	wantName := "Antrag " + e.paper.Reference
	if first.MIMEType != documents.MIMEPDF || !first.Public || first.Name != wantName ||
		first.FileName != strings.ReplaceAll(e.paper.Reference, "/", "-")+".pdf" {
		t.Errorf("main file = %+v, want a public PDF named %q", first, wantName)
	}
	if text := pdfToText(t, e.readFile(t, first)); !strings.Contains(text, "Radweg Hauptstraße") || !strings.Contains(text, e.paper.Reference) {
		t.Errorf("paper PDF lacks title or reference: %s", text)
	}
	second, err := documents.PublishPaper(e.ctx, e.c, e.m, e.docs, e.paper.ID, at)
	if err != nil {
		t.Fatalf("PublishPaper again: %v", err)
	}
	if second.MasterID != first.ID {
		t.Errorf("second main file's master = %v, want %v", second.MasterID, first.ID)
	}
	secret := e.newPaper(t, false)
	f, err := documents.PublishPaper(e.ctx, e.c, e.m, e.docs, secret.ID, at)
	if err != nil {
		t.Fatalf("PublishPaper (non-public): %v", err)
	}
	acc, err := e.docs.Access(e.ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Public || acc.Public {
		t.Errorf("non-public paper's main file: marked public %t, Access public %t; want neither", f.Public, acc.Public)
	}
	files, err := e.docs.Files(e.ctx, documents.Link{Kind: documents.LinkPaper, ID: secret.ID})
	if err != nil || len(files) != 1 || files[0].Role != documents.RoleMain {
		t.Errorf("non-public paper's files = %+v, %v; want its main file", files, err)
	}
}

// TestPublishMinutes stores the public version of approved minutes as
// the meeting's results protocol: public results in, the non-public item
// only as the neutral title; a draft or the members' version is refused.
func TestPublishMinutes(t *testing.T) {
	r, err := documents.NewRenderer("")
	if err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	e := newEnv(t)
	start := time.Date(2026, 5, 5, 16, 0, 0, 0, time.UTC)
	m, err := e.m.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Bauausschuss – 4. Sitzung",
		Start: start, End: start.Add(2 * time.Hour), Organizations: []council.ID{e.org.ID}})
	if err != nil {
		t.Fatalf("SaveMeeting: %v", err)
	}
	rec := meetings.MinutesRecord{MeetingID: m.ID, Meeting: m.Name, Start: start, City: "Musterstadt", ForMembers: true,
		State: meetings.MinutesApproved, Present: []string{"Jörg Müller", "Elif Doğan"},
		Items: []meetings.MinutesRecItem{
			{Number: "Ö 1", Title: "Radweg Hauptstraße", Public: true, Result: "einstimmig beschlossen"},
			{Number: "N 1", Title: "Grundstücksverkauf Geheimweg 7", Public: false, Result: "vertagt", Notes: "Kaufpreis 1 €"},
		}}
	for _, bad := range []meetings.MinutesRecord{rec, func() meetings.MinutesRecord { d := rec.Public(); d.State = meetings.MinutesDraft; return d }()} {
		if _, err := documents.PublishMinutes(e.ctx, e.docs, r, bad, start); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("PublishMinutes(members' version or draft) = %v, want ErrInvalid", err)
		}
	}
	f, err := documents.PublishMinutes(e.ctx, e.docs, r, rec.Public(), start.AddDate(0, 0, 7))
	if err != nil {
		t.Fatalf("PublishMinutes: %v", err)
	}
	if f.MIMEType != documents.MIMEPDF || !f.Public || f.Name != "Niederschrift" {
		t.Errorf("minutes file = %+v, want a public PDF named Niederschrift", f)
	}
	files, err := e.docs.Files(e.ctx, documents.Link{Kind: documents.LinkMeeting, ID: m.ID})
	if err != nil || len(files) != 1 || files[0].Role != documents.RoleResultsProtocol {
		t.Errorf("meeting files = %+v, %v; want the results protocol", files, err)
	}
	text := pdfToText(t, e.readFile(t, f))
	for _, w := range []string{"Niederschrift", "Bauausschuss – 4. Sitzung", "Elif Doğan",
		"Radweg Hauptstraße", "einstimmig beschlossen", documents.NonPublicItemTitle} {
		if !strings.Contains(text, w) {
			t.Errorf("minutes lack %q: %s", w, text)
		}
	}
	if strings.Contains(text, "Geheimweg") || strings.Contains(text, "vertagt") || strings.Contains(text, "Kaufpreis") {
		t.Errorf("public minutes show the non-public item: %s", text)
	}
}
