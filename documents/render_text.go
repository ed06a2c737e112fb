package documents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text preparation for generated PDFs. maroto lays a row out on one page
// and never splits it, and it breaks lines only at spaces; so every text is
// cleaned, cut at its line breaks, and cut again into chunks that are short
// enough to fit on a page even in the widest glyphs, each chunk one row.

const (
	// maxChunkRunes bounds one row's text. At 10 pt DejaVu Sans the widest
	// glyphs are about 3.5 mm, so 600 of them fill at most 15 lines of the
	// 140 mm item column (about 75 mm with line spacing), less than a third
	// of a page; typical text fills 5 to 7 lines.
	maxChunkRunes = 600
	// maxWordRunes bounds one word: maroto does not break inside a word,
	// so longer ones (URLs, pasted garbage) are cut to fit a narrow column.
	maxWordRunes = 30
)

// clean returns s as valid UTF-8 without control characters: invalid
// bytes become U+FFFD, CR LF and CR become LF, tabs become spaces, other
// control and format characters (NUL, ESC, zero-width, BOM) are dropped.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r', r == '\t', r == '\u00a0', r == '\u2028', r == '\u2029':
			if r == '\u2028' || r == '\u2029' || r == '\r' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// oneLine returns s cleaned, with all whitespace runs (line breaks
// included) collapsed to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// chunks cleans s and returns its lines (blank lines dropped), each cut
// into pieces of at most max runes: whole sentences where they fit, so a
// row ends where a sentence ends; a longer sentence is cut between words,
// and words longer than maxWordRunes are cut into pieces.
func chunks(s string, max int) []string {
	var out []string
	for _, ln := range strings.Split(clean(s), "\n") {
		var cur strings.Builder
		n := 0
		flush := func() {
			if n > 0 {
				out = append(out, cur.String())
				cur.Reset()
				n = 0
			}
		}
		for _, sent := range sentences(splitLong(strings.Fields(ln))) {
			sn := utf8.RuneCountInString(sent)
			if n > 0 && n+1+sn > max {
				flush()
			}
			if sn <= max {
				if n > 0 {
					cur.WriteByte(' ')
					n++
				}
				cur.WriteString(sent)
				n += sn
				continue
			}
			for _, w := range strings.Fields(sent) {
				wn := utf8.RuneCountInString(w)
				if n > 0 && n+1+wn > max {
					flush()
				}
				if n > 0 {
					cur.WriteByte(' ')
					n++
				}
				cur.WriteString(w)
				n += wn
			}
		}
		flush()
	}
	return out
}

// sentences joins words into sentences: a word ending in '.', '!', '?',
// ':' or ';' ends one.
func sentences(words []string) []string {
	var out []string
	start := 0
	for i, w := range words {
		if strings.ContainsAny(w[len(w)-1:], ".!?:;") || i == len(words)-1 {
			out = append(out, strings.Join(words[start:i+1], " "))
			start = i + 1
		}
	}
	return out
}

// splitLong cuts words longer than maxWordRunes into pieces.
func splitLong(words []string) []string {
	var out []string
	for _, w := range words {
		for utf8.RuneCountInString(w) > maxWordRunes {
			i := 0
			for n := 0; n < maxWordRunes; n++ {
				_, size := utf8.DecodeRuneInString(w[i:])
				i += size
			}
			out = append(out, w[:i])
			w = w[i:]
		}
		out = append(out, w)
	}
	return out
}
