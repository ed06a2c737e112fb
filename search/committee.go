package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A committee's official name is "Ausschuss für Bau und
// Stadtentwicklung"; people call it the Bauausschuss or the
// Stadtentwicklungsausschuss, and a meeting of it "Sitzung des
// Bauausschusses". committeeNames makes those words from an official
// name, for the index: an organization's and a meeting's title carry them
// (withSpokenNames), so that a query for the spoken name finds the body
// and its meetings. German joins the parts irregularly (Bau-ausschuss,
// Verkehr-s-ausschuss, Schul-ausschuss, Familie-n-ausschuss,
// Sozial-ausschuss for "Soziales"), so a subject may give more than one
// form (joints); a form nobody types matches nothing.

// withSpokenNames is title with the spoken names of the committee it
// names after it, in parentheses: the title a committee or a meeting of
// it has in the index, where a title match counts most. Pages show the
// title read from PostgreSQL (Searcher.recheck), never this one.
func withSpokenNames(title string) string {
	if names := committeeNames(title); len(names) > 0 {
		return title + " (" + strings.Join(names, ", ") + ")"
	}
	return title
}

// committeeNames returns the spoken names of the committee named in
// name, none when name has no "Ausschuss für …".
func committeeNames(name string) []string {
	lower := strings.ToLower(name)
	at := -1
	for _, lead := range []string{"ausschuss für ", "ausschusses für ", "ausschusses fuer ", "ausschuss fuer "} {
		if i := strings.Index(lower, lead); i >= 0 {
			at = i + len(lead)
			break
		}
	}
	if at < 0 {
		return nil
	}
	rest := name[at:]
	if i := strings.IndexAny(rest, "()–—:;"); i >= 0 {
		rest = rest[:i]
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == '/' || r == '&' || unicode.IsSpace(r) }) {
		if w == "und" || w == "sowie" || w == "der" || w == "die" || w == "das" || !startsUpper(w) {
			continue // a subject is a noun
		}
		w = strings.TrimRight(w, "-")
		for _, n := range joints(strings.ToLower(w)) {
			if n += "ausschuss"; !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// joints are the forms w may take before "ausschuss", as German joins
// them: with an -s after the suffixes that take one and a few nouns
// ("Stadtentwicklungs-", "Gesundheits-", "Verkehrs-"), without a final
// -es or -en ("Soziales", "Finanzen"), with and without a final -e and
// with an -n after it ("Schul-", "Jugendhilfe-", "Familien-"), else
// itself ("Bau-", "Umwelt-"). Few forms: each is a word of the
// committee's text, and more words make every word of it count less.
func joints(w string) []string {
	for _, suf := range []string{"ung", "heit", "keit", "schaft", "tät", "ion", "tum", "ling", "verkehr", "arbeit"} {
		if strings.HasSuffix(w, suf) {
			return []string{w + "s"}
		}
	}
	for _, end := range []string{"es", "en"} {
		if s, ok := strings.CutSuffix(w, end); ok && utf8.RuneCountInString(s) >= 3 {
			return []string{s, w}
		}
	}
	if s, ok := strings.CutSuffix(w, "e"); ok {
		return []string{s, w, w + "n"}
	}
	return []string{w}
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}
