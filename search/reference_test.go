package search

import (
	"slices"
	"testing"
)

func TestRefForms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // nil: no reference; with a letter: exactly this one
	}{
		{"V0123/25", []string{"v0123/25"}},
		{"v123/25", []string{"v0123/25"}},
		{"F67/25", []string{"f0067/25"}},
		{"Ä0012/24", []string{"ä0012/24"}},
		{"V0123/2025", []string{"v0123/25"}},
		{"2025/0123", nil}, // no letter: every type's, checked below
		{"0123/25", nil},
		{"2025", nil},
		{"Kita-Gebühren", nil},
		{"1/2", nil},
	} {
		got := refForms(c.in)
		switch {
		case c.want != nil && !slices.Equal(got, c.want):
			t.Errorf("refForms(%q) = %v, want %v", c.in, got, c.want)
		case c.want == nil && (c.in == "2025/0123" || c.in == "0123/25"):
			if !slices.Contains(got, "v0123/25") || !slices.Contains(got, "a0123/25") || len(got) != len(refPrefixes) {
				t.Errorf("refForms(%q) = %v, want the number with every type's letter", c.in, got)
			}
		case c.want == nil && got != nil:
			t.Errorf("refForms(%q) = %v, want none", c.in, got)
		}
	}
	p := Parse("V 0123/25 Haushalt")
	g := joinReferences(p.Groups)
	if len(g) != 2 || g[0][0].Text != "V0123/25" {
		t.Errorf("joinReferences(V 0123/25 Haushalt) = %v", g)
	}
	if g := joinReferences(Parse("A Kita").Groups); len(g) != 2 {
		t.Errorf("joinReferences(A Kita) = %v: joined what is no reference", g)
	}
}
