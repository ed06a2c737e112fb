package documents_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// env is one test's database with a body, a committee, a submitted public
// paper and a document store in a temporary data directory.
type env struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	c     *council.Store
	m     *meetings.Store
	docs  *documents.Store
	dir   string
	body  council.Body
	org   council.Organization
	paper council.Paper
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.New(t)
	e := &env{ctx: context.Background(), pool: pool, c: council.NewStore(pool), m: meetings.NewStore(pool),
		dir: filepath.Join(t.TempDir(), "files")}
	e.docs = documents.NewStore(pool, e.dir, documents.Limits{})
	var err error
	if e.body, err = e.c.CreateBody(e.ctx, council.Body{Name: "Stadt Musterstadt"}); err != nil {
		t.Fatalf("CreateBody: %v", err)
	}
	if e.org, err = e.c.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: "Bauausschuss",
		Kind: council.KindCommittee}); err != nil {
		t.Fatalf("SaveOrganization: %v", err)
	}
	e.paper = e.newPaper(t, true)
	return e
}

// newPaper creates a submitted paper.
func (e *env) newPaper(t testing.TB, public bool) council.Paper {
	t.Helper()
	p, err := e.c.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: "Radweg Hauptstraße",
		Type: council.PaperMotion, Public: public, LeadOrgID: e.org.ID})
	if err != nil {
		t.Fatalf("SavePaper: %v", err)
	}
	if p, err = e.c.Submit(e.ctx, p.ID, time.Now()); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return p
}

// upload stores content as a file attached to the env's paper.
func (e *env) upload(t testing.TB, name string, content []byte, public bool) documents.File {
	t.Helper()
	f, err := e.docs.Upload(e.ctx, bytes.NewReader(content), documents.File{FileName: name, Public: public},
		[]documents.Link{{Kind: documents.LinkPaper, ID: e.paper.ID}})
	if err != nil {
		t.Fatalf("Upload(%s): %v", name, err)
	}
	return f
}

// needTools skips (fails under CI=true) when poppler, Tesseract with the
// German model or qpdf are missing.
func needTools(t testing.TB, extra ...string) {
	t.Helper()
	missing := documents.MissingTools(context.Background())
	for _, x := range extra {
		if _, err := exec.LookPath(x); err != nil {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		pgtest.Unavailable(t, "missing tools: "+strings.Join(missing, ", ")+
			" (Debian: poppler-utils tesseract-ocr tesseract-ocr-deu qpdf)")
	}
}

// zipOf builds a zip archive; entries are name, content pairs, stored
// (not compressed) when the name is "mimetype".
func zipOf(t testing.TB, entries ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(entries); i += 2 {
		method := zip.Deflate
		if entries[i] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i], Method: method})
		if err != nil {
			t.Fatalf("zip: %v", err)
		}
		if _, err := w.Write([]byte(entries[i+1])); err != nil {
			t.Fatalf("zip: %v", err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("zip: %v", err)
	}
	return b.Bytes()
}

// makeDOCX returns a minimal WordprocessingML document with paragraphs.
func makeDOCX(t testing.TB, paras ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, p)
	}
	return zipOf(t,
		"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body.String()+`</w:body></w:document>`)
}

// makeODT returns a minimal OpenDocument text with paragraphs.
func makeODT(t testing.TB, paras ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<text:p>%s</text:p>`, p)
	}
	return zipOf(t,
		"mimetype", documents.MIMEODT,
		"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
		"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text>`+body.String()+`</office:text></office:body></office:document-content>`)
}

// run runs a tool in the test and fails on error.
func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// scannedPNG rasterises a text PDF to a grey PNG at dpi, as a scanner would.
func scannedPNG(t testing.TB, pdf []byte, dpi int) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", "-singlefile", in, filepath.Join(dir, "scan"))
	b, err := os.ReadFile(filepath.Join(dir, "scan.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encryptedPDF encrypts pdf with AES-256 and the given user password.
func encryptedPDF(t testing.TB, pdf []byte, userPassword string) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "qpdf", "--encrypt", userPassword, "owner-secret", "256", "--", in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const sampleText = "Antrag der Fraktion\nDie Stadt Musterstadt beschließt den Bau eines Radwegs\nentlang der Hauptstraße. Kosten: 120.000 Euro."
