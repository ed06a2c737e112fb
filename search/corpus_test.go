package search

import (
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/plenar/plenar/search/searchbench/corpus"
)

// testCorpus is the default word list and a generated corpus of papers
// papers (with their files).
func testCorpus(t testing.TB, papers int, seed uint64) (Words, *corpus.Corpus) {
	t.Helper()
	words, _, err := DefaultWords(SystemWordList)
	if err != nil {
		t.Fatal(err)
	}
	c, err := corpus.New(papers, seed, SystemWordList)
	if err != nil {
		t.Fatal(err)
	}
	return words, c
}

// corpusDoc is document n of c as the index has it (as the benchmark
// converts it).
func corpusDoc(c *corpus.Corpus, n int) Doc {
	d := c.Doc(n)
	out := Doc{ID: DocID(TypePaper, d.ID), Type: TypePaper, Title: d.Title, Text: d.Text,
		Reference: d.Reference, Status: d.Status, Orgs: d.Orgs, Year: d.Year, Date: d.Date,
		Vis: [...]string{corpus.Public: VisPublic, corpus.Members: VisMembers, corpus.Staff: VisStaff}[d.Vis]}
	if d.File {
		out.Type, out.ID, out.Parent = TypeFile, DocID(TypeFile, d.ID), DocID(TypePaper, d.Paper)
	}
	return out
}

// corpusIndex indexes a small generated corpus, with the words that pair
// chosen from all of it, in several batches (so that the index has
// several segments, some with deletions) and returns the index and the
// corpus.
func corpusIndex(t *testing.T) (bleve.Index, *corpus.Corpus) {
	t.Helper()
	words, c := testCorpus(t, 80, 7)
	df := NewDocFreq()
	for n := range c.Len() {
		d := c.Doc(n)
		df.Add(d.Title + " " + d.Text)
	}
	words.SetPairs(df.PairWords())
	_, bi, err := newGeneration(t.TempDir(), words)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	for start := 0; start < c.Len(); start += 60 {
		b := bi.NewBatch()
		for n := start; n < min(start+60, c.Len()); n++ {
			d := corpusDoc(c, n)
			if err := b.Index(d.ID, d.withPub()); err != nil {
				t.Fatal(err)
			}
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	// Re-index and delete some documents: segments with deletions.
	b := bi.NewBatch()
	for n := 0; n < c.Len(); n += 7 {
		d := corpusDoc(c, n)
		if n%2 == 0 {
			b.Delete(d.ID)
		} else if err := b.Index(d.ID, d.withPub()); err != nil {
			t.Fatal(err)
		}
	}
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	return bi, c
}
