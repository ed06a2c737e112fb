package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

// filesEnv is a testEnv whose server has a data directory, with a
// submitted public paper and a store on the same database.
type filesEnv struct {
	*testEnv
	docs  *documents.Store
	paper council.Paper
}

func newFilesEnv(t testing.TB, maxUpload int64) *filesEnv {
	t.Helper()
	e := newTestEnv(t)
	dir := t.TempDir()
	srv, err := New(Options{Pool: e.srv.pool, BaseURL: "http://plenar.test", Version: "test", InsecureCookies: true,
		DataDir: dir, MaxUpload: maxUpload})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e.ts.Close()
	e.srv, e.ts = srv, httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	ctx := context.Background()
	p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Radweg", Type: council.PaperMotion, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.council.Submit(ctx, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return &filesEnv{testEnv: e, docs: documents.NewStore(e.srv.pool, dir+"/files", documents.Limits{}), paper: p}
}

func (e *filesEnv) put(t testing.TB, name string, content []byte, public bool, links ...documents.Link) documents.File {
	t.Helper()
	if links == nil {
		links = []documents.Link{{Kind: documents.LinkPaper, ID: e.paper.ID}}
	}
	f, err := e.docs.Upload(context.Background(), bytes.NewReader(content), documents.File{FileName: name, Public: public}, links)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	return f
}

