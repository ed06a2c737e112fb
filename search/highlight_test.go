package search

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSnippet cuts snippets the way the index matched: compound parts,
// umlaut-free spellings and prefixes are marked as whole words, a far
// match gets context on both sides, and a text without a match shows its
// start.
func TestSnippet(t *testing.T) {
	ws := NewWords()
	for _, w := range []string{"straße", "bahn", "haltestelle", "rad", "weg", "sanierung"} {
		ws.Add(w)
	}
	_, bi, err := newGeneration(filepath.Join(t.TempDir(), "ix"), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	long := strings.Repeat("Der Rat tagt heute. ", 40) + "Neue Straßenbahnhaltestellen und der Müllerweg. " +
		strings.Repeat("Weitere Punkte folgen. ", 40)
	for _, tc := range []struct {
		q, text, want string
	}{
		{"Haltestelle", long, "… tagt heute. Der Rat tagt heute. Der Rat tagt heute. Neue <mark>Straßenbahnhaltestellen</mark> und der"},
		{"Muellerweg", long, "<mark>Müllerweg</mark>. Weitere"},
		{"halte*", long, "<mark>Straßenbahnhaltestellen</mark>"},
		{"Radweg", "Kein Treffer hier, nur Text.", "Kein Treffer hier, nur Text."},
		{"", "Anfang des Textes. " + strings.Repeat("x ", 200), "Anfang des Textes. x x"},
	} {
		seg := newMarker(bi, Parse(tc.q), nil).snippet(tc.text)
		got := Hit{Snippet: seg}.SnippetHTML()
		if !strings.Contains(got, tc.want) {
			t.Errorf("snippet of %q: %q; want it to contain %q", tc.q, got, tc.want)
		}
		if len(Hit{Snippet: seg}.SnippetText()) > snippetSize+8 {
			t.Errorf("snippet of %q: %d bytes", tc.q, len(got))
		}
	}
}

// TestFoldWordMatchesIndexNormalisation checks that the highlighter folds
// words exactly as the index's German normalisation does (the fast ASCII
// path included), so that a marked word is a word the index matched.
func TestFoldWordMatchesIndexNormalisation(t *testing.T) {
	words := []string{"Haltestelle", "STRASSENBAHN", "Straße", "Müller", "Mueller", "MÜLLER", "Quelle", "Queue",
		"Aue", "Baeume", "Bäume", "Österreich", "Oesterreich", "Goethe", "ÄÖÜß", "aeoeue", "Feuer", "Treue",
		"Zoo", "Koeln", "Köln", "ÉCOLE", "Ærø", "İstanbul", "abc123", "X", "", "ẞ", "naïve"}
	for _, w := range words {
		if got, want := string(foldWord(nil, w)), NormalizeWord(w); got != want {
			t.Errorf("foldWord(%q) = %q, index normalisation %q", w, got, want)
		}
	}
}
