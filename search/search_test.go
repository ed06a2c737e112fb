package search_test

import (
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// TestGerman checks the compound, umlaut and typo examples of issue 5.
func TestGerman(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	tram := e.paper(t, council.Paper{Name: "Barrierefreie Straßenbahnhaltestellen in der Innenstadt", Public: true,
		Text: "Die Verwaltung wird beauftragt, alle Haltepunkte an der Hauptstraße umzubauen."}, bau)
	bike := e.paper(t, council.Paper{Name: "Radwegsanierung Uferweg", Public: true}, bau)
	school := e.paper(t, council.Paper{Name: "Schulsanierungsprogramm 2026 bis 2030", Public: true}, bau)
	other := e.paper(t, council.Paper{Name: "Stellenplan der Verwaltung", Public: true,
		Text: "Neue Stellen im Jugendamt und eine Jugendeinrichtung."}, bau)
	mueller, err := e.s.SavePerson(e.ctx, council.Person{BodyID: e.body.ID, GivenName: "Anna", FamilyName: "Müller"})
	if err != nil {
		t.Fatal(err)
	}
	e.build(t)

	for _, tc := range []struct {
		q    string
		want council.ID
	}{
		{"Haltestelle", tram.ID},
		{"haltestellen", tram.ID},
		{"Radweg", bike.ID},
		{"Sanierung", school.ID},
		{"Sanierung", bike.ID},
		{"Strasse", tram.ID},      // Hauptstraße
		{"Strassenbahn", tram.ID}, // ß folded
		{"Mueller", mueller.ID},
		{"müller", mueller.ID},
		{"Haltestele", tram.ID},               // typo
		{"Schulsanierungsprogram", school.ID}, // typo in a long word
		{"Stra*", tram.ID},                    // prefix
		{`"barrierefreie Straßenbahnhaltestellen"`, tram.ID},
		{"Radweg OR Haltestelle", tram.ID},
		{"Radweg OR Haltestelle", bike.ID},
		{"innenstadt -radweg", tram.ID},
	} {
		if !e.finds(t, council.Public, tc.q, tc.want) {
			_, res := e.ids(t, council.Public, search.Request{Query: tc.q})
			t.Errorf("Search(%q) misses %s; got %d hits: %+v", tc.q, tc.want, res.Total, res.Hits)
		}
	}
	for _, tc := range []struct {
		q     string
		wrong council.ID
	}{
		{"Ende", other.ID},           // not a part of Jugendeinrichtung
		{"Radweg -Uferweg", bike.ID}, // excluded
		{`"Haltestelle Innenstadt"`, tram.ID},
	} {
		if e.finds(t, council.Public, tc.q, tc.wrong) {
			t.Errorf("Search(%q) finds %s, want not", tc.q, tc.wrong)
		}
	}

	// Highlights mark the whole compound and escape nothing away.
	_, res := e.ids(t, council.Public, search.Request{Query: "Haltepunkte"})
	if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].SnippetHTML(), "<mark>Haltepunkte</mark>") {
		t.Errorf("snippet of Haltepunkte: %+v", res.Hits)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in        string
		groups    int
		excluded  int
		truncated bool
	}{
		{"", 0, 0, false},
		{"Radweg Sanierung", 2, 0, false},
		{`"offene Frage`, 1, 0, false},
		{"a OR b OR c", 1, 0, false},
		{"OR OR -", 0, 0, false},
		{"-radweg", 0, 1, false},
		{"*", 0, 0, false},
		{strings.Repeat("wort ", 100), search.MaxTerms, 0, true},
		{"\x00\x01 test \u202e", 1, 0, false},
	} {
		p := search.Parse(tc.in)
		if len(p.Groups) != tc.groups || len(p.Excluded) != tc.excluded || p.Truncated != tc.truncated {
			t.Errorf("Parse(%q) = %+v; want %d groups, %d excluded, truncated %v", tc.in, p, tc.groups, tc.excluded, tc.truncated)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "Radweg", `"Haltestelle Markt"`, "-a OR b*", `""""`, "OR", "a OR", "ÄÖÜß*",
		"\xff\xfe", strings.Repeat("x", 600), "A0123/26", "-\"x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := search.Parse(s)
		n := len(p.Excluded)
		for _, g := range p.Groups {
			if len(g) == 0 {
				t.Fatalf("Parse(%q): empty group", s)
			}
			n += len(g)
		}
		if n > search.MaxTerms {
			t.Fatalf("Parse(%q): %d terms > %d", s, n, search.MaxTerms)
		}
		for _, w := range p.Words() {
			if w == "" || strings.ContainsAny(w, "\x00\"") {
				t.Fatalf("Parse(%q): bad term %q", s, w)
			}
		}
	})
}

// TestLongTextSnippet: the re-check reads only the start of a long text
// (PostgreSQL cuts it), and the snippet is the same as from the whole
// text: the marked match near the start, and "…" because the text goes on.
// A word only found far beyond the cut still finds the paper (the index has
// all of it); its snippet is the text's start.
func TestLongTextSnippet(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	filler := strings.Repeat("Die Verwaltung berichtet über den Stand der Dinge. ", 2000) // ~100 KB
	p := e.paper(t, council.Paper{Name: "Bericht", Public: true,
		Text: "Einleitung zum Radweg am Fluss. " + filler + "Schlusswort Zaunkönigwiese."}, bau)
	e.build(t)
	_, res := e.ids(t, council.Public, search.Request{Query: "Radweg"})
	if len(res.Hits) != 1 || res.Hits[0].ID != p.ID {
		t.Fatalf("Radweg: %+v", res.Hits)
	}
	html := res.Hits[0].SnippetHTML()
	if !strings.Contains(html, "<mark>Radweg</mark>") || !strings.HasSuffix(strings.TrimSpace(html), "…") || len(html) > 1000 {
		t.Errorf("snippet %q: want the marked word, a trailing … and a short snippet", html)
	}
	_, res = e.ids(t, council.Public, search.Request{Query: "Zaunkönigwiese"})
	if len(res.Hits) != 1 || res.Hits[0].ID != p.ID || !strings.HasPrefix(res.Hits[0].SnippetHTML(), "Einleitung") {
		t.Errorf("word at the end of 100 KB: %+v", res.Hits)
	}
	// A match past the first slice the re-check reads (2,048 characters)
	// but within the scanned 16 KB: the re-check reads more of that text
	// and the snippet shows the match, while the other hit's snippet
	// comes from the first read.
	mid := e.paper(t, council.Paper{Name: "Zwischenbericht", Public: true,
		Text: strings.Repeat("Die Verwaltung berichtet über den Stand der Dinge. ", 120) + "Hier geht es um die Eisvogelbrücke. " + filler}, bau)
	early := e.paper(t, council.Paper{Name: "Kurzbericht", Public: true, Text: "Die Eisvogelbrücke ist fertig. " + filler}, bau)
	e.build(t)
	_, res = e.ids(t, council.Public, search.Request{Query: "Eisvogelbrücke"})
	snippets := map[council.ID]string{}
	for _, h := range res.Hits {
		snippets[h.ID] = h.SnippetHTML()
	}
	if s := snippets[mid.ID]; !strings.Contains(s, "die <mark>Eisvogelbrücke</mark>") || !strings.HasPrefix(s, "…") {
		t.Errorf("match after 6 KB: snippet %q, want the marked word in context", s)
	}
	if s := snippets[early.ID]; !strings.HasPrefix(s, "Die <mark>Eisvogelbrücke</mark>") {
		t.Errorf("match at the start: snippet %q", s)
	}
}
