package feeds

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/ical"
)

func TestFeedICSFoldAndEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"Zeile 1\r\nZeile 2\nZeile 3", `Zeile 1\nZeile 2\nZeile 3`},
		{"tab\there\x00\x07", "tab here"},
	} {
		if got := ical.Escape(c.in); got != c.want {
			t.Errorf("ical.Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := "SUMMARY:" + strings.Repeat("Ä", 100) // 2 octets each
	folded := ical.Fold(long)
	for i, l := range strings.Split(folded, "\r\n") {
		if len(l) > 75 {
			t.Errorf("fold line %d: %d octets", i, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("fold line %d splits a rune: %q", i, l)
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Errorf("fold line %d does not start with a space", i)
		}
	}
	if got := strings.ReplaceAll(folded, "\r\n ", ""); got != long {
		t.Errorf("unfolded %q, want %q", got, long)
	}
	if short := "UID:x@y"; ical.Fold(short) != short {
		t.Errorf("short line folded: %q", ical.Fold(short))
	}
}

func TestOpenDataCSVSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+49 391", "'+49 391"}, {"-5", "'-5"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"Haushalt", "Haushalt"}, {"", ""}, {"a=b", "a=b"},
	} {
		if got := csvSafe(c.in); got != c.want {
			t.Errorf("csvSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOpenDataLicense(t *testing.T) {
	for _, c := range []struct{ in, dcat string }{
		{"", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"},
		{"https://creativecommons.org/licenses/by/4.0/", "http://dcat-ap.de/def/licenses/cc-by/4.0"},
		{"http://dcat-ap.de/def/licenses/dl-zero-de/2.0", "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"},
		{"https://example.org/lizenz", "https://example.org/lizenz"},
		{"Alle Rechte vorbehalten", ""},
	} {
		if got := licenseOf(council.Body{License: c.in}); got.DCAT != c.dcat {
			t.Errorf("licenseOf(%q).DCAT = %q, want %q", c.in, got.DCAT, c.dcat)
		}
	}
}
