package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig for uploads
	_ "image/png"  // DecodeConfig for uploads
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// MIME types Plenar accepts.
const (
	MIMEPDF  = "application/pdf"
	MIMEODT  = "application/vnd.oasis.opendocument.text"
	MIMEDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MIMEPNG  = "image/png"
	MIMEJPEG = "image/jpeg"
)

// Limits bound what an upload may be.
type Limits struct {
	MaxSize     int64 // bytes; default 50 MB
	MaxUnpacked int64 // total unpacked size of a DOCX/ODT; default 200 MB
	MaxRatio    int64 // unpacked size / packed size of a DOCX/ODT; default 100
	MaxEntries  int   // files in a DOCX/ODT; default 10,000
	MaxPixels   int64 // width × height of an image; default 100 megapixels
}

// DefaultMaxSize is the upload size limit unless configured otherwise.
const DefaultMaxSize = 50 << 20

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = 200 << 20
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 100
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 10000
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = 100_000_000
	}
	return l
}

// Rejection is an upload refused for what it is. Reason is a translation
// key (files.err.*); Rejection matches council.ErrInvalid with errors.Is.
type Rejection struct {
	Reason string
	Detail string // for logs
}

// Rejection reasons.
const (
	RejectEmpty     = "files.err.empty"
	RejectTooLarge  = "files.err.too_large"
	RejectType      = "files.err.type"
	RejectEncrypted = "files.err.encrypted"
	RejectZipBomb   = "files.err.zip_bomb"
	RejectMalformed = "files.err.malformed"
)

func (r *Rejection) Error() string {
	msg := map[string]string{
		RejectEmpty:     "the file is empty",
		RejectTooLarge:  "the file is too large",
		RejectType:      "only PDF, ODT, DOCX, PNG and JPEG files are accepted",
		RejectEncrypted: "the PDF is encrypted with a password and cannot be read",
		RejectZipBomb:   "the document unpacks to too much data",
		RejectMalformed: "the file is damaged or not what its type says",
	}[r.Reason]
	if r.Detail != "" {
		return msg + " (" + r.Detail + ")"
	}
	return msg
}

// Is makes errors.Is(r, council.ErrInvalid) true.
func (r *Rejection) Is(target error) bool { return target == council.ErrInvalid }

func reject(reason, detail string) error { return &Rejection{Reason: reason, Detail: detail} }

// Upload streams r to a temporary blob while hashing it, checks it (size,
// type from content, readability, zip bombs), moves the blob into place
// and creates the file row with links (Create). f carries the metadata;
// its FileName is cleaned and MIMEType set from the content. Nothing is
// stored when any step fails. Errors: *Rejection (ErrInvalid) for a file
// that is refused, ErrInvalid/ErrNotFound from Create.
func (s *Store) Upload(ctx context.Context, r io.Reader, f File, links []Link) (File, error) {
	t, err := s.blobs.Write(r, s.limits.MaxSize)
	if err != nil {
		return File{}, err
	}
	defer t.Discard()
	b := t.Blob()
	switch {
	case b.Size == 0:
		return File{}, reject(RejectEmpty, "")
	case b.Size > s.limits.MaxSize:
		return File{}, reject(RejectTooLarge, fmt.Sprintf("limit %d bytes", s.limits.MaxSize))
	}
	mime, err := s.limits.Check(ctx, t.File(), b.Size)
	if err != nil {
		return File{}, err
	}
	f.MIMEType = mime
	f.FileName = CleanFileName(f.FileName, mime)
	if b, err = t.Commit(); err != nil {
		return File{}, err
	}
	return s.Create(ctx, f, b, links)
}

// CleanFileName keeps the base name of name, valid UTF-8 without control
// characters or path separators, at most 200 bytes, and gives it the
// extension of mime when it has none of its own.
func CleanFileName(name, mime string) string {
	name = strings.ToValidUTF8(name, "")
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		name = ""
	}
	for len(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	ext := map[string]string{MIMEPDF: ".pdf", MIMEODT: ".odt", MIMEDOCX: ".docx", MIMEPNG: ".png", MIMEJPEG: ".jpg"}[mime]
	if name == "" {
		return "datei" + ext
	}
	e := strings.ToLower(filepath.Ext(name))
	if e == ext || (mime == MIMEJPEG && e == ".jpeg") {
		return name
	}
	return name + ext
}

