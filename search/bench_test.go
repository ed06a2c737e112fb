package search

import (
	"testing"
)

// BenchmarkAnalyze measures the German analysis (with compound splitting)
// of generated council text, per document of the corpus.
func BenchmarkAnalyze(b *testing.B) {
	words, c := testCorpus(b, 50, 1)
	im, err := newMapping(words)
	if err != nil {
		b.Fatal(err)
	}
	an := im.AnalyzerNamed(analyzerDE)
	docs := make([]Doc, c.Len())
	var size int64
	for i := range docs {
		docs[i] = corpusDoc(c, i)
		size += int64(len(docs[i].Text))
	}
	b.SetBytes(size / int64(len(docs)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		an.Analyze([]byte(docs[i%len(docs)].Text))
	}
}

// BenchmarkIndexBatch indexes the corpus in batches of 500 documents.
func BenchmarkIndexBatch(b *testing.B) {
	words, c := testCorpus(b, 400, 1)
	_, bi, err := newGeneration(b.TempDir(), words)
	if err != nil {
		b.Fatal(err)
	}
	defer bi.Close()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		batch := bi.NewBatch()
		for range 500 {
			d := corpusDoc(c, n%c.Len())
			n++
			if err := batch.Index(d.ID, d.withPub()); err != nil {
				b.Fatal(err)
			}
		}
		if err := bi.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "docs/s")
}
