package documents_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

// extractFile writes content to a temporary file and extracts it.
func extractFile(t testing.TB, x documents.Extractor, content []byte, mime string) documents.Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := x.Extract(context.Background(), p, mime)
	if err != nil {
		t.Fatalf("Extract(%s): %v", mime, err)
	}
	return res
}

func TestExtract(t *testing.T) {
	needTools(t, "qpdf")
	pdf := doctest.TextPDF(sampleText, "Zweite Seite: Begründung über Straßenbäume.\nDer Haus-\nhalt 2026 trägt die Kosten.")
	cases := []struct {
		name    string
		content []byte
		mime    string
		method  string
		want    []string
	}{
		{"text PDF", pdf, documents.MIMEPDF, "pdftotext",
			[]string{"beschließt den Bau eines Radwegs", "Straßenbäume", "Haushalt 2026"}},
		{"AES-256 PDF with empty user password", encryptedPDF(t, pdf, ""), documents.MIMEPDF, "pdftotext",
			[]string{"beschließt den Bau eines Radwegs", "Straßenbäume"}},
		{"DOCX", makeDOCX(t, "Beschlussvorschlag: Der Rat stimmt zu.", "Begründung &amp; Kosten: 5 €"), documents.MIMEDOCX, "docx",
			[]string{"Beschlussvorschlag: Der Rat stimmt zu.\nBegründung & Kosten: 5 €"}},
		{"ODT", makeODT(t, "Sachstand zur Schulsanierung", `Öffnungszeiten<text:s text:c="3"/>ändern<text:tab/>sofort`), documents.MIMEODT, "odt",
			[]string{"Sachstand zur Schulsanierung\nÖffnungszeiten ändern sofort"}},
		{"scanned page (PNG)", scannedPNG(t, doctest.TextPDF(sampleText), 300), documents.MIMEPNG, "ocr",
			[]string{"Musterstadt", "Radwegs", "Hauptstraße"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := extractFile(t, documents.Extractor{}, c.content, c.mime)
			if res.Method != c.method {
				t.Errorf("method %q, want %q", res.Method, c.method)
			}
			for _, w := range c.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, res.Text)
				}
			}
		})
	}
}

// A PDF without a text layer (a scan wrapped in a PDF) is rasterised and
// OCRed.
func TestExtractScannedPDF(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	png := scannedPNG(t, doctest.TextPDF(sampleText), 300)
	img := filepath.Join(dir, "scan.png")
	if err := os.WriteFile(img, png, 0o600); err != nil {
		t.Fatal(err)
	}
	// A scanner's PDF: the page is an image, with no text layer.
	pdf := imagePDF(t, img)
	res := extractFile(t, documents.Extractor{}, pdf, documents.MIMEPDF)
	if res.Method != "ocr" || res.Pages != 1 {
		t.Errorf("method %q pages %d, want ocr on 1 page", res.Method, res.Pages)
	}
	for _, w := range []string{"Musterstadt", "Hauptstraße"} {
		if !strings.Contains(res.Text, w) {
			t.Errorf("OCR text lacks %q:\n%s", w, res.Text)
		}
	}
}

// imagePDF wraps a grey PNG in a one-page PDF (no text layer) by decoding
// it and embedding raw grey samples.
func imagePDF(t testing.TB, png string) []byte {
	t.Helper()
	dir := filepath.Dir(png)
	raw, w, h := greyPixels(t, png)
	var b strings.Builder
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>")
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream", w, h, len(raw), raw))
	content := "q 595 0 0 842 0 0 cm /Im1 Do Q"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	out := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(out, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Haus-\nhalt", "Haushalt"},
		{"Straßen-\nund Wegebau", "Straßen-\nund Wegebau"},
		{"Ober-\nBürgermeister", "Ober-\nBürgermeister"},
		{"a\x00b\x07c", "abc"},
		{"bad \xff\xfe utf8", "bad utf8"},
		{"  viel    Raum\t\tund\u00a0Tabs  ", "viel Raum und Tabs"},
		{"eins\r\nzwei\n\n\n\ndrei", "eins\nzwei\n\ndrei"},
		{"Seite 1\fSeite 2", "Seite 1\n\nSeite 2"},
		{"Ver-\nwal-\ntung", "Verwaltung"},
		{"Schul\u00ad\nsanierung", "Schulsanierung"},
	}
	for _, c := range cases {
		if got := documents.CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// BenchmarkExtract measures extraction throughput in pages/s: a 20-page
// text PDF through pdftotext, and a scanned page (300 dpi PNG) through
// Tesseract (deu). Run: go test -run '^$' -bench Extract ./documents
func BenchmarkExtract(b *testing.B) {
	needTools(b)
	dir := b.TempDir()
	var pages []string
	for i := range 20 {
		pages = append(pages, fmt.Sprintf("Seite %d\n%s\n%s", i+1, sampleText, strings.Repeat("Der Ausschuss berät über die Vorlage. ", 3)))
	}
	textPDF := filepath.Join(dir, "text.pdf")
	if err := os.WriteFile(textPDF, doctest.TextPDF(pages...), 0o600); err != nil {
		b.Fatal(err)
	}
	scan := filepath.Join(dir, "scan.png")
	if err := os.WriteFile(scan, scannedPNG(b, doctest.TextPDF(sampleText+"\n"+strings.Repeat("Der Ausschuss berät über die Vorlage.\n", 20)), 300), 0o600); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, path, mime string
	}{
		{"pdftotext/20pages", textPDF, documents.MIMEPDF},
		{"ocr/1page300dpi", scan, documents.MIMEPNG},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			x := documents.Extractor{}
			pagesDone := 0
			start := time.Now()
			for b.Loop() {
				res, err := x.Extract(context.Background(), c.path, c.mime)
				if err != nil {
					b.Fatal(err)
				}
				pagesDone += res.Pages
			}
			b.ReportMetric(float64(pagesDone)/time.Since(start).Seconds(), "pages/s")
		})
	}
}