// Check decides the type of the file f of size bytes from its content and
// checks that it can be read: a PDF that opens (an encrypted one only when
// it opens without a password), a DOCX/ODT whose zip is intact and does
// not unpack beyond the limits, an image whose header decodes within the
// pixel limit. Errors: *Rejection.
func (l Limits) Check(ctx context.Context, f *os.File, size int64) (string, error) {
	l = l.withDefaults()
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	switch sniffed := sniff(head); {
	case sniffed == MIMEPDF:
		return MIMEPDF, checkPDF(ctx, f.Name())
	case sniffed == MIMEPNG || sniffed == MIMEJPEG:
		return sniffed, l.checkImage(f)
	case sniffed == "application/zip":
		return l.checkOffice(f, size)
	default:
		return "", reject(RejectType, sniffed)
	}
}

func (l Limits) checkImage(f *os.File) error {
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return reject(RejectMalformed, err.Error())
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return reject(RejectMalformed, "no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > l.MaxPixels {
		return reject(RejectTooLarge, fmt.Sprintf("%d×%d pixels", cfg.Width, cfg.Height))
	}
	return nil
}

// checkOffice tells ODT (a first entry "mimetype" naming the type) from
// DOCX ([Content_Types].xml naming a WordprocessingML main part) and
// refuses everything else, damaged archives and zip bombs.
func (l Limits) checkOffice(f *os.File, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "", reject(RejectMalformed, err.Error())
	}
	if len(zr.File) > l.MaxEntries {
		return "", reject(RejectZipBomb, fmt.Sprintf("%d entries", len(zr.File)))
	}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > uint64(l.MaxUnpacked) {
			return "", reject(RejectZipBomb, fmt.Sprintf("more than %d bytes unpacked", l.MaxUnpacked))
		}
		if e.CompressedSize64 > 0 && e.UncompressedSize64/e.CompressedSize64 > uint64(l.MaxRatio) &&
			e.UncompressedSize64 > 1<<20 {
			return "", reject(RejectZipBomb, fmt.Sprintf("%s packed %d:1", e.Name, e.UncompressedSize64/e.CompressedSize64))
		}
	}
	if total > uint64(size)*uint64(l.MaxRatio) && total > 1<<20 {
		return "", reject(RejectZipBomb, fmt.Sprintf("packed %d:1", total/uint64(size)))
	}
	var mime string
	if len(zr.File) > 0 && zr.File[0].Name == "mimetype" {
		b, err := readEntry(zr.File[0], 200)
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(string(b)) == MIMEODT {
			mime = MIMEODT
		}
	}
	if mime == "" {
		for _, e := range zr.File {
			if e.Name != "[Content_Types].xml" {
				continue
			}
			b, err := readEntry(e, 1<<20)
			if err != nil {
				return "", err
			}
			if bytes.Contains(b, []byte("wordprocessingml.document.main+xml")) {
				mime = MIMEDOCX
			}
		}
	}
	if mime == "" {
		return "", reject(RejectType, "a zip archive that is neither ODT nor DOCX")
	}
	main := map[string]string{MIMEODT: "content.xml", MIMEDOCX: "word/document.xml"}[mime]
	for _, e := range zr.File {
		if e.Name == main {
			// Read it through once with the cap: a lying header or a
			// corrupt stream shows here.
			if _, err := readEntry(e, l.MaxUnpacked); err != nil {
				return "", err
			}
			return mime, nil
		}
	}
	return "", reject(RejectMalformed, "missing "+main)
}

// readEntry reads e, at most limit bytes. Errors: *Rejection for a
// damaged entry or one larger than limit.
func readEntry(e *zip.File, limit int64) ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, reject(RejectMalformed, err.Error())
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, reject(RejectMalformed, e.Name+": "+err.Error())
	}
	if int64(len(b)) > limit {
		return nil, reject(RejectZipBomb, e.Name+" unpacks beyond the limit")
	}
	return b, nil
}

// sniff names the type of content from its first bytes, for the types
// Plenar accepts, as net/http.DetectContentType would (documents does not
// import net/http): PDF, PNG, JPEG, and "application/zip" for ODT/DOCX.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return MIMEPDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return MIMEPNG
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return MIMEJPEG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "application/zip"
	case len(head) == 0:
		return "empty"
	}
	if utf8.Valid(head) {
		return "text"
	}
	return "application/octet-stream"
}
