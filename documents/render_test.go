package documents

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Doğan\x00 Łukasz\x1b", "Doğan Łukasz"},
		{"a\xffb", "a\uFFFDb"},
		{"eins\r\nzwei\rdrei\tvier", "eins\nzwei\ndrei vier"},
		{"zero\u200bwidth\ufeff", "zerowidth"},
		{"  „Anführungszeichen“ 5 €  ", "„Anführungszeichen“ 5 €"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChunks(t *testing.T) {
	long := strings.Repeat("Ein Satz mit einigen Wörtern. ", 100)
	got := chunks(long+"\n\n"+strings.Repeat("y", 100)+"\nEnde", 200)
	var total strings.Builder
	for i, c := range got {
		if n := utf8.RuneCountInString(c); n > 200 {
			t.Errorf("chunk %d has %d runes, want ≤ 200", i, n)
		}
		for _, w := range strings.Fields(c) {
			if utf8.RuneCountInString(w) > maxWordRunes {
				t.Errorf("chunk %d has a word of %d runes", i, utf8.RuneCountInString(w))
			}
		}
		total.WriteString(c + " ")
	}
	if !strings.HasSuffix(got[0], "Wörtern.") {
		t.Errorf("first chunk %q does not end at a sentence", got[0])
	}
	if got[len(got)-1] != "Ende" {
		t.Errorf("last chunk = %q, want Ende", got[len(got)-1])
	}
	if w, g := strings.Count(long, "Satz"), strings.Count(total.String(), "Satz"); w != g {
		t.Errorf("chunks keep %d of %d sentences", g, w)
	}
	if n := strings.Count(strings.ReplaceAll(total.String(), " ", ""), "y"); n != 100 {
		t.Errorf("chunks keep %d of 100 y", n)
	}
	if got := chunks(" \n\x00\n ", 10); len(got) != 0 {
		t.Errorf("chunks(blank) = %q, want none", got)
	}
}
