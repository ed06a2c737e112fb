package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// Extractor gets the text out of stored files with local tools only:
// poppler's pdftotext (and pdfinfo, pdftoppm) for PDFs, Tesseract with the
// German model for images and PDFs without a text layer, and the XML in
// DOCX and ODT archives. No document leaves the machine.
type Extractor struct {
	Timeout     time.Duration // per subprocess; default 2 minutes
	Lang        string        // Tesseract language; default "deu"
	DPI         int           // rasterisation for OCR; default 300
	MaxOCRPages int           // pages OCRed per PDF; default 300
	MaxText     int           // bytes of text kept; default DefaultMaxText
	Limits      Limits        // caps for DOCX/ODT
}

// DefaultMaxText is how much text is kept of one file, in bytes: 16 MiB
// hold the text of a 4,000-page budget plan (about 4 KB a page), so no real
// council document is cut, while a hostile file (a DOCX whose 2.4 MB unpack
// to one 200 MB text run) cannot fill the database row, the search
// indexer or an API response. Every reader enforces it while it reads,
// inside a text node or a tool's output, not after the fact.
const DefaultMaxText = 16 << 20

// MissingTools returns the programs Extractor needs that are not on PATH
// (and "tesseract-ocr-deu" when Tesseract lacks the German model).
func MissingTools(ctx context.Context) []string {
	var out []string
	for _, t := range []string{"pdftotext", "pdfinfo", "pdftoppm", "tesseract"} {
		if _, err := exec.LookPath(t); err != nil {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		b, err := exec.CommandContext(ctx, "tesseract", "--list-langs").CombinedOutput()
		if err != nil || !bytes.Contains(b, []byte("\ndeu")) {
			out = append(out, "tesseract-ocr-deu")
		}
	}
	return out
}

func (x Extractor) withDefaults() Extractor {
	if x.Timeout <= 0 {
		x.Timeout = 2 * time.Minute
	}
	if x.Lang == "" {
		x.Lang = "deu"
	}
	if x.DPI <= 0 {
		x.DPI = 300
	}
	if x.MaxOCRPages <= 0 {
		x.MaxOCRPages = 300
	}
	if x.MaxText <= 0 {
		x.MaxText = DefaultMaxText
	}
	x.Limits = x.Limits.withDefaults()
	return x
}

// Result is the extracted text of one file.
type Result struct {
	Text   string // cleaned (CleanText)
	Pages  int    // pages read (1 for an image or a DOCX/ODT)
	Method string // "pdftotext", "ocr", "docx", "odt"
}

// Extract returns the text of the file at path of type mime, at most
// MaxText bytes of it (cut at a character boundary). A PDF whose
// text layer has fewer than 20 letters or digits per page is rasterised
// and OCRed instead. Errors: ErrInvalid for a type without text or a file
// the tools cannot read, ErrUnavailable when a tool is missing, the
// subprocess error (with its stderr) otherwise.
func (x Extractor) Extract(ctx context.Context, path, mime string) (Result, error) {
	x = x.withDefaults()
	res, err := x.extract(ctx, path, mime)
	// Cleaning may lengthen the text (a form feed becomes an empty line).
	res.Text = CutText(res.Text, x.MaxText)
	return res, err
}

func (x Extractor) extract(ctx context.Context, path, mime string) (Result, error) {
	switch mime {
	case MIMEPDF:
		return x.pdf(ctx, path)
	case MIMEPNG, MIMEJPEG:
		text, err := x.ocr(ctx, path)
		return Result{Text: CleanText(text), Pages: 1, Method: "ocr"}, err
	case MIMEDOCX, MIMEODT:
		text, err := x.office(path, mime)
		method := map[string]string{MIMEDOCX: "docx", MIMEODT: "odt"}[mime]
		return Result{Text: CleanText(text), Pages: 1, Method: method}, err
	}
	return Result{}, fmt.Errorf("%w: no text extraction for %s", council.ErrInvalid, mime)
}

func (x Extractor) pdf(ctx context.Context, path string) (Result, error) {
	pages, err := pdfPages(ctx, x.Timeout, path)
	if err != nil {
		return Result{}, err
	}
	out := capped{max: x.MaxText}
	if err := x.run(ctx, &out, "pdftotext", "-enc", "UTF-8", "-q", path, "-"); err != nil {
		return Result{}, err
	}
	text := CleanText(out.String())
	if meaningful(text) >= 20*max(pages, 1) {
		return Result{Text: text, Pages: pages, Method: "pdftotext"}, nil
	}
	dir, err := os.MkdirTemp("", "plenar-ocr-")
	if err != nil {
		return Result{}, fmt.Errorf("ocr temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	var b strings.Builder
	n := min(pages, x.MaxOCRPages)
	for p := 1; p <= n; p++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		prefix := filepath.Join(dir, "p")
		pg := strconv.Itoa(p)
		if err := x.run(ctx, io.Discard, "pdftoppm", "-r", strconv.Itoa(x.DPI), "-gray", "-png",
			"-f", pg, "-l", pg, "-singlefile", path, prefix); err != nil {
			return Result{}, err
		}
		t, err := x.ocr(ctx, prefix+".png")
		if err != nil {
			return Result{}, err
		}
		b.WriteString(t)
		b.WriteString("\n\n")
		if b.Len() >= x.MaxText {
			break
		}
	}
	return Result{Text: CleanText(b.String()), Pages: n, Method: "ocr"}, nil
}

// ocr runs Tesseract on one image, on one thread: its OpenMP threads
// spin while they wait for each other, and on a busy two-core machine
// (extraction runs beside the web server) a page then takes about five
// times as long (measured on a 150 dpi A4 letter: 3.2–10.5 s with the
// default threads, 0.6–2.1 s with one). OMP_THREAD_LIMIT in the
// environment overrides this.
func (x Extractor) ocr(ctx context.Context, img string) (string, error) {
	out := capped{max: x.MaxText}
	var env []string
	if _, ok := os.LookupEnv("OMP_THREAD_LIMIT"); !ok {
		env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	}
	if err := runToolEnv(ctx, x.Timeout, env, &out, "tesseract", img, "stdout", "-l", x.Lang); err != nil {
		return "", err
	}
	return out.String(), nil
}

// run runs a tool with the per-call timeout, stdout to w.
func (x Extractor) run(ctx context.Context, w io.Writer, name string, args ...string) error {
	return runTool(ctx, x.Timeout, w, name, args...)
}

// runTool runs a tool for at most timeout, stdout to w. When w is a
// *capped that fills up, the tool is stopped there and what it wrote so
// far is the result: a tool's output is capped while it is read, and a
// tool that writes without end does not run until its timeout.
func runTool(ctx context.Context, timeout time.Duration, w io.Writer, name string, args ...string) error {
	return runToolEnv(ctx, timeout, nil, w, name, args...)
}

// runToolEnv is runTool with the environment env (nil: the process's).
func runToolEnv(ctx context.Context, timeout time.Duration, env []string, w io.Writer, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop, cancelStop := context.WithCancel(ctx)
	defer cancelStop()
	c, isCapped := w.(*capped)
	if isCapped {
		c.filled = cancelStop
	}
	cmd := exec.CommandContext(stop, name, args...)
	cmd.Env = env
	cmd.Stdout = w
	stderr := capped{max: 4096}
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return nil
	case isCapped && c.full() && ctx.Err() == nil:
		return nil // stopped because its output filled the cap
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("%w: %s is not installed: %w", council.ErrUnavailable, name, err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s timed out after %s", name, timeout)
	}
	return &toolError{tool: name, err: err, stderr: strings.TrimSpace(stderr.String())}
}

type toolError struct {
	tool   string
	err    error
	stderr string
}

func (e *toolError) Error() string { return fmt.Sprintf("%s: %v: %s", e.tool, e.err, e.stderr) }
func (e *toolError) Unwrap() error { return e.err }

// pdfPages reads the page count with pdfinfo. Errors: *Rejection for an
// encrypted PDF that needs a password or one pdfinfo cannot read.
func pdfPages(ctx context.Context, timeout time.Duration, path string) (int, error) {
	out := capped{max: 64 << 10}
	err := runTool(ctx, timeout, &out, "pdfinfo", path)
	var te *toolError
	if errors.As(err, &te) {
		if strings.Contains(strings.ToLower(te.stderr), "password") {
			return 0, reject(RejectEncrypted, te.stderr)
		}
		return 0, reject(RejectMalformed, te.stderr)
	}
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n <= 0 {
				return 0, reject(RejectMalformed, "no pages")
			}
			return n, nil
		}
	}
	return 0, reject(RejectMalformed, "no page count")
}

