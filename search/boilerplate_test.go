package search

import (
	"strings"
	"testing"
)

// TestOnceEach: running headers and footers of extracted pages count
// once, whatever their page numbers; text lines and short lines stay.
func TestOnceEach(t *testing.T) {
	var in strings.Builder
	for i := 1; i <= 3; i++ {
		in.WriteString("Haushalt 2025 – Stadt Musterstadt\n")
		in.WriteString("Die Turnhalle wird saniert.\n")
		in.WriteString("Ja\n")
		in.WriteString("Seite " + string(rune('0'+i)) + " von 3\n")
	}
	got := onceEach(in.String())
	want := "Haushalt 2025 – Stadt Musterstadt\nDie Turnhalle wird saniert.\nJa\nSeite 1 von 3\nJa\nJa\n"
	if got != want {
		t.Errorf("onceEach:\n%q\nwant\n%q", got, want)
	}
	if s := "eine Zeile ohne Umbruch"; onceEach(s) != s {
		t.Errorf("onceEach changed a single line")
	}
}
