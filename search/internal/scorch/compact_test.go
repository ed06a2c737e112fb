package scorch

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestCompact checks that Compact leaves one segment and one segment
// file, and that the index finds the same documents before and after.
func TestCompact(t *testing.T) {
	c := testCorpus(t, 60, 3)
	path := filepath.Join(t.TempDir(), "ix")
	bi := newTestIndex(t, path)
	indexInBatches(t, bi, c, 40)
	deleted, _ := docOf(c, 3)
	b := bi.NewBatch()
	b.Delete(deleted)
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	queries := []query.Query{word("Haltestelle"), prefix("sanier"), phrase("sozialer Wohnungsbau"), bleve.NewMatchAllQuery()}
	find := func() [][]string {
		var out [][]string
		for _, q := range queries {
			out = append(out, allIDs(t, bi, q))
		}
		return out
	}
	before := find()
	if segs := liveSegments(t, bi); segs < 2 {
		t.Fatalf("%d segments before Compact; the test needs several", segs)
	}
	if err := Compact(context.Background(), bi, path); err != nil {
		t.Fatal(err)
	}
	if segs := liveSegments(t, bi); segs != 1 {
		t.Errorf("%d segments after Compact, want 1", segs)
	}
	if n, err := segmentFiles(path); err != nil || n != 1 {
		t.Errorf("%d segment files after Compact (%v), want 1", n, err)
	}
	after := find()
	for i := range queries {
		if !slices.Equal(before[i], after[i]) {
			t.Errorf("query %d: %d documents before Compact, %d after", i, len(before[i]), len(after[i]))
		}
		if len(before[i]) == 0 {
			t.Errorf("query %d finds nothing; the comparison proves little", i)
		}
	}
	if slices.Contains(after[len(after)-1], deleted) {
		t.Error("a deleted document came back with Compact")
	}
}
