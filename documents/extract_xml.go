package documents

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// The DOCX and ODT readers stream their XML part instead of using
// encoding/xml: its Decoder returns a text node as one token, so a single
// <w:t> run of 200 MB (it packs to 2.4 MB) sits in memory whole before any
// cap can look at it. xmlScan hands text over in chunks of at most
// xmlChunk bytes and stops reading as soon as the reader's cap is reached,
// so memory stays at a few chunks plus the kept text whatever the input.

const (
	xmlChunk  = 32 << 10 // bytes of character data handed over at once
	xmlMaxTag = 1 << 20  // bytes of one tag (name and attributes); longer is malformed
)

// xmlHandler receives what xmlScan reads, in document order.
type xmlHandler interface {
	// start is a start tag (also for an empty element): the local name
	// (without prefix) and the tag's raw bytes, for attributes.
	start(name string, tag []byte)
	// end is an end tag (also after start for an empty element).
	end(name string)
	// text is decoded character data; one text node may come in several
	// calls, cut anywhere (even inside a UTF-8 sequence).
	text(b []byte)
	// full reports that no more text is wanted: xmlScan stops.
	full() bool
}

// xmlScan reads the XML document r and reports it to h. It understands
// what office documents contain (tags, character and entity references,
// CDATA, comments, processing instructions, a DOCTYPE without internal
// entities) and checks only what it needs; errors are *Rejection
// (RejectMalformed) naming part.
func xmlScan(r io.Reader, part string, h xmlHandler) error {
	s := xmlScanner{r: bufio.NewReaderSize(r, xmlChunk), h: h}
	if err := s.run(); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return reject(RejectMalformed, part+": "+err.Error())
	}
	return nil
}

type xmlScanner struct {
	r    *bufio.Reader
	h    xmlHandler
	text []byte // pending character data
	tag  []byte
}

func (s *xmlScanner) flush() {
	if len(s.text) > 0 {
		s.h.text(s.text)
		s.text = s.text[:0]
	}
}

func (s *xmlScanner) run() error {
	for !s.h.full() {
		c, err := s.r.ReadByte()
		if errors.Is(err, io.EOF) {
			s.flush()
			return nil
		}
		if err != nil {
			return err
		}
		switch c {
		case '<':
			s.flush()
			if err := s.markup(); err != nil {
				return err
			}
		case '&':
			if err := s.entity(); err != nil {
				return err
			}
		default:
			// Take the run of plain text that is already buffered.
			s.text = append(s.text, c)
			b, _ := s.r.Peek(s.r.Buffered())
			n := bytes.IndexAny(b, "<&")
			if n < 0 {
				n = len(b)
			}
			n = min(n, max(xmlChunk-len(s.text), 0))
			s.text = append(s.text, b[:n]...)
			if _, err := s.r.Discard(n); err != nil {
				return err
			}
		}
		if len(s.text) >= xmlChunk {
			s.flush()
		}
	}
	return nil
}

// entity decodes a reference after '&' into the pending text.
func (s *xmlScanner) entity() error {
	var ref []byte
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		if c == ';' {
			break
		}
		if len(ref) >= 10 {
			return fmt.Errorf("entity reference &%s… too long", ref)
		}
		ref = append(ref, c)
	}
	switch string(ref) {
	case "amp":
		s.text = append(s.text, '&')
	case "lt":
		s.text = append(s.text, '<')
	case "gt":
		s.text = append(s.text, '>')
	case "quot":
		s.text = append(s.text, '"')
	case "apos":
		s.text = append(s.text, '\'')
	default:
		num, ok := bytes.CutPrefix(ref, []byte("#"))
		if !ok {
			return fmt.Errorf("unknown entity &%s;", ref)
		}
		base := 10
		if hex, ok := bytes.CutPrefix(num, []byte("x")); ok {
			num, base = hex, 16
		}
		n, err := strconv.ParseUint(string(num), base, 32)
		if err != nil || !utf8.ValidRune(rune(n)) {
			return fmt.Errorf("bad character reference &%s;", ref)
		}
		s.text = utf8.AppendRune(s.text, rune(n))
	}
	return nil
}

// markup reads what follows '<'.
func (s *xmlScanner) markup() error {
	c, err := s.r.ReadByte()
	if err != nil {
		return err
	}
	switch c {
	case '?':
		return s.skipTo("?>")
	case '!':
		return s.bang()
	case '/':
		if err := s.readTag(); err != nil {
			return err
		}
		s.h.end(localName(s.tag))
		return nil
	}
	if err := s.r.UnreadByte(); err != nil {
		return err
	}
	if err := s.readTag(); err != nil {
		return err
	}
	empty := bytes.HasSuffix(s.tag, []byte("/"))
	name := localName(s.tag)
	s.h.start(name, s.tag)
	if empty {
		s.h.end(name)
	}
	return nil
}

