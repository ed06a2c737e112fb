package documents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText makes extracted text fit for search and display: valid UTF-8,
// no NUL or other control characters (newlines and tabs become spaces or
// line breaks), words hyphenated across line breaks rejoined ("Haus-\nhalt"
// → "Haushalt", but "Straßen-\nund Wegebau" stays), runs of spaces
// collapsed, lines trimmed, at most one empty line in a row.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\f' || r == '\v' || r == '\u2028' || r == '\u2029':
			b.WriteString("\n\n")
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t' || r == '\u00a0':
			b.WriteByte(' ')
		case r == utf8.RuneError || unicode.IsControl(r) || r == '\ufeff':
			continue
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	// Rejoin hyphenation at line ends.
	for i := 0; i+1 < len(lines); i++ {
		l := lines[i]
		stem, ok := strings.CutSuffix(l, "-")
		if !ok {
			stem, ok = strings.CutSuffix(l, "\u00ad")
		}
		if !ok || stem == "" {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(stem)
		next := lines[i+1]
		first, _ := utf8.DecodeRuneInString(next)
		if !isLetter(last) || !unicode.IsLower(first) || isConjunction(next) {
			continue
		}
		word, rest, _ := strings.Cut(next, " ")
		lines[i] = stem + word
		lines[i+1] = rest
		if rest == "" {
			lines = append(lines[:i+1], lines[i+2:]...)
		}
		i-- // the joined line may end in a hyphen again
	}
	var out strings.Builder
	out.Grow(b.Len())
	blank := 0
	for _, l := range lines {
		if l == "" {
			blank++
			continue
		}
		if out.Len() > 0 {
			if blank > 0 {
				out.WriteString("\n\n")
			} else {
				out.WriteByte('\n')
			}
		}
		blank = 0
		out.WriteString(l)
	}
	return out.String()
}

// CutText returns s cut to at most max bytes, never inside a UTF-8
// character (a cut sequence is dropped whole).
func CutText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	i := max
	for i > 0 && i > max-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }

// isConjunction reports whether line starts with a word that follows a
// suspended hyphen ("Bürger- und Einwohnerfragen"), so the hyphen stays.
func isConjunction(line string) bool {
	word, _, _ := strings.Cut(line, " ")
	switch strings.TrimRight(word, ".,;:") {
	case "und", "oder", "bzw", "sowie", "als", "bis", "noch", "wie":
		return true
	}
	return false
}