// checkPDF refuses a PDF that pdfinfo cannot open without a password or
// cannot read at all.
func checkPDF(ctx context.Context, path string) error {
	_, err := pdfPages(ctx, time.Minute, path)
	return err
}

// meaningful counts letters and digits.
func meaningful(s string) int {
	n := 0
	for _, r := range s {
		if isLetter(r) || (r >= '0' && r <= '9') {
			n++
		}
	}
	return n
}

// capped is a buffer that keeps the first max bytes and drops the rest
// (a tool's output must not fill memory); filled, when set, is called
// once the buffer is full (runTool then stops the tool). The buffer is
// not embedded: io.Copy, which os/exec feeds a tool's output through,
// would call its ReadFrom and read everything past Write's cap.
type capped struct {
	buf    bytes.Buffer
	max    int
	filled func()
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	if c.full() && c.filled != nil {
		c.filled()
	}
	return len(p), nil
}

func (c *capped) Len() int       { return c.buf.Len() }
func (c *capped) String() string { return c.buf.String() }

func (c *capped) full() bool { return c.Len() >= c.max }

// office reads the text of a DOCX (word/document.xml) or ODT
// (content.xml), within the unpacked-size limit.
func (x Extractor) office(path, mime string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("stat %s: %w", path, err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return "", reject(RejectMalformed, err.Error())
	}
	name := map[string]string{MIMEODT: "content.xml", MIMEDOCX: "word/document.xml"}[mime]
	for _, e := range zr.File {
		if e.Name != name {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return "", reject(RejectMalformed, err.Error())
		}
		defer rc.Close()
		r := io.LimitReader(rc, x.Limits.MaxUnpacked)
		if mime == MIMEDOCX {
			d := &docxReader{textSink: textSink{max: x.MaxText}}
			err = xmlScan(r, "document.xml", d)
			return d.String(), err
		}
		o := &odtReader{textSink: textSink{max: x.MaxText}}
		err = xmlScan(r, "content.xml", o)
		return o.String(), err
	}
	return "", reject(RejectMalformed, "missing "+name)
}
