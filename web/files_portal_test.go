package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
)

// putNamed stores content with a title, attached by links.
func (e *filesEnv) putNamed(t *testing.T, title, fileName string, public bool, links ...documents.Link) documents.File {
	t.Helper()
	f, err := e.docs.Upload(context.Background(), bytes.NewReader(doctest.TextPDF(title)),
		documents.File{Name: title, FileName: fileName, Public: public}, links)
	if err != nil {
		t.Fatalf("Upload %s: %v", title, err)
	}
	return f
}

// TestPortalFiles: the meeting and paper pages list the files the viewer
// may see, with view and download links; nothing non-public reaches the
// public (markers), staff see it all.
func TestPortalFiles(t *testing.T) {
	e := newFilesEnv(t, 0)
	ctx := context.Background()
	org, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 1. Sitzung",
		Start: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Radweg Hauptstraße", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := e.meetings.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Grundstücksankauf", Public: false})
	if err != nil {
		t.Fatal(err)
	}
	paper := documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID, Role: documents.RoleMain}
	meeting := documents.Link{Kind: documents.LinkMeeting, ID: m.ID, Role: documents.RoleResultsProtocol}
	item := documents.Link{Kind: documents.LinkAgendaItem, ID: pub.ID}
	secretItem := documents.Link{Kind: documents.LinkAgendaItem, ID: secret.ID}

	paperFile := e.putNamed(t, "Antragstext Radweg", "antrag.pdf", true, paper)
	meetingFile := e.putNamed(t, "Ergebnisprotokoll Stadtrat", "protokoll.pdf", true, meeting)
	itemFile := e.putNamed(t, "Lageplan Radweg", "lageplan.pdf", true, item)
	markers := []string{"MARKER-PAPER-INTERN", "MARKER-MEETING-INTERN", "MARKER-ITEM-INTERN", "MARKER-SECRET-ITEM"}
	e.putNamed(t, markers[0], "a.pdf", false, paper)
	e.putNamed(t, markers[1], "b.pdf", false, meeting)
	e.putNamed(t, markers[2], "c.pdf", false, item)
	e.putNamed(t, markers[3], "d.pdf", true, secretItem) // marked public, but its item is not
	anon := e.anon()
	meetingPage, paperPage := "/meetings/"+m.ID.String(), "/papers/"+e.paper.ID.String()

	// Planned meeting: its files are not public yet.
	_, body := e.get(t, anon, meetingPage)
	if strings.Contains(body, "Ergebnisprotokoll Stadtrat") || strings.Contains(body, "Lageplan") {
		t.Errorf("planned meeting lists its files to the public")
	}
	if _, err := e.meetings.Invite(ctx, m.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	st, body := e.get(t, anon, meetingPage)
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d", meetingPage, st)
	}
	mustContain(t, "public meeting page", body, "Ergebnisprotokoll Stadtrat", "Lageplan Radweg", "Ergebnisprotokoll",
		`href="/files/`+meetingFile.ID.String()+`"`, `href="/files/`+meetingFile.ID.String()+`/download"`,
		`href="/files/`+itemFile.ID.String()+`"`, `href="/files/`+itemFile.ID.String()+`/download"`, "PDF")
	_, pbody := e.get(t, anon, paperPage)
	mustContain(t, "public paper page", pbody, "Antragstext Radweg", "Hauptdokument",
		`href="/files/`+paperFile.ID.String()+`"`, `href="/files/`+paperFile.ID.String()+`/download"`)
	for _, mk := range markers {
		if strings.Contains(body, mk) || strings.Contains(pbody, mk) {
			t.Errorf("the public sees %s", mk)
		}
	}
	// Every file the public page links must be servable to the public.
	for _, id := range []council.ID{paperFile.ID, meetingFile.ID, itemFile.ID} {
		if st, _ := e.get(t, anon, "/files/"+id.String()); st != http.StatusOK {
			t.Errorf("listed file %s: %d to the public", id, st)
		}
	}

	clerk, _ := e.login(t, council.RoleClerk)
	_, body = e.get(t, clerk, meetingPage)
	_, pbody = e.get(t, clerk, paperPage)
	mustContain(t, "clerk meeting page", body, markers[1], markers[2], markers[3])
	mustContain(t, "clerk paper page", pbody, markers[0])
}

// TestAdminFileVersionAndMeta: a new version keeps the old file as its
// master and replaces it on the public page; title, licence and date are
// edited; the extraction status is shown.
func TestAdminFileVersionAndMeta(t *testing.T) {
	e := newFilesEnv(t, 0)
	ctx := context.Background()
	old := e.putNamed(t, "Antragstext", "antrag-v1.pdf", true, documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID, Role: documents.RoleMain})
	clerk, _ := e.login(t, council.RoleClerk)
	token := e.sessionValue(t, clerk, keyCSRF)
	page := "/admin/files/paper/" + e.paper.ID.String()
	_, body := e.get(t, clerk, page)
	mustContain(t, "files page", body, "Texterkennung wartet", "/"+old.ID.String()+"/version", "/"+old.ID.String()+"/meta")

	resp, _ := e.upload(t, clerk, page+"/"+old.ID.String()+"/version", [][2]string{{"csrf_token", token}, {"public", "on"}},
		"antrag-v2.pdf", doctest.TextPDF("Zweite Fassung"))
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=file_version") {
		t.Fatalf("upload version: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := e.docs.Files(ctx, documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID})
	if err != nil || len(list) != 2 {
		t.Fatalf("files after new version: %d, %v", len(list), err)
	}
	v2 := list[1]
	if v2.MasterID != old.ID || v2.Name != "Antragstext" || v2.Role != documents.RoleMain || !v2.Public || v2.FileName != "antrag-v2.pdf" {
		t.Errorf("new version = %+v, want master %s, old title and role", v2.File, old.ID)
	}
	if f, _ := e.docs.File(ctx, old.ID); f.Deleted {
		t.Errorf("the old version was deleted")
	}
	_, body = e.get(t, clerk, page)
	mustContain(t, "files page with versions", body, "Durch neuere Fassung ersetzt", "Neue Fassung einer früheren Datei")
	_, pbody := e.get(t, e.anon(), "/papers/"+e.paper.ID.String())
	if !strings.Contains(pbody, "/files/"+v2.ID.String()) || strings.Contains(pbody, "/files/"+old.ID.String()) {
		t.Errorf("public paper page should list only the newest version")
	}

	mustOK := func(form url.Values, want int) string {
		t.Helper()
		resp := e.postForm(t, clerk, page+"/"+v2.ID.String()+"/meta", form)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("POST meta %v: %d, want %d", form, resp.StatusCode, want)
		}
		return string(b)
	}
	mustOK(url.Values{"name": {"Antrag (geändert)"}, "license": {"CC-BY-4.0"}, "date": {"2026-11-01"}}, http.StatusSeeOther)
	f, err := e.docs.File(ctx, v2.ID)
	if err != nil || f.Name != "Antrag (geändert)" || f.License != "CC-BY-4.0" || f.Date.Format("2006-01-02") != "2026-11-01" {
		t.Errorf("after meta edit: %+v %v", f, err)
	}
	body = mustOK(url.Values{"name": {"x"}, "date": {"31.13.2026"}}, http.StatusBadRequest)
	mustContain(t, "invalid date", body, `role="alert"`)
	if f, _ := e.docs.File(ctx, v2.ID); f.Name != "Antrag (geändert)" {
		t.Errorf("invalid edit changed the title to %q", f.Name)
	}
}
