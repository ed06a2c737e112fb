package search

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestCompact checks that compact leaves one segment and one segment
// file, and that the index finds the same documents before and after.
func TestCompact(t *testing.T) {
	words, c := testCorpus(t, 60, 3)
	dir := t.TempDir()
	gen, bi, err := newGeneration(dir, words)
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	indexInBatches(t, bi, c, 40)
	b := bi.NewBatch()
	b.Delete(c.Doc(3).ID)
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	queries := []string{"Haltestelle", "Sanier*", `"sozialer Wohnungsbau"`, ""}
	find := func() [][]string {
		var out [][]string
		for _, qs := range queries {
			q, err := compile(bi.Mapping(), Parse(qs), nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, allIDs(t, bi, q))
		}
		return out
	}
	before := find()
	if segs := liveSegments(t, bi); segs < 2 {
		t.Fatalf("%d segments before compact; the test needs several", segs)
	}
	path := filepath.Join(dir, gen)
	if err := compact(context.Background(), bi, path); err != nil {
		t.Fatal(err)
	}
	if segs := liveSegments(t, bi); segs != 1 {
		t.Errorf("%d segments after compact, want 1", segs)
	}
	if n, err := segmentFiles(path); err != nil || n != 1 {
		t.Errorf("%d segment files after compact (%v), want 1", n, err)
	}
	after := find()
	for i := range queries {
		if !slices.Equal(before[i], after[i]) {
			t.Errorf("%q: %d documents before compact, %d after", queries[i], len(before[i]), len(after[i]))
		}
		if len(before[i]) == 0 {
			t.Errorf("%q finds nothing; the comparison proves little", queries[i])
		}
	}
	if slices.Contains(after[len(after)-1], c.Doc(3).ID) {
		t.Error("a deleted document came back with compact")
	}
}

func liveSegments(t *testing.T, bi bleve.Index) int {
	t.Helper()
	is, err := snapshot(bi)
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	return len(is.Segments())
}
