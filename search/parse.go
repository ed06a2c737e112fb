package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the work one query may cause.
const (
	MaxQueryLen = 500 // bytes of query text considered; the rest is ignored
	MaxTerms    = 12  // words and phrases; further ones are ignored
	maxPhrase   = 12  // words within one phrase
)

// Parsed is a query in Plenar's search syntax: every group must match
// (AND), a group matches when one of its terms does (OR), and no excluded
// term may match. The zero Parsed matches everything.
type Parsed struct {
	Groups    [][]Term
	Excluded  []Term
	Truncated bool // the query was longer than the limits allow
}

// Term is a word, a "phrase" or a prefix*.
type Term struct {
	Text   string
	Phrase bool
	Prefix bool
}

// Empty reports whether p has no positive terms.
func (p Parsed) Empty() bool { return len(p.Groups) == 0 }

// Words returns the texts of the positive terms, for highlighting and
// feed titles.
func (p Parsed) Words() []string {
	var out []string
	for _, g := range p.Groups {
		for _, t := range g {
			out = append(out, t.Text)
		}
	}
	return out
}

// Parse reads a query in Plenar's syntax: words, "phrases", -excluded
// words or phrases, OR between alternatives, and prefix* (at least three
// letters before the star). It never fails: unbalanced quotes close at
// the end, lone operators and punctuation are ignored, control characters
// count as spaces, and input beyond MaxQueryLen or MaxTerms is dropped
// (Truncated).
func Parse(s string) Parsed {
	var p Parsed
	if len(s) > MaxQueryLen {
		s = s[:MaxQueryLen]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		p.Truncated = true
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			return ' '
		}
		if r == '“' || r == '”' || r == '„' {
			return '"'
		}
		return r
	}, strings.ToValidUTF8(s, " "))

	terms := 0
	orNext := false
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		neg := false
		if s[0] == '-' || s[0] == '!' {
			neg, s = true, s[1:]
		}
		var t Term
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			var body string
			if end < 0 {
				body, s = s[1:], ""
			} else {
				body, s = s[1:1+end], s[2+end:]
			}
			words := strings.FieldsFunc(body, notWordRune)
			if len(words) > maxPhrase {
				words, p.Truncated = words[:maxPhrase], true
			}
			t = Term{Text: strings.Join(words, " "), Phrase: len(words) > 1}
		} else {
			end := strings.IndexAny(s, ` "`)
			if end < 0 {
				end = len(s)
			}
			raw := s[:end]
			s = s[end:]
			if raw == "OR" && !neg {
				orNext = len(p.Groups) > 0
				continue
			}
			t = word(raw)
		}
		if t.Text == "" {
			continue
		}
		if terms == MaxTerms {
			p.Truncated = true
			break
		}
		terms++
		switch {
		case neg:
			p.Excluded = append(p.Excluded, t)
		case orNext:
			last := len(p.Groups) - 1
			p.Groups[last] = append(p.Groups[last], t)
		default:
			p.Groups = append(p.Groups, []Term{t})
		}
		orNext = false
	}
	return p
}

// word turns one whitespace-separated token into a term: a trailing star
// makes a prefix (when at least three letters precede it); punctuation at
// the edges is dropped; inner punctuation (A0123/26, Straßen-Bahn) stays.
func word(raw string) Term {
	prefix := strings.HasSuffix(raw, "*")
	raw = strings.TrimFunc(raw, notWordRune)
	if raw == "" {
		return Term{}
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r == '*' || r == '?' }) {
		raw = strings.Join(strings.FieldsFunc(raw, func(r rune) bool { return r == '*' || r == '?' }), " ")
		return Term{Text: raw, Phrase: strings.Contains(raw, " ")}
	}
	if prefix && utf8.RuneCountInString(raw) >= 3 && !strings.ContainsFunc(raw, notWordRune) {
		return Term{Text: raw, Prefix: true}
	}
	return Term{Text: raw}
}

// notWordRune reports whether r cannot be part of a word.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
