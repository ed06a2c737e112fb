package search

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// testIndex is an Index around bi, a generation that the test built
// itself, for the parts of a search that take one.
func testIndex(bi bleve.Index) *Index {
	return &Index{bi: bi, gen: "test", segs: newCache(), zone: berlin()}
}

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
			d := Doc{ID: fmt.Sprintf("paper/%d", n), Type: TypePaper, Title: title, Vis: VisPublic}
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

	x := testIndex(bi)
	snap, err := x.segs.Snapshot(bi)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if snap.Segments() != 2 {
		t.Fatalf("%d segments, want 2", snap.Segments())
	}
	word, ok := typoWord(bi.Mapping().AnalyzerNamed(analyzerDEQuery), Term{Text: "Bahnsteik"})
	if !ok {
		t.Fatal("no typo tolerance for Bahnsteik")
	}
	all, err := expandTypo(snap, nil, "title", word, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= 4*maxExpansions {
		t.Fatalf("unbounded expansion of %s: %d terms, want many more than %d", word, len(all), maxExpansions)
	}

	ctx := context.Background()
	e, err := expandTypos(ctx, bi, x.segs, council.Public, Parse("Bahnsteik"))
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

	sr, typos, _, _, err := x.bleveSearch(ctx, bi, council.Public, Request{}, Parse("Bahnsteik"), 100, 0)
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
		if !slices.ContainsFunc(sr.Hits, func(h scorch.Hit) bool { return h.ID == want }) {
			t.Errorf("Bahnsteik misses %s: %v", want, sr.Hits)
		}
	}
}

// TestTypoExpansionCountsVisibleDocuments: which terms make the cut must
// not depend on documents the viewer may not see. Sixty neighbours of
// "bahnsteig" that only occur in non-public documents (three each) would
// push the one public "Bahnsteig" out of the 50 most frequent: for the
// public and for a member of another body they count nothing, so the
// public document is found; for a member of the body and for staff they
// count, as those viewers may see them.
func TestTypoExpansionCountsVisibleDocuments(t *testing.T) {
	_, bi, err := newGeneration(filepath.Join(t.TempDir(), "ix"), NewWords())
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	org, other := council.NewID(), council.NewID()
	b := bi.NewBatch()
	n := 0
	add := func(title, vis string) {
		n++
		d := Doc{ID: fmt.Sprintf("paper/%d", n), Type: TypePaper, Title: title, Vis: vis, Orgs: []string{org.String()}}
		if err := b.Index(d.ID, d.withPub()); err != nil {
			t.Fatal(err)
		}
	}
	add("Neuer Bahnsteig am Markt", VisPublic)
	for i := range 60 {
		for range 3 {
			add(fmt.Sprintf("Vertraulich: bahnstei%c%c", 'a'+rune(i/26), 'a'+rune(i%26)), VisMembers)
		}
	}
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	x := testIndex(bi)
	word, _ := typoWord(bi.Mapping().AnalyzerNamed(analyzerDEQuery), Term{Text: "Bahnsteik"})
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		v        council.Viewer
		intended bool // bahnsteig among the expansion
		hidden   bool // terms of the non-public documents among it
	}{
		{"public", council.Public, true, false},
		{"member of another body", council.Viewer{Role: council.RoleMember, Orgs: map[council.ID]bool{other: true}}, true, false},
		{"member of the body", council.Viewer{Role: council.RoleMember, Orgs: map[council.ID]bool{org: true}}, false, true},
		{"clerk", council.Viewer{Role: council.RoleClerk}, false, true},
	} {
		e, err := expandTypos(ctx, bi, x.segs, c.v, Parse("Bahnsteik"))
		if err != nil {
			t.Fatal(err)
		}
		title := e[word][0]
		intended := slices.ContainsFunc(title, func(x typoCand) bool { return x.term == "bahnsteig" })
		hidden := slices.ContainsFunc(title, func(x typoCand) bool { return x.term != "bahnsteig" })
		if intended != c.intended || hidden != c.hidden {
			t.Errorf("%s: expansion %v: bahnsteig %t, non-public terms %t; want %t, %t", c.name, title, intended, hidden, c.intended, c.hidden)
		}
		if c.v.Role == council.RoleMember || c.v.SeesAllNonPublic() {
			continue
		}
		sr, _, _, _, err := x.bleveSearch(ctx, bi, c.v, Request{}, Parse("Bahnsteik"), 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sr.Total != 1 || len(sr.Hits) != 1 || sr.Hits[0].ID != "paper/1" {
			t.Errorf("%s: Bahnsteik finds %d: %v, want the public paper/1 only", c.name, sr.Total, sr.Hits)
		}
	}
}
