package search

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plenar/plenar/council"
)

// TestTypoExpansionBounded checks that a misspelt word with hundreds of
// dictionary neighbours expands to at most maxExpansions terms per
// field, the most frequent first, and still finds the intended document.
func TestTypoExpansionBounded(t *testing.T) {
	_, bi, err := newGeneration(filepath.Join(t.TempDir(), "ix"), NewWords())
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	// Two batches: two segments, whose counts the expansion adds up.
	// "Bahnsteig" is in two documents (one per segment); the 676
	// neighbours "bahnstei<x><y>", two edits from "bahnsteik", each in one
	// (some share a stem).
	n := 0
	for seg := range 2 {
		b := bi.NewBatch()
		add := func(title string) {
			n++
			d := Doc{ID: fmt.Sprintf("paper/%d", n), Type: TypePaper, Title: title, Vis: visPublic}
			if err := b.Index(d.ID, d.withPub()); err != nil {
				t.Fatal(err)
			}
		}
		add(fmt.Sprintf("Neuer Bahnsteig am Markt %d", seg))
		for x := 'a' + rune(seg)*13; x < 'a'+rune(seg+1)*13; x++ {
			for y := 'a'; y <= 'z'; y++ {
				add(fmt.Sprintf("Bericht zum bahnstei%c%c", x, y))
			}
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
	}

	is, err := snapshot(bi)
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	segs := newSegCache()
	word, ok := typoWord(bi.Mapping().AnalyzerNamed(analyzerDEQuery), Term{Text: "Bahnsteik"})
	if !ok {
		t.Fatal("no typo tolerance for Bahnsteik")
	}
	all, err := expandTypo(is, &segs.lev, "title", word, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= 4*maxExpansions {
		t.Fatalf("unbounded expansion of %s: %d terms, want many more than %d", word, len(all), maxExpansions)
	}

	ctx := context.Background()
	e, err := expandTypos(ctx, bi, &segs.lev, Parse("Bahnsteik"))
	if err != nil {
		t.Fatal(err)
	}
	fields, ok := e[word]
	if !ok {
		t.Fatalf("expansion %v lacks %s", e, word)
	}
	title := fields[0]
	if len(title) > maxExpansions || len(title) == 0 {
		t.Fatalf("title expansion: %d terms, want 1..%d", len(title), maxExpansions)
	}
	for i := 1; i < len(title); i++ {
		if title[i].count > title[i-1].count {
			t.Errorf("title expansion not by frequency: %+v before %+v", title[i-1], title[i])
		}
	}
	intended := slices.IndexFunc(all, func(c typoCand) bool { return c.term == "bahnsteig" })
	if intended < 0 || intended >= maxExpansions || all[intended].count < 2 {
		t.Fatalf("bahnsteig at %d of the unbounded expansion, want among the first %d, in 2 documents or more", intended, maxExpansions)
	}

	sr, typos, err := bleveSearch(ctx, bi, segs, council.Public, Request{}, Parse("Bahnsteik"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(typos) > len(textFields)*maxExpansions || !slices.Contains(typos, "bahnsteig") {
		t.Errorf("typo terms: %d, want at most %d with bahnsteig", len(typos), len(textFields)*maxExpansions)
	}
	docs := 0
	for _, c := range title {
		docs += int(c.count)
	}
	if sr.Total != docs {
		t.Errorf("Bahnsteik: %d hits, want %d (those of the %d terms it expanded to)", sr.Total, docs, len(title))
	}
	for _, want := range []string{"paper/1", fmt.Sprintf("paper/%d", 2+13*26)} {
		if !slices.ContainsFunc(sr.Hits, func(h foundHit) bool { return h.ID == want }) {
			t.Errorf("Bahnsteik misses %s: %v", want, sr.Hits)
		}
	}
}
