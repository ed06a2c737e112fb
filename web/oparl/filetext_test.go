package oparl_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/oparl"
)

// longDOCX is a DOCX with one paragraph of text, as a word processor
// writes it.
func longDOCX(t testing.TB, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` +
			text + `</w:t></w:r></w:p></w:body></w:document>`},
	} {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A File object embeds at most documents.OParlTextLimit bytes of the
// file's extracted text (whole characters) and says when it cut it, alone
// and embedded in its paper: a response never carries a file's whole
// text, however long.
func TestFileTextBounded(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	cs := council.NewStore(pool)
	docs := documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{MaxRatio: 1 << 20})
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := cs.SavePaper(ctx, council.Paper{BodyID: body.ID, Name: "Haushaltsplan", Type: council.PaperMotion, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = cs.Submit(ctx, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("Straßenbäume ", 4*documents.OParlTextLimit/13)
	f, err := docs.Upload(ctx, bytes.NewReader(longDOCX(t, text)), documents.File{FileName: "haushalt.docx", Public: true},
		[]documents.Link{{Kind: documents.LinkPaper, ID: p.ID, Role: documents.RoleMain}})
	if err != nil {
		t.Fatal(err)
	}
	w := &documents.Worker{Store: docs}
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatalf("RunOnce = %v, %v", did, err)
	}
	if stored, _, _ := docs.Text(ctx, f.ID, documents.DefaultMaxText); len(stored) <= documents.OParlTextLimit {
		t.Fatalf("stored text is %d bytes, want more than the limit for this test", len(stored))
	}

	r := chi.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	h, err := oparl.New(oparl.Options{Council: cs, Meetings: meetings.NewStore(pool), Files: docs, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	r.Mount("/oparl", h)
	check := func(where string, obj map[string]any) {
		t.Helper()
		got := str(obj["text"])
		if len(got) > documents.OParlTextLimit || len(got) < documents.OParlTextLimit-13 || !utf8.ValidString(got) ||
			!strings.HasPrefix(got, "Straßenbäume Straßenbäume") || obj["plenar:textTruncated"] != true {
			t.Errorf("%s: text of %d bytes (valid UTF-8: %v), plenar:textTruncated %v; want the first ≤ %d bytes, marked as cut",
				where, len(got), utf8.ValidString(got), obj["plenar:textTruncated"], documents.OParlTextLimit)
		}
	}
	fileURL := srv.URL + "/oparl/v1.1/file/" + f.ID.String()
	res := get(t, srv.Client(), http.MethodGet, fileURL, nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", fileURL, res.status, res.body)
	}
	obj := decode(t, fileURL, res.body)
	check("file", obj)
	// The whole text is at its own URL (issue 14), as plain text; the nil
	// UUID and an unknown file have none.
	stored, _, _ := docs.Text(ctx, f.ID, documents.DefaultMaxText)
	textURL := str(obj["plenar:textUrl"])
	if textURL != fileURL+"/text" {
		t.Errorf("plenar:textUrl %q, want %q", textURL, fileURL+"/text")
	}
	if res := get(t, srv.Client(), http.MethodGet, textURL, nil); res.status != http.StatusOK || string(res.body) != stored ||
		!strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Errorf("GET %s: %d, %d bytes (%s); want 200 with the whole text of %d bytes", textURL, res.status, len(res.body),
			res.header.Get("Content-Type"), len(stored))
	}
	for _, id := range []string{council.NilID.String(), p.ID.String()} {
		u := srv.URL + "/oparl/v1.1/file/" + id + "/text"
		if res := get(t, srv.Client(), http.MethodGet, u, nil); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, res.status)
		}
	}
	paperURL := srv.URL + "/oparl/v1.1/paper/" + p.ID.String()
	res = get(t, srv.Client(), http.MethodGet, paperURL, nil)
	main, _ := decode(t, paperURL, res.body)["mainFile"].(map[string]any)
	check("paper's mainFile", main)
}
