package documents_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

func TestUploadRejections(t *testing.T) {
	needTools(t, "qpdf")
	e := newEnv(t)
	small := documents.NewStore(e.pool, e.dir, documents.Limits{MaxSize: 4096, MaxUnpacked: 1 << 20})
	pdf := doctest.TextPDF(sampleText)
	bomb := zipOf(t, "[Content_Types].xml", "wordprocessingml.document.main+xml",
		"word/document.xml", strings.Repeat("A", 3<<20))
	cases := []struct {
		name    string
		store   *documents.Store
		content []byte
		reason  string
	}{
		{"empty", e.docs, nil, documents.RejectEmpty},
		{"too large", small, bytes.Repeat([]byte("%PDF-1.4\n"), 1000), documents.RejectTooLarge},
		{"text file named .pdf", e.docs, []byte("Hallo, ich bin kein PDF.\n"), documents.RejectType},
		{"executable", e.docs, append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...), documents.RejectType},
		{"html", e.docs, []byte("<!DOCTYPE html><script>alert(1)</script>"), documents.RejectType},
		{"plain zip", e.docs, zipOf(t, "a.txt", "hallo"), documents.RejectType},
		{"truncated PDF", e.docs, pdf[:len(pdf)/3], documents.RejectMalformed},
		{"PDF header only", e.docs, []byte("%PDF-1.7\ngarbage garbage"), documents.RejectMalformed},
		{"encrypted PDF with a user password", e.docs, encryptedPDF(t, pdf, "geheim"), documents.RejectEncrypted},
		{"zip bomb", small, bomb, documents.RejectZipBomb},
		{"truncated zip", e.docs, makeDOCX(t, "Hallo")[:200], documents.RejectMalformed},
		{"DOCX without document.xml", e.docs, zipOf(t, "[Content_Types].xml", "wordprocessingml.document.main+xml"), documents.RejectMalformed},
		{"damaged PNG", e.docs, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), documents.RejectMalformed},
		{"damaged JPEG", e.docs, []byte("\xff\xd8\xff\xe0garbage"), documents.RejectMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.store.Upload(e.ctx, bytes.NewReader(c.content), documents.File{FileName: "x.pdf"},
				[]documents.Link{{Kind: documents.LinkPaper, ID: e.paper.ID}})
			var rej *documents.Rejection
			if !errors.As(err, &rej) || rej.Reason != c.reason {
				t.Fatalf("Upload(%s) = %v, want rejection %s", c.name, err, c.reason)
			}
			if !errors.Is(err, council.ErrInvalid) {
				t.Errorf("rejection does not match ErrInvalid")
			}
		})
	}
	// Nothing half-stored: no rows, no blobs, no temporary files.
	var n int
	_ = e.pool.QueryRow(e.ctx, `SELECT count(*) FROM files`).Scan(&n)
	if n != 0 {
		t.Errorf("%d file rows after rejections, want 0", n)
	}
	_ = filepath.Walk(e.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			t.Errorf("left on disk: %s", p)
		}
		return nil
	})
}

func TestUploadAcceptsTypesByContent(t *testing.T) {
	needTools(t, "qpdf")
	e := newEnv(t)
	pdf := doctest.TextPDF(sampleText)
	cases := []struct {
		name, fileName string
		content        []byte
		mime, wantName string
	}{
		{"pdf", "antrag.pdf", pdf, documents.MIMEPDF, "antrag.pdf"},
		{"pdf without extension", "antrag", pdf, documents.MIMEPDF, "antrag.pdf"},
		{"AES PDF with empty user password", "aes.pdf", encryptedPDF(t, pdf, ""), documents.MIMEPDF, "aes.pdf"},
		{"docx", "Vorlage.docx", makeDOCX(t, "Hallo"), documents.MIMEDOCX, "Vorlage.docx"},
		{"odt named .pdf", "Vorlage.pdf", makeODT(t, "Hallo"), documents.MIMEODT, "Vorlage.pdf.odt"},
		{"png", "scan.png", scannedPNG(t, pdf, 30), documents.MIMEPNG, "scan.png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := e.upload(t, c.fileName, c.content, true)
			if f.MIMEType != c.mime || f.FileName != c.wantName {
				t.Errorf("Upload(%s): type %s name %q, want %s %q", c.fileName, f.MIMEType, f.FileName, c.mime, c.wantName)
			}
		})
	}
}

func TestCleanFileName(t *testing.T) {
	cases := []struct{ in, mime, want string }{
		{"C:\\Users\\x\\Bericht.pdf", documents.MIMEPDF, "Bericht.pdf"},
		{"a\x00b\nc.pdf", documents.MIMEPDF, "abc.pdf"},
		{"", documents.MIMEPNG, "datei.png"},
		{"..", documents.MIMEPDF, "datei.pdf"},
		{"Foto.JPEG", documents.MIMEJPEG, "Foto.JPEG"},
		{"Straßenplan \"neu\".pdf", documents.MIMEPDF, "Straßenplan neu.pdf"},
	}
	for _, c := range cases {
		if got := documents.CleanFileName(c.in, c.mime); got != c.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
