// Package doctest makes documents for tests: small, valid PDFs whose text
// the upload checks accept and pdftotext extracts. It is imported by tests
// only.
package doctest

import (
	"bytes"
	"fmt"
	"strings"
)

// TextPDF returns a PDF with one page per entry of pages, each line of a
// page in 14 pt Helvetica (WinAnsiEncoding, so German umlauts work).
func TextPDF(pages ...string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, p := range pages {
		var c bytes.Buffer
		c.WriteString("BT /F1 14 Tf 18 TL 72 770 Td\n")
		for _, line := range strings.Split(p, "\n") {
			c.WriteString("(")
			for _, r := range line {
				switch {
				case r == '(' || r == ')' || r == '\\':
					c.WriteByte('\\')
					c.WriteByte(byte(r))
				case r < 256:
					c.WriteByte(byte(r))
				default:
					c.WriteByte('?')
				}
			}
			c.WriteString(") Tj T*\n")
		}
		c.WriteString("ET")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len()+0, c.String()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
