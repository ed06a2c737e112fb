package search

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
)

// Snippets are cut from the text of the page's hits only (read from
// PostgreSQL with the re-check), not from text stored in the index: the
// index stores no text, which keeps it small and its indexing fast.
const (
	snippetScan = 16 << 10 // bytes of a text searched for the first match
	// RecheckText is how many characters of each hit's text the re-check
	// reads, and all a snippet is cut from: the scan plus a snippet after
	// a match at its very end, plus one so a cut text still ends in "…"
	// (a character is at least a byte).
	RecheckText   = snippetScan + snippetSize + 1
	snippetBefore = 60 // bytes of context before the first match
)

// marker finds the words of a text that a query matched, the way the
// index matched them: a word matches when its analysis with the index
// analyser (compound parts included) yields a query term, a term with a
// query prefix, or a dictionary term the typo-tolerant query expanded to.
// A cheap test on the folded word (does it contain a query term at all?)
// keeps the analyser away from almost every word.
type marker struct {
	an       analysis.Analyzer
	terms    map[string]bool
	prefixes []string
	probes   [][]byte // terms and prefixes; a matching word contains one
	minProbe int      // length of the shortest probe
	buf      []byte
}

// newMarker returns the marker of p on bi; typos are the dictionary
// terms the typo-tolerant query expanded p's words to. It returns nil
// when p has nothing to mark.
func newMarker(bi bleve.Index, p Parsed, typos []string) *marker {
	m := bi.Mapping()
	an, qan := m.AnalyzerNamed(analyzerDE), m.AnalyzerNamed(analyzerDEQuery)
	if an == nil || qan == nil {
		return nil
	}
	mk := &marker{an: an, terms: map[string]bool{}}
	for _, g := range p.Groups {
		for _, t := range g {
			if t.Prefix {
				mk.prefixes = append(mk.prefixes, NormalizeWord(t.Text))
				continue
			}
			for _, tok := range qan.Analyze([]byte(t.Text)) {
				mk.terms[string(tok.Term)] = true
			}
		}
	}
	for _, t := range typos {
		mk.terms[t] = true
	}
	for t := range mk.terms {
		mk.probes = append(mk.probes, []byte(t))
	}
	for _, p := range mk.prefixes {
		mk.probes = append(mk.probes, []byte(p))
	}
	if len(mk.probes) == 0 {
		return nil
	}
	mk.minProbe = len(mk.probes[0])
	for _, p := range mk.probes {
		mk.minProbe = min(mk.minProbe, len(p))
	}
	return mk
}

// matches reports whether word is a match.
func (mk *marker) matches(word string) bool {
	if len(word) < mk.minProbe { // folding never makes a word longer
		return false
	}
	mk.buf = foldWord(mk.buf[:0], word)
	hit := false
	for _, p := range mk.probes {
		if bytes.Contains(mk.buf, p) {
			hit = true
			break
		}
	}
	if !hit {
		return false
	}
	for _, tok := range mk.an.Analyze([]byte(word)) {
		if mk.terms[string(tok.Term)] {
			return true
		}
		for _, p := range mk.prefixes {
			if bytes.HasPrefix(tok.Term, []byte(p)) {
				return true
			}
		}
	}
	return false
}

// snippet cuts about snippetSize bytes of text around its first match,
// with the matches in it marked; without a match (or a marker) the
// text's start.
func (mk *marker) snippet(text string) []Segment {
	if text == "" {
		return nil
	}
	start := 0
	if mk != nil {
		first := -1
		eachWord(text[:cutAt(text, snippetScan)], func(i, j int) bool {
			if mk.matches(text[i:j]) {
				first = i
				return false
			}
			return true
		})
		if first > snippetBefore {
			start = first - snippetBefore
			for start < first && text[start] != ' ' && text[start] != '\n' {
				start++
			}
			for start < first && (text[start] == ' ' || text[start] == '\n') {
				start++
			}
		}
	}
	end := cutAt(text, start+snippetSize)
	if end < len(text) {
		if sp := strings.LastIndexAny(text[start:end], " \n"); sp > snippetSize/2 {
			end = start + sp
		}
	}
	var out []Segment
	if start > 0 {
		out = append(out, Segment{Text: "… "})
	}
	at := start
	if mk != nil {
		eachWord(text[:end], func(i, j int) bool {
			if i >= start && mk.matches(text[i:j]) {
				if i > at {
					out = append(out, Segment{Text: text[at:i]})
				}
				out = append(out, Segment{Text: text[i:j], Mark: true})
				at = j
			}
			return true
		})
	}
	if at < end {
		out = append(out, Segment{Text: text[at:end]})
	}
	if end < len(text) {
		out = append(out, Segment{Text: " …"})
	}
	for i := range out {
		out[i].Text = squash(out[i].Text)
	}
	return out
}

// squash collapses runs of white space to one space.
func squash(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		if s != "" {
			return " "
		}
		return ""
	}
	out := strings.Join(f, " ")
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		out = " " + out
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		out += " "
	}
	return out
}

// cutAt returns n or less, on a rune boundary of s.
func cutAt(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return n
}

// eachWord calls fn with the byte range of each word (letters and
// digits) of s until fn returns false.
func eachWord(s string, fn func(i, j int) bool) {
	i := -1
	for k := 0; k < len(s); {
		k0 := k
		var w bool
		if c := s[k]; c < utf8.RuneSelf {
			w = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
			k++
		} else {
			r, n := utf8.DecodeRuneInString(s[k:])
			w = unicode.IsLetter(r) || unicode.IsDigit(r)
			k += n
		}
		switch {
		case w && i < 0:
			i = k0
		case !w && i >= 0:
			if !fn(i, k0) {
				return
			}
			i = -1
		}
	}
	if i >= 0 {
		fn(i, len(s))
	}
}

// foldWord appends word lower-cased and folded like bleve's German
// normalisation (ä→a, ö→o, ü→u, ß→ss, ae/oe/ue→a/o/u) to dst.
func foldWord(dst []byte, word string) []byte {
	const (
		n = iota // ordinary
		v        // stops u from starting the umlaut state
		u        // umlaut state: a following e is dropped
	)
	state := n
	for k := 0; k < len(word); {
		var r rune
		if c := word[k]; c < utf8.RuneSelf { // ASCII: no table lookups
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			r = rune(c)
			k++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(word[k:])
			r = unicode.ToLower(r)
			k += size
		}
		switch r {
		case 'a', 'o':
			state = u
		case 'u':
			if state == n {
				state = u
			} else {
				state = v
			}
		case 'e':
			if state == u {
				state = v
				continue
			}
			state = v
		case 'i', 'q', 'y':
			state = v
		case 'ä':
			r, state = 'a', v
		case 'ö':
			r, state = 'o', v
		case 'ü':
			r, state = 'u', v
		case 'ß':
			dst = append(dst, 's')
			r, state = 's', n
		default:
			state = n
		}
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
			continue
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}
