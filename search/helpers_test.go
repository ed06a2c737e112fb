package search_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/search"
)

// env is one test's database, index and fixtures.
type env struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	s      *council.Store
	body   council.Body
	dir    string
	ix     *search.Index
	search *search.Searcher
	words  search.Words
	docs   *documents.Store
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.New(t)
	e := &env{ctx: context.Background(), pool: pool, s: council.NewStore(pool), dir: filepath.Join(t.TempDir(), "index")}
	e.docs = documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{})
	b, err := e.s.CreateBody(e.ctx, council.Body{Name: "Stadt Musterstadt", ShortName: "Musterstadt"})
	if err != nil {
		t.Fatalf("CreateBody: %v", err)
	}
	e.body = b
	ws, sys, err := search.DefaultWords(search.SystemWordList)
	if err != nil {
		t.Fatalf("DefaultWords: %v", err)
	}
	if os.Getenv("CI") == "true" && !sys {
		t.Fatalf("CI: %s is missing (Debian package wngerman)", search.SystemWordList)
	}
	e.words = ws
	return e
}

// build rebuilds the index from the database and opens it.
func (e *env) build(t testing.TB) {
	t.Helper()
	if _, _, err := search.Rebuild(e.ctx, e.pool, e.dir, e.words, nil); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if e.ix == nil {
		ix, err := search.Open(e.dir, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { ix.Close() })
		e.ix = ix
		e.search = search.NewSearcher(ix, e.pool)
	} else if _, err := e.ix.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
}

func (e *env) org(t testing.TB, name string) council.Organization {
	t.Helper()
	o, err := e.s.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: name, Kind: council.OrgKind("committee")})
	if err != nil {
		t.Fatalf("SaveOrganization(%q): %v", name, err)
	}
	return o
}

// paper saves a paper; orgs become its consultations.
func (e *env) paper(t testing.TB, p council.Paper, orgs ...council.Organization) council.Paper {
	t.Helper()
	p.BodyID = e.body.ID
	if p.Type == "" {
		p.Type = council.PaperMotion
	}
	if p.Status == "" {
		p.Status = council.StatusSubmitted
	}
	if p.Date.IsZero() {
		p.Date = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	}
	saved, err := e.s.SavePaper(e.ctx, p)
	if err != nil {
		t.Fatalf("SavePaper(%q): %v", p.Name, err)
	}
	for i, o := range orgs {
		if _, err := e.s.SaveConsultation(e.ctx, council.Consultation{PaperID: saved.ID, OrganizationID: o.ID, Position: i}); err != nil {
			t.Fatalf("SaveConsultation: %v", err)
		}
	}
	return saved
}

// ids runs q for v and returns the ids of the hits and the result.
func (e *env) ids(t testing.TB, v council.Viewer, req search.Request) ([]council.ID, search.Result) {
	t.Helper()
	res, err := e.search.Search(e.ctx, v, req)
	if err != nil {
		t.Fatalf("Search(%+v): %v", req, err)
	}
	var out []council.ID
	for _, h := range res.Hits {
		out = append(out, h.ID)
		if h.Match != nil { // the matter's agenda item or file that matched
			out = append(out, h.Match.ID)
		}
	}
	return out, res
}

func (e *env) finds(t testing.TB, v council.Viewer, q string, want council.ID) bool {
	t.Helper()
	ids, _ := e.ids(t, v, search.Request{Query: q, PerPage: 100})
	return slices.Contains(ids, want)
}

func member(orgs ...council.Organization) council.Viewer {
	v := council.Viewer{UserID: council.NewID(), Role: council.RoleMember, Orgs: map[council.ID]bool{}}
	for _, o := range orgs {
		v.Orgs[o.ID] = true
	}
	return v
}

var staff = council.Viewer{UserID: council.NewID(), Role: council.RoleClerk}

// file uploads a DOCX with the paragraphs through the documents store,
// attached to links, and runs the real extraction worker until no job is
// left, so the file's text and its outbox rows are what production writes.
func (e *env) file(t testing.TB, name string, public bool, links []documents.Link, paras ...string) documents.File {
	t.Helper()
	f, err := e.docs.Upload(e.ctx, bytes.NewReader(docx(t, paras...)), documents.File{FileName: name + ".docx", Name: name,
		Public: public}, links)
	if err != nil {
		t.Fatalf("Upload(%s): %v", name, err)
	}
	e.extract(t)
	return f
}

// extract runs the extraction worker until no job is due.
func (e *env) extract(t testing.TB) {
	t.Helper()
	w := &documents.Worker{Store: e.docs}
	for {
		did, err := w.RunOnce(e.ctx)
		if err != nil {
			t.Fatalf("extraction: %v", err)
		}
		if !did {
			return
		}
	}
}

func paperLink(p council.Paper) []documents.Link {
	return []documents.Link{{Kind: documents.LinkPaper, ID: p.ID}}
}

// docx returns a minimal WordprocessingML document with paragraphs.
func docx(t testing.TB, paras ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, p)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`},
	} {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatalf("zip: %v", err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatalf("zip: %v", err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("zip: %v", err)
	}
	return b.Bytes()
}

func bytesOf(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// eventually waits until cond holds. It checks that a change reaches the
// index at all, not how fast: the time to searchable is measured by the
// benchmark (plenar bench search, single edits), and a loaded CI machine
// must not make this fail. The bound only ends a test that would hang.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