// bang reads a comment, a CDATA section or a DOCTYPE after "<!".
func (s *xmlScanner) bang() error {
	head, err := s.r.Peek(2)
	if err != nil {
		return err
	}
	if string(head) == "--" {
		return s.skipTo("-->")
	}
	if head, _ := s.r.Peek(7); string(head) == "[CDATA[" {
		if _, err := s.r.Discard(7); err != nil {
			return err
		}
		return s.cdata()
	}
	// A DOCTYPE: skip to its '>', past an internal subset in brackets.
	depth := 0
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return nil
		}
	}
}

// cdata passes a CDATA section's content on as text, chunk by chunk.
func (s *xmlScanner) cdata() error {
	for !s.h.full() {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		if c == ']' {
			if next, _ := s.r.Peek(2); string(next) == "]>" {
				_, err := s.r.Discard(2)
				return err
			}
		}
		s.text = append(s.text, c)
		if len(s.text) >= xmlChunk {
			s.flush()
		}
	}
	return nil
}

// skipTo reads past the next occurrence of end.
func (s *xmlScanner) skipTo(end string) error {
	matched := 0
	for matched < len(end) {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

// readTag reads a tag up to its '>' (quotes respected) into s.tag,
// without the '>'.
func (s *xmlScanner) readTag() error {
	s.tag = s.tag[:0]
	var quote byte
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return nil
		}
		if len(s.tag) >= xmlMaxTag {
			return fmt.Errorf("tag longer than %d bytes", xmlMaxTag)
		}
		s.tag = append(s.tag, c)
	}
}

// localName is the tag's element name without its namespace prefix.
func localName(tag []byte) string {
	end := bytes.IndexAny(tag, " \t\r\n/")
	if end < 0 {
		end = len(tag)
	}
	name := tag[:end]
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name)
}

// attr returns the value of the attribute with local name local in tag
// (entity references are not decoded: the attributes read are numbers).
func attr(tag []byte, local string) (string, bool) {
	for rest := tag; ; {
		eq := bytes.IndexByte(rest, '=')
		if eq < 0 {
			return "", false
		}
		name := bytes.TrimSpace(rest[:eq])
		if i := bytes.LastIndexAny(name, " \t\r\n"); i >= 0 {
			name = name[i+1:]
		}
		if i := bytes.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		val := bytes.TrimLeft(rest[eq+1:], " \t\r\n")
		if len(val) == 0 || (val[0] != '"' && val[0] != '\'') {
			return "", false
		}
		end := bytes.IndexByte(val[1:], val[0])
		if end < 0 {
			return "", false
		}
		if string(name) == local {
			return string(val[1 : 1+end]), true
		}
		rest = val[2+end:]
	}
}

// textSink keeps at most max bytes of text; what does not fit is dropped
// and ends the scan (xmlHandler.full).
type textSink struct {
	b   []byte
	max int
}

func (t *textSink) write(p []byte) {
	if room := t.max - len(t.b); room > 0 {
		t.b = append(t.b, p[:min(room, len(p))]...)
	}
}

func (t *textSink) writeString(p string) { t.write([]byte(p)) }

func (t *textSink) full() bool { return len(t.b) >= t.max }

// String is the kept text; a character cut at the end is dropped by
// CleanText.
func (t *textSink) String() string { return string(t.b) }

// docxReader collects w:t runs; w:tab, w:br, w:cr and paragraph ends
// become whitespace.
type docxReader struct {
	textSink
	inText bool
}

func (d *docxReader) start(name string, _ []byte) {
	switch name {
	case "t":
		d.inText = true
	case "tab":
		d.writeString("\t")
	case "br", "cr":
		d.writeString("\n")
	}
}

func (d *docxReader) end(name string) {
	switch name {
	case "t":
		d.inText = false
	case "p":
		d.writeString("\n")
	}
}

func (d *docxReader) text(b []byte) {
	if d.inText {
		d.write(b)
	}
}

// odtReader collects the character data inside text:p and text:h;
// text:s, text:tab and text:line-break become whitespace.
type odtReader struct {
	textSink
	depth int
}

func (o *odtReader) start(name string, tag []byte) {
	switch name {
	case "p", "h":
		o.depth++
	case "s":
		n := 1
		if v, ok := attr(tag, "c"); ok {
			if c, err := strconv.Atoi(v); err == nil && c > 0 && c < 100 {
				n = c
			}
		}
		o.write(bytes.Repeat([]byte(" "), n))
	case "tab":
		o.writeString("\t")
	case "line-break":
		o.writeString("\n")
	}
}

func (o *odtReader) end(name string) {
	if name == "p" || name == "h" {
		o.depth--
		o.writeString("\n")
	}
}

func (o *odtReader) text(b []byte) {
	if o.depth > 0 {
		o.write(b)
	}
}
