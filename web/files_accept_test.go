package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// needExtractTools skips (fails under CI=true) without poppler and
// Tesseract with the German model.
func needExtractTools(t *testing.T) {
	t.Helper()
	if missing := documents.MissingTools(context.Background()); len(missing) > 0 {
		pgtest.Unavailable(t, "missing tools: "+strings.Join(missing, ", ")+
			" (Debian: poppler-utils tesseract-ocr tesseract-ocr-deu)")
	}
}

// scanPNG rasterises the top of the first page of pdf to a grey PNG at
// 200 dpi, as a scanner would (no text layer left).
func scanPNG(t *testing.T, pdf []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-r", "200", "-gray", "-png", "-singlefile",
		"-x", "0", "-y", "0", "-W", "1654", "-H", "500", in, filepath.Join(dir, "scan")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "scan.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pdfText returns the text of pdf (pdftotext), whitespace collapsed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestFilesDoneWhen is issue 4's "Done when" end to end: a clerk uploads
// a paper's text PDF and a scanned attachment through the back office's
// upload form; the extraction worker (run as serve runs it) gives both
// text within a minute; the public downloads the public one inline and as
// attachment, and gets 404 for the non-public one; publishing a meeting
// stores an invitation PDF whose text has every public agenda title.
func TestFilesDoneWhen(t *testing.T) {
	needExtractTools(t)
	e := newTestEnv(t)
	bg := context.Background()
	docs := e.srv.docs

	// The worker as `plenar serve` starts it (cmd/plenar startExtraction),
	// polling faster.
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	w := &documents.Worker{Store: docs, Poll: 100 * time.Millisecond}
	go func() { defer close(done); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	clerk, _ := e.login(t, council.RoleClerk)
	token := e.sessionValue(t, clerk, keyCSRF)
	org, err := e.council.SaveOrganization(bg, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.council.SavePaper(bg, council.Paper{BodyID: e.body.ID, Name: "Radweg Hauptstraße", Type: council.PaperMotion,
		Public: true, LeadOrgID: org.ID})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.council.Submit(bg, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	fe := &filesEnv{testEnv: e, docs: docs, paper: p}
	page := "/admin/files/paper/" + p.ID.String()

	pdf := doctest.TextPDF("Antrag Radweg Hauptstrasse Musterstadt")
	scan := scanPNG(t, doctest.TextPDF("Anlage Lageplan Sitzungssaal"))
	start := time.Now()
	for _, up := range []struct {
		fields [][2]string
		name   string
		data   []byte
	}{
		{[][2]string{{"csrf_token", token}, {"name", "Antrag"}, {"role", "main"}, {"public", "on"}}, "antrag.pdf", pdf},
		{[][2]string{{"csrf_token", token}, {"name", "Lageplan (Scan)"}, {"role", "auxiliary"}}, "lageplan.png", scan},
	} {
		resp, body := fe.upload(t, clerk, page, up.fields, up.name, up.data)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload %s: %d\n%s", up.name, resp.StatusCode, body)
		}
	}
	list, err := docs.Files(bg, documents.Link{Kind: documents.LinkPaper, ID: p.ID})
	if err != nil || len(list) != 2 {
		t.Fatalf("files of the paper: %d, %v", len(list), err)
	}
	pub, hidden := list[0].File, list[1].File
	if pub.MIMEType != documents.MIMEPDF || hidden.MIMEType != documents.MIMEPNG || !pub.Public || hidden.Public {
		t.Fatalf("uploaded: %s public=%v, %s public=%v", pub.MIMEType, pub.Public, hidden.MIMEType, hidden.Public)
	}

	// Both get their text within a minute.
	want := map[council.ID]string{pub.ID: "Radweg", hidden.ID: "Lageplan"}
	deadline := start.Add(time.Minute)
	for id, word := range want {
		for {
			f, err := docs.File(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if f.HasText {
				text, _, err := docs.Text(bg, id, documents.DefaultMaxText)
				if err != nil || !strings.Contains(text, word) {
					t.Errorf("text of %s = %q (%v), want %q in it", f.FileName, text, err, word)
				}
				t.Logf("%s: text after %v", f.FileName, time.Since(start).Round(10*time.Millisecond))
				break
			}
			if j, _ := docs.Job(bg, id); j.Status == documents.JobFailed || time.Now().After(deadline) {
				t.Fatalf("no text for %s after %v: job %+v", f.FileName, time.Since(start), j)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	_, body := e.get(t, clerk, page)
	mustContain(t, "files page after extraction", body, "Text erkannt", "pdftotext", "ocr")

	// The public: the public file inline and as attachment, 404 for the other.
	anon := e.anon()
	for _, c := range []struct{ suffix, disp string }{{"", "inline; "}, {"/download", "attachment; "}} {
		resp, got := fe.do(t, anon, "GET", "/files/"+pub.ID.String()+c.suffix, nil)
		if resp.StatusCode != http.StatusOK || got != string(pdf) {
			t.Errorf("public GET %s: %d, %d bytes", c.suffix, resp.StatusCode, len(got))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("public GET %s: Content-Type %q", c.suffix, ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, c.disp) || !strings.Contains(cd, "antrag.pdf") {
			t.Errorf("public GET %s: Content-Disposition %q, want %s…", c.suffix, cd, c.disp)
		}
		if resp.Header.Get("ETag") != `"`+pub.SHA512+`"` {
			t.Errorf("public GET %s: ETag %q", c.suffix, resp.Header.Get("ETag"))
		}
		if resp, _ := fe.do(t, anon, "GET", "/files/"+hidden.ID.String()+c.suffix, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("public GET non-public%s: %d, want 404", c.suffix, resp.StatusCode)
		}
	}
	if st, _ := e.get(t, clerk, "/files/"+hidden.ID.String()); st != http.StatusOK {
		t.Errorf("clerk GET non-public: %d, want 200", st)
	}

	// Publishing a meeting stores the invitation with every public title.
	m, err := e.meetings.SaveMeeting(bg, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 3. Sitzung",
		Start: time.Now().Add(14 * 24 * time.Hour), Organizations: []council.ID{org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{"Eröffnung und Begrüßung", "Radweg Hauptstraße", "Haushaltssatzung 2027", "Anfragen der Bürgerinnen"}
	for _, name := range titles {
		if _, err := e.meetings.SaveAgendaItem(bg, meetings.AgendaItem{MeetingID: m.ID, Name: name, Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	const marker = "Grundstücksankauf MARKER-INTERN"
	if _, err := e.meetings.SaveAgendaItem(bg, meetings.AgendaItem{MeetingID: m.ID, Name: marker, Public: false}); err != nil {
		t.Fatal(err)
	}
	resp := e.postForm(t, clerk, "/admin/meetings/"+m.ID.String()+"/invite", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST invite: %d", resp.StatusCode)
	}
	inv, err := docs.Files(bg, documents.Link{Kind: documents.LinkMeeting, ID: m.ID})
	if err != nil || len(inv) != 1 || inv[0].Role != documents.RoleInvitation {
		t.Fatalf("meeting files after publishing: %+v, %v", inv, err)
	}
	resp, got := fe.do(t, anon, "GET", "/files/"+inv[0].ID.String()+"/download", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("public GET invitation: %d", resp.StatusCode)
	}
	text := pdfText(t, []byte(got))
	for _, title := range titles {
		if !strings.Contains(text, title) {
			t.Errorf("invitation lacks %q:\n%s", title, text)
		}
	}
	if strings.Contains(text, "MARKER-INTERN") {
		t.Errorf("the public invitation shows the non-public item")
	}
	_, body = e.get(t, anon, "/meetings/"+m.ID.String())
	mustContain(t, "public meeting page", body, fmt.Sprintf(`href="/files/%s/download"`, inv[0].ID), "Einladung")
	if !bytes.HasPrefix([]byte(got), []byte("%PDF")) {
		t.Errorf("invitation is not a PDF")
	}
}