func (e *filesEnv) do(t *testing.T, c *http.Client, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestFileServing(t *testing.T) {
	e := newFilesEnv(t, 0)
	pdf := doctest.TextPDF("Hallo Musterstadt")
	f := e.put(t, "Antrag Straßenbau.pdf", pdf, true)
	anon := e.anon()
	url := "/files/" + f.ID.String()

	resp, body := e.do(t, anon, "GET", url, nil)
	if resp.StatusCode != 200 || body != string(pdf) {
		t.Fatalf("GET inline: %d, %d bytes", resp.StatusCode, len(body))
	}
	etag := `"` + f.SHA512 + `"`
	cd := `inline; filename="Antrag Strassenbau.pdf"; filename*=UTF-8''Antrag%20Stra%C3%9Fenbau.pdf`
	for k, want := range map[string]string{"Content-Type": "application/pdf", "ETag": etag, "Content-Disposition": cd,
		"Accept-Ranges": "bytes", "Content-Length": fmt.Sprint(len(pdf))} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("inline %s = %q, want %q", k, got, want)
		}
	}
	if resp.Header.Get("Last-Modified") == "" {
		t.Errorf("no Last-Modified")
	}
	resp, _ = e.do(t, anon, "GET", url+"/download", nil)
	if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment; ") || !strings.Contains(got, "filename*=UTF-8''Antrag%20Stra%C3%9Fenbau.pdf") {
		t.Errorf("download Content-Disposition = %q", got)
	}
	resp, body = e.do(t, anon, "GET", url, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	lm := resp.Header.Get("Last-Modified")
	if lm == "" {
		lm = time.Now().UTC().Format(http.TimeFormat)
	}
	resp, _ = e.do(t, anon, "GET", url, map[string]string{"If-Modified-Since": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", resp.StatusCode)
	}
	resp, body = e.do(t, anon, "GET", url, map[string]string{"Range": "bytes=0-7"})
	if resp.StatusCode != http.StatusPartialContent || body != string(pdf[:8]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-7/%d", len(pdf)) {
		t.Errorf("Range: %d %q %q, want 206 with the first 8 bytes", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	resp, body = e.do(t, anon, "GET", url, map[string]string{"Range": "bytes=4-5", "If-Range": `"other"`})
	if resp.StatusCode != 200 || len(body) != len(pdf) {
		t.Errorf("If-Range with another ETag: %d, want the whole file", resp.StatusCode)
	}
	resp, body = e.do(t, anon, "HEAD", url, nil)
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD: %d", resp.StatusCode)
	}

	// Non-public: 404 to the public (same as an unknown id), 200 to staff.
	hidden := e.put(t, "intern.pdf", doctest.TextPDF("Intern"), false)
	secretPaper, _ := e.council.SavePaper(context.Background(), council.Paper{BodyID: e.body.ID, Name: "Geheim", Type: council.PaperMotion, Public: false})
	secretPaper, _ = e.council.Submit(context.Background(), secretPaper.ID, time.Now())
	ofSecret := e.put(t, "anlage.pdf", doctest.TextPDF("Anlage"), true, documents.Link{Kind: documents.LinkPaper, ID: secretPaper.ID})
	for _, id := range []council.ID{hidden.ID, ofSecret.ID, council.NewID()} {
		for _, suffix := range []string{"", "/download"} {
			if resp, _ := e.do(t, anon, "GET", "/files/"+id.String()+suffix, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("anonymous GET of non-public %s%s: %d, want 404", id, suffix, resp.StatusCode)
			}
		}
	}
	if resp, _ := e.do(t, anon, "GET", "/files/not-an-id", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("malformed id: %d, want 404", resp.StatusCode)
	}
	clerk, _ := e.login(t, council.RoleClerk)
	if resp, body := e.do(t, clerk, "GET", "/files/"+hidden.ID.String(), nil); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("clerk GET non-public: %d", resp.StatusCode)
	} else if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
		t.Errorf("non-public file Cache-Control = %q, want private", cc)
	}

	// Deleted: 410 to those who could see it, 404 to those who could not.
	if err := e.docs.Delete(context.Background(), f.ID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.do(t, anon, "GET", url, nil); resp.StatusCode != http.StatusGone {
		t.Errorf("deleted public file: %d, want 410", resp.StatusCode)
	}
	if err := e.docs.Delete(context.Background(), hidden.ID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.do(t, anon, "GET", "/files/"+hidden.ID.String(), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted non-public file to the public: %d, want 404", resp.StatusCode)
	}
}

// upload posts a multipart form like the browser: csrf_token first.
func (e *filesEnv) upload(t *testing.T, c *http.Client, path string, fields [][2]string, fileName string, content []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	w, _ := mw.CreateFormFile("file", fileName)
	_, _ = w.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.ts.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestAdminUpload(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	clerk, _ := e.login(t, council.RoleClerk)
	page := "/admin/files/paper/" + e.paper.ID.String()
	st, body := e.get(t, clerk, page)
	if st != 200 {
		t.Fatalf("GET %s: %d", page, st)
	}
	mustContain(t, "files page", body, `enctype="multipart/form-data"`, `name="csrf_token"`)
	token := e.sessionValue(t, clerk, keyCSRF)

	pdf := doctest.TextPDF("Hallo")
	// Without the token first (or at all): 403, nothing stored.
	resp, _ := e.upload(t, clerk, page, [][2]string{{"name", "x"}, {"csrf_token", token}}, "a.pdf", pdf)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload with the token not first: %d, want 403", resp.StatusCode)
	}
	resp, _ = e.upload(t, clerk, page, [][2]string{{"csrf_token", token}, {"name", "Hauptantrag"}, {"role", "main"}, {"public", "on"}}, "antrag.pdf", pdf)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=file_uploaded") {
		t.Fatalf("upload: %d %s, want 303 with notice", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := e.docs.Files(context.Background(), documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("files after upload: %v %v", list, err)
	}
	if f := list[0]; f.Name != "Hauptantrag" || f.Role != "main" || !f.Public || f.FileName != "antrag.pdf" {
		t.Errorf("uploaded file = %+v", f)
	}
	var actor *council.ID
	_ = e.srv.pool.QueryRow(context.Background(), `SELECT actor_id FROM audit WHERE entity = 'file' AND entity_id = $1`, list[0].ID).Scan(&actor)
	if actor == nil {
		t.Errorf("audit row has no actor")
	}
	_, body = e.get(t, clerk, page)
	mustContain(t, "files page after upload", body, "Hauptantrag", "Texterkennung wartet")

	rejections := []struct {
		name    string
		content []byte
		status  int
		msg     string
	}{
		{"empty", nil, 400, "leer"},
		{"wrong type", []byte("kein pdf"), 400, "Nur PDF-, ODT-, DOCX-, PNG- und JPEG-Dateien"},
		{"too large", append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...), 413, "zu groß"},
	}
	for _, c := range rejections {
		resp, body := e.upload(t, clerk, page, [][2]string{{"csrf_token", token}}, "x.pdf", c.content)
		if resp.StatusCode != c.status || !strings.Contains(body, c.msg) {
			t.Errorf("upload %s: %d, want %d with %q", c.name, resp.StatusCode, c.status, c.msg)
		}
	}
	if list, _ := e.docs.Files(context.Background(), documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID}); len(list) != 1 {
		t.Errorf("%d files after rejections, want 1", len(list))
	}

	// Toggle visibility and delete through the back office.
	id := list[0].ID.String()
	for _, act := range []string{"public", "delete"} {
		resp := e.postForm(t, clerk, page+"/"+id+"/"+act, url.Values{"csrf_token": {token}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST %s: %d", act, resp.StatusCode)
		}
	}
	if f, _ := e.docs.File(context.Background(), list[0].ID); f.Public || !f.Deleted {
		t.Errorf("after toggle and delete: public %v deleted %v", f.Public, f.Deleted)
	}

	// The public and members get nothing of the back office.
	if st, _ := e.get(t, e.anon(), page); st != http.StatusSeeOther {
		t.Errorf("anonymous GET %s: %d, want redirect to login", page, st)
	}
}
