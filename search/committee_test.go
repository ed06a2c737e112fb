package search

import (
	"slices"
	"testing"
)

// TestCommitteeNames: the spoken names of committees, from real official
// names; a name without "Ausschuss für" has none.
func TestCommitteeNames(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string
	}{
		{"Ausschuss für Bau und Stadtentwicklung", []string{"bauausschuss", "stadtentwicklungsausschuss"}},
		{"Ausschuss für Umwelt und Verkehr", []string{"umweltausschuss", "verkehrsausschuss"}},
		{"4. Sitzung des Ausschusses für Schule, Sport und Kultur", []string{"schulausschuss", "sportausschuss", "kulturausschuss"}},
		{"Ausschuss für Soziales, Gesundheit und Familie (SGA)", []string{"sozialausschuss", "gesundheitsausschuss", "familienausschuss"}},
		{"Ausschuss für Finanzen", []string{"finanzausschuss"}},
		{"Ausschuss für Stadtentwicklung, Bau- und Wohnungswesen", []string{"stadtentwicklungsausschuss", "bauausschuss", "wohnungswesenausschuss"}},
	} {
		got := committeeNames(c.name)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("committeeNames(%q) = %v, lacks %q", c.name, got, w)
			}
		}
	}
	for _, name := range []string{"Finanzausschuss", "Stadtrat", "Ortschaftsrat Kirchberg", "Jugendhilfeausschuss", "Sitzung des Ausschusses"} {
		if got := committeeNames(name); len(got) != 0 {
			t.Errorf("committeeNames(%q) = %v, want none", name, got)
		}
	}
}
