package scorch

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestTermsQuery checks that a prefix as constant-score terms queries
// (bitmap unions in scorch) finds exactly the documents bleve's scored
// prefix queries find, over segments with deletions; that a hit with the
// prefix in its title ranks before hits with it only in the text; that
// the bitmap searcher is advanced right inside a conjunction; and that
// explicit terms find what a disjunction of term queries finds.
func TestTermsQuery(t *testing.T) {
	bi, _ := corpusIndex(t)
	ctx := context.Background()
	cache := NewCache(testFields)
	checked := 0
	for _, pre := range []string{"klima", "halte", "sanier", "rad", "stra", "verwaltung", "V00", "zzzq"} {
		var scored []query.Query
		for _, f := range []string{"title", "text", "reference"} {
			pq := bleve.NewPrefixQuery(pre)
			pq.SetField(f)
			scored = append(scored, pq)
		}
		want := allIDs(t, bi, bleve.NewDisjunctionQuery(scored...))
		got := allIDs(t, bi, prefix(pre))
		if !slices.Equal(got, want) {
			t.Errorf("%s: constant-score prefix finds %d documents, scored prefix %d", pre, len(got), len(want))
		}
		checked += len(want)
		f, err := Collect(ctx, bi, cache, prefix(pre), Page{Size: 200})
		if err != nil {
			t.Fatal(err)
		}
		if f.Total != len(want) {
			t.Errorf("%s: Collect counts %d, want %d", pre, f.Total, len(want))
		}
		inTitle := map[string]bool{}
		for _, id := range allIDs(t, bi, scored[0]) {
			inTitle[id] = true
		}
		seenText := false
		for _, h := range f.Hits {
			if !inTitle[h.ID] {
				seenText = true
			} else if seenText {
				t.Errorf("%s: hit %s has the prefix in its title but ranks after a hit without", pre, h.ID)
				break
			}
		}
	}
	if checked < 100 {
		t.Errorf("the prefixes found %d documents in all; the test proves little", checked)
	}

	// In a conjunction the bitmap searcher is advanced, not just stepped:
	// "sanier* Haltestelle" finds the documents both find alone.
	for _, pair := range [][2]query.Query{{prefix("sanier"), word("Haltestelle")}, {word("Verwaltung"), prefix("stra")},
		{prefix("klima"), prefix("rad")}} {
		both := allIDs(t, bi, all(pair[0], pair[1]))
		second := allIDs(t, bi, pair[1])
		var want []string
		for _, id := range allIDs(t, bi, pair[0]) {
			if _, ok := slices.BinarySearch(second, id); ok {
				want = append(want, id)
			}
		}
		if len(want) == 0 {
			t.Errorf("%v: nothing in common; the check proves little", pair)
		}
		if !slices.Equal(both, want) {
			t.Errorf("%v: %d documents, the intersection has %d", pair, len(both), len(want))
		}
	}

	// Explicit terms (typo expansions): the documents of a disjunction of
	// term queries.
	terms := []string{"haltestell", "sanierung", "radweg", "gibtesnicht"}
	var tqs []query.Query
	for _, term := range terms {
		tqs = append(tqs, kwTerm("text", term))
	}
	got, want := allIDs(t, bi, &TermsQuery{Field: "text", Terms: terms, Boost: 1}), allIDs(t, bi, bleve.NewDisjunctionQuery(tqs...))
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("terms query finds %d documents, the term disjunction %d", len(got), len(want))
	}
}
