package search

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/plenar/plenar/council"
)

// Reference numbers as clerks and citizens type them. A paper's reference
// is its type's letter, a four-digit number and the year's last two
// digits (council.FormatReference: V0123/25); people leave out the
// letter or the leading zeros (0123/25, 123/25, F67/25), put a space
// after the letter (V 0123/25), write the whole year (V0123/2025) or the
// year first (2025/0123). refForms turns such a word into the references
// it stands for, so that it finds the paper by its reference field.

var (
	refNumberYear = regexp.MustCompile(`^(\pL{0,2})0*(\d{1,4})/(\d{2}|\d{4})$`)
	refYearNumber = regexp.MustCompile(`^(\pL{0,2})((?:19|20)\d{2})/0*(\d{1,4})$`)
)

// refPrefixes are the letters that start references, lower case.
var refPrefixes = func() []string {
	var out []string
	for _, t := range council.PaperTypes {
		if p := strings.ToLower(t.Prefix()); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}()

// refForms returns the references (lower case, as the reference field
// holds them) that word stands for, nil when it is no reference number.
func refForms(word string) []string {
	w := strings.ToLower(strings.ReplaceAll(word, " ", ""))
	var prefix, num, year string
	if m := refYearNumber.FindStringSubmatch(w); m != nil {
		prefix, year, num = m[1], m[2], m[3]
	} else if m := refNumberYear.FindStringSubmatch(w); m != nil {
		prefix, num, year = m[1], m[2], m[3]
	} else {
		return nil
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return nil
	}
	year = year[len(year)-2:]
	prefixes := refPrefixes
	if prefix != "" {
		prefixes = []string{prefix}
	}
	out := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, fmt.Sprintf("%s%04d/%s", p, n, year))
	}
	return out
}

// isRefPrefix reports whether s is the letter of a reference.
func isRefPrefix(s string) bool {
	for _, p := range refPrefixes {
		if strings.ToLower(s) == p {
			return true
		}
	}
	return false
}

// joinReferences returns groups with a reference letter written apart
// from its number ("V 0123/25") joined into one word.
func joinReferences(groups [][]Term) [][]Term {
	var out [][]Term
	for i := 0; i < len(groups); i++ {
		g := groups[i]
		if i+1 < len(groups) && len(g) == 1 && len(groups[i+1]) == 1 && isRefPrefix(g[0].Text) && !g[0].Phrase && !g[0].Prefix {
			next := groups[i+1][0]
			if !next.Phrase && !next.Prefix && refForms(next.Text) != nil && startsWithDigit(next.Text) {
				out = append(out, []Term{{Text: g[0].Text + next.Text}})
				i++
				continue
			}
		}
		out = append(out, g)
	}
	return out
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }
