package search_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// TestCompoundsAnywhere checks issue 15's compound cases on council
// titles: a word that is a part of a compound anywhere (head, modifier,
// inner part), a query that is a compound of parts, and a compound typed
// without its hyphen find the document; the exact title ranks first.
func TestCompoundsAnywhere(t *testing.T) {
	e := newEnv(t)
	jhA := e.org(t, "Jugendhilfeausschuss")
	kita := e.paper(t, council.Paper{Name: "Bedarfsplanung der Kindertageseinrichtungen 2026/27", Public: true}, jhA)
	tages := e.paper(t, council.Paper{Name: "Tageseinrichtungen für Senioren", Public: true}, jhA)
	bus := e.paper(t, council.Paper{Name: "Barrierefreier Umbau der Bushaltestelle Marktplatz", Public: true}, jhA)
	isek := e.paper(t, council.Paper{Name: "Integriertes Stadtentwicklungskonzept Innenstadt (ISEK)", Public: true}, jhA)
	schutz := e.paper(t, council.Paper{Name: "Kinderschutzkonzept für die städtischen Kindertagesstätten", Public: true}, jhA)
	sich := e.paper(t, council.Paper{Name: "Verkehrssicherungsmaßnahmen an Straßenbäumen im Stadtpark", Public: true}, jhA)
	pol := e.paper(t, council.Paper{Name: "Erlass einer Stadtpolizeiverordnung über die öffentliche Sicherheit", Public: true}, jhA)
	aufw := e.paper(t, council.Paper{Name: "Änderung der Aufwandsentschädigungssatzung für Ratsmitglieder", Public: true}, jhA)
	gebuehr := e.paper(t, council.Paper{Name: "Neufassung der Kita-Gebühren ab 1. August", Public: true}, jhA)
	bad := e.paper(t, council.Paper{Name: "Hallenbadsanierung: Vergabe der Planungsleistungen", Public: true}, jhA)
	e.paper(t, council.Paper{Name: "Jugendeinrichtung am Ende der Lindenstraße", Public: true}, jhA)
	e.build(t)

	for _, tc := range []struct {
		q    string
		want council.ID
	}{
		{"Tageseinrichtungen", kita.ID},
		{"Tageseinrichtung", kita.ID},
		{"Bus", bus.ID},
		{"Entwicklungskonzept", isek.ID},
		{"Stadtentwicklung", isek.ID},
		{"Schutzkonzept", schutz.ID},
		{"Sicherungsmaßnahmen", sich.ID},
		{"Polizeiverordnung", pol.ID},
		{"Aufwandsentschädigung", aufw.ID},
		{"kitagebühren", gebuehr.ID},
		{"Kitagebühren", gebuehr.ID},
		{"Bad", bad.ID},
	} {
		ids, res := e.ids(t, council.Public, search.Request{Query: tc.q})
		if !slices.Contains(ids, tc.want) {
			t.Errorf("Search(%q) misses %s; got %d hits: %+v", tc.q, tc.want, res.Total, res.Hits)
		}
	}
	// The exact word ranks above the compound that contains it.
	if ids, _ := e.ids(t, council.Public, search.Request{Query: "Tageseinrichtungen"}); len(ids) < 2 || ids[0] != tages.ID {
		t.Errorf("Tageseinrichtungen: first hit %v, want the exact title %s", ids, tages.ID)
	}
}

// TestSomeWords checks the fallback of multi-word queries: all words
// first; when no document has all of them, the documents with most of
// them, marked as such (Result.Some).
func TestSomeWords(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	pv := e.paper(t, council.Paper{Name: "Photovoltaikanlagen auf städtischen Gebäuden", Public: true}, bau)
	roof := e.paper(t, council.Paper{Name: "Sanierung des Daches der Grundschule Nord", Public: true,
		Text: "Das Dach wird gedämmt; eine Photovoltaikanlage ist vorgesehen."}, bau)
	play := e.paper(t, council.Paper{Name: "Spielplatz Lindenstraße: neue Geräte", Public: true}, bau)
	e.paper(t, council.Paper{Name: "Sanierung der Turnhalle", Public: true}, bau)
	e.build(t)

	// One paper has both words: it comes first, then those with one of
	// them, marked (a few hits with all the words are followed by more).
	ids, res := e.ids(t, council.Public, search.Request{Query: "Photovoltaik Dach"})
	if !res.Some || res.All != 1 || len(res.Hits) < 2 || res.Hits[0].ID != roof.ID || res.Hits[0].SomeWords ||
		!slices.Contains(ids, pv.ID) || !res.Hits[1].SomeWords {
		t.Errorf("Photovoltaik Dach: want the paper with both words first, then the others marked; got some=%v all=%d %+v", res.Some, res.All, res.Hits)
	}
	// Sorted by date, only the documents with all the words.
	if _, res := e.ids(t, council.Public, search.Request{Query: "Photovoltaik Dach", Sort: search.SortNewest}); res.Some || res.Total != 1 {
		t.Errorf("Photovoltaik Dach by date: want the one paper with both words; got some=%v %+v", res.Some, res.Hits)
	}
	ids, res = e.ids(t, council.Public, search.Request{Query: "Photovoltaik Dach Schwimmbad"})
	if !res.Some || res.All != 0 || len(ids) < 2 || ids[0] != roof.ID || !slices.Contains(ids, pv.ID) {
		t.Errorf("Photovoltaik Dach Schwimmbad: want some of the words, the paper with two first; got some=%v %v", res.Some, ids)
	}
	ids, res = e.ids(t, council.Public, search.Request{Query: "spielplatz sanierung"})
	if !res.Some || !slices.Contains(ids, play.ID) {
		t.Errorf("spielplatz sanierung: want the Spielplatz paper, marked; got some=%v %v", res.Some, ids)
	}
	// A query whose words all match no document stays empty.
	if _, res := e.ids(t, council.Public, search.Request{Query: "Xylophon Zyklotron"}); res.Total != 0 || res.Some {
		t.Errorf("Xylophon Zyklotron: got %d hits, some=%v", res.Total, res.Some)
	}
}

// TestTitlesBeatBoilerplate: a paper whose title is the query ranks above
// a paper whose file repeats the query's words in every page header (the
// indexer keeps such a header once, TestOnceEach; bleve's field-length
// norm alone already kept this case in order before).
func TestTitlesBeatBoilerplate(t *testing.T) {
	e := newEnv(t)
	fin := e.org(t, "Finanzausschuss")
	budget := e.paper(t, council.Paper{Name: "Haushalt 2025", Public: true}, fin)
	report := e.paper(t, council.Paper{Name: "Sportstättenbericht 2025", Public: true,
		Text: "Bericht zur Auslastung der Sportstätten im Haushalt 2025."}, fin)
	var pages []string
	for i := 1; i <= 40; i++ {
		pages = append(pages, "Haushalt 2025 – Haushalt 2025 – Fachbereich Finanzen", fmt.Sprintf("Seite %d von 40", i))
	}
	e.file(t, "Sportstättenbericht", true, paperLink(report), pages...)
	e.build(t)

	qs := []string{"Haushalt 2025", "haushalt"}
	if budget.Reference != "" {
		qs = append(qs, budget.Reference)
	}
	for _, q := range qs {
		ids, _ := e.ids(t, council.Public, search.Request{Query: q})
		if len(ids) == 0 || ids[0] != budget.ID {
			t.Errorf("Search(%q): first hit %v, want the paper titled Haushalt 2025 (%s)", q, ids, budget.ID)
		}
	}
	// The report is still found by its header, once.
	if !e.finds(t, council.Public, "Fachbereich Finanzen", report.ID) {
		t.Error("the header's words no longer find the file at all")
	}
}

// TestSynonyms: citizens' words find the official ones, below exact
// matches, and a city's own list (synonyms.txt in the data directory)
// adds groups.
func TestSynonyms(t *testing.T) {
	e := newEnv(t)
	if err := os.WriteFile(filepath.Join(filepath.Dir(e.dir), search.SynonymsFile),
		[]byte("# Musterstadt\nStadthalle, Bürgerhaus am Markt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bau := e.org(t, "Bauausschuss")
	hallen := e.paper(t, council.Paper{Name: "Sanierung des Hallenbads Nord", Public: true}, bau)
	schwimm := e.paper(t, council.Paper{Name: "Schwimmbad: Öffnungszeiten im Sommer", Public: true}, bau)
	kita := e.paper(t, council.Paper{Name: "Neubau einer Kindertagesstätte im Baugebiet Lerchenfeld", Public: true}, bau)
	tram := e.paper(t, council.Paper{Name: "Taktverdichtung der Straßenbahnlinie 4", Public: true}, bau)
	rad := e.paper(t, council.Paper{Name: "Fahrradweg entlang der Bundesstraße", Public: true}, bau)
	hall := e.paper(t, council.Paper{Name: "Brandschutz im Bürgerhaus am Markt", Public: true}, bau)
	e.build(t)

	for _, tc := range []struct {
		q    string
		want council.ID
	}{
		{"Schwimmbad", hallen.ID}, {"Kita", kita.ID}, {"ÖPNV", tram.ID}, {"Radweg", rad.ID}, {"Stadthalle", hall.ID},
	} {
		if !e.finds(t, council.Public, tc.q, tc.want) {
			_, res := e.ids(t, council.Public, search.Request{Query: tc.q})
			t.Errorf("Search(%q) misses %s: %+v", tc.q, tc.want, res.Hits)
		}
	}
	if ids, _ := e.ids(t, council.Public, search.Request{Query: "Schwimmbad"}); len(ids) < 2 || ids[0] != schwimm.ID {
		t.Errorf("Schwimmbad: %v, want the exact word (%s) first", ids, schwimm.ID)
	}
}

// TestSynonymsInCompounds checks that a compound one of whose parts has a
// synonym finds the compound with the synonym in its place (Müll, Abfall:
// "Müllgebühren" finds the "Abfallgebührensatzung"), that the colloquial
// word for an official one finds it ("kitagebühren": the
// "Elternbeitragssatzung"; "kostenlos": "Kostenfreies"), and that a
// compound whose part the system list lacks splits by the shipped list
// ("Ganztagsausbau": "Ausbau der Ganztagsbetreuung") — each ranked first,
// and none of them finding the unrelated paper.
func TestSynonymsInCompounds(t *testing.T) {
	e := newEnv(t)
	fa := e.org(t, "Finanzausschuss")
	abfall := e.paper(t, council.Paper{Name: "Abfallgebührensatzung – Neufassung", Public: true}, fa)
	eltern := e.paper(t, council.Paper{Name: "Elternbeitragssatzung für Kindertageseinrichtungen", Public: true}, fa)
	essen := e.paper(t, council.Paper{Name: "Kostenfreies Schulmittagessen an Grundschulen", Public: true}, fa)
	ganztag := e.paper(t, council.Paper{Name: "Ausbau der Ganztagsbetreuung an der Grundschule Lindenau", Public: true}, fa)
	other := e.paper(t, council.Paper{Name: "Kostenloser Nahverkehr an Adventssamstagen", Public: true}, fa)
	e.paper(t, council.Paper{Name: "Müller-Stiftung: Spende für den Stadtpark", Public: true}, fa)
	e.build(t)

	for _, tc := range []struct {
		q    string
		want council.ID
	}{
		{"Müllgebühren", abfall.ID},
		{"müllgebühr", abfall.ID},
		{"kitagebühren", eltern.ID},
		{"Schulessen kostenlos", essen.ID},
		{"Ganztagsausbau", ganztag.ID},
	} {
		ids, res := e.ids(t, council.Public, search.Request{Query: tc.q})
		if len(ids) == 0 || ids[0] != tc.want {
			t.Errorf("Search(%q): first hit %v, want %s; %d hits: %+v", tc.q, ids, tc.want, res.Total, res.Hits)
		}
		if slices.Contains(ids, other.ID) && tc.q != "Schulessen kostenlos" {
			t.Errorf("Search(%q) finds the unrelated %s", tc.q, other.Name)
		}
	}
}
