package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/council"
)

// testCorpus is the default word list and a generated corpus of papers
// papers (with their files).
func testCorpus(t testing.TB, papers int, seed uint64) (Words, *Corpus) {
	t.Helper()
	words, _, err := DefaultWords(SystemWordList)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCorpus(papers, seed, SystemWordList)
	if err != nil {
		t.Fatal(err)
	}
	return words, c
}

// corpusIndex indexes a small generated corpus in several batches (so
// that the index has several segments, some with deletions) and returns
// the index and the corpus.
func corpusIndex(t *testing.T) (bleve.Index, *Corpus) {
	t.Helper()
	words, c := testCorpus(t, 80, 7)
	df := newDocFreq()
	for n := range c.Len() {
		d := c.Doc(n)
		df.add(d.Title + " " + d.Text)
	}
	words.SetPairs(df.pairWords())
	_, bi, err := newGeneration(t.TempDir(), words)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	indexInBatches(t, bi, c, 60)
	// Re-index and delete some documents: segments with deletions.
	b := bi.NewBatch()
	for n := 0; n < c.Len(); n += 7 {
		d := c.Doc(n)
		if n%2 == 0 {
			b.Delete(d.ID)
		} else if err := b.Index(d.ID, d.withPub()); err != nil {
			t.Fatal(err)
		}
	}
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	ai, err := bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if is, ok := r.(*scorch.IndexSnapshot); !ok || len(is.Segments()) < 2 {
		t.Fatalf("index reader %T: want a scorch snapshot of several segments", r)
	}
	return bi, c
}

// indexInBatches indexes the documents of c in batches of size: one
// segment each.
func indexInBatches(t *testing.T, bi bleve.Index, c *Corpus, size int) {
	t.Helper()
	for start := 0; start < c.Len(); start += size {
		b := bi.NewBatch()
		for n := start; n < min(start+size, c.Len()); n++ {
			if err := b.Index(c.Doc(n).ID, c.Doc(n).withPub()); err != nil {
				t.Fatal(err)
			}
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCollect checks collect and word-pair phrases against bleve's own
// collector and phrase search on one index.
func TestCollect(t *testing.T) {
	bi, c := corpusIndex(t)
	t.Run("matches bleve", func(t *testing.T) { testCollectMatchesBleve(t, bi, c) })
	t.Run("pair phrases exact", func(t *testing.T) { testPairPhrasesExact(t, bi) })
	t.Run("constant-score prefixes exact", func(t *testing.T) { testConstantPrefixes(t, bi) })
}

// testConstantPrefixes checks that a prefix compiled to constant-score
// queries (bitmap unions in scorch) finds exactly the documents bleve's
// scored prefix queries find, over segments with deletions, and that a
// hit with the prefix in its title ranks before hits with it only in the
// text.
func testConstantPrefixes(t *testing.T, bi bleve.Index) {
	ctx := context.Background()
	segs := newSegCache()
	checked := 0
	for _, pre := range []string{"Klima*", "Halte*", "Sanier*", "Rad*", "Stra*", "Verwaltung*", "Zzzq*"} {
		p := Parse(pre)
		q, err := compile(bi.Mapping(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		var scored []query.Query
		for _, f := range textFields {
			pq := bleve.NewPrefixQuery(NormalizeWord(p.Groups[0][0].Text))
			pq.SetField(f.name)
			scored = append(scored, pq)
		}
		ref := bleve.NewPrefixQuery(strings.ToLower(p.Groups[0][0].Text))
		ref.SetField("reference")
		want := allIDs(t, bi, bleve.NewDisjunctionQuery(append(scored, ref)...))
		got := allIDs(t, bi, q)
		if !slices.Equal(got, want) {
			t.Errorf("%s: constant-score prefix finds %d documents, scored prefix %d", pre, len(got), len(want))
		}
		checked += len(want)
		f, err := collect(ctx, bi, segs, q, false, SortRelevance, 200, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Total != len(want) {
			t.Errorf("%s: collect counts %d, want %d", pre, f.Total, len(want))
		}
		titleQ := bleve.NewPrefixQuery(NormalizeWord(p.Groups[0][0].Text))
		titleQ.SetField("title")
		inTitle := map[string]bool{}
		for _, id := range allIDs(t, bi, titleQ) {
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
	// "Sanier* Haltestelle" finds the documents both find alone.
	ids := func(qs string) []string {
		q, err := compile(bi.Mapping(), Parse(qs), nil)
		if err != nil {
			t.Fatal(err)
		}
		return allIDs(t, bi, q)
	}
	for _, pair := range [][2]string{{"Sanier*", "Haltestelle"}, {"Verwaltung", "Stra*"}, {"Klima*", "Rad*"}} {
		both := ids(pair[0] + " " + pair[1])
		var want []string
		for _, id := range ids(pair[0]) {
			if _, ok := slices.BinarySearch(ids(pair[1]), id); ok {
				want = append(want, id)
			}
		}
		if len(want) == 0 {
			t.Errorf("%s %s: nothing in common; the check proves little", pair[0], pair[1])
		}
		if !slices.Equal(both, want) {
			t.Errorf("%s %s: %d documents, the intersection has %d", pair[0], pair[1], len(both), len(want))
		}
	}

	// Explicit terms (typo expansions): the documents of a disjunction of
	// term queries.
	terms := []string{"haltestelle", "sanierung", "radweg", "gibtesnicht"}
	var tqs []query.Query
	for _, term := range terms {
		tq := bleve.NewTermQuery(term)
		tq.SetField("text")
		tqs = append(tqs, tq)
	}
	got, want := allIDs(t, bi, &termsQuery{field: "text", terms: terms, boost: 1}), allIDs(t, bi, bleve.NewDisjunctionQuery(tqs...))
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("terms query finds %d documents, the term disjunction %d", len(got), len(want))
	}
}

// testCollectMatchesBleve checks that collect finds what bleve's own
// collector and facet builder find: the same total, the same facet
// counts and the same hits in the same order, for the public, a member
// and staff, by relevance and by date.
func testCollectMatchesBleve(t *testing.T, bi bleve.Index, c *Corpus) {
	ctx := context.Background()
	segs := newSegCache()
	org, _ := council.ParseID(c.Org(1))
	viewers := map[string]council.Viewer{
		"public": council.Public,
		"member": {Role: council.RoleMember, Orgs: map[council.ID]bool{org: true}},
		"staff":  {Role: council.RoleAdmin},
	}
	big := 0
	queries := []string{"Haltestelle", "Sanierung", `"sozialer Wohnungsbau"`, "Radweg OR Spielplatz", "Klima*",
		"Feuerwehr -Haushalt", `"Ausbau der Straße"`, ""}
	for vname, v := range viewers {
		for _, qs := range queries {
			for _, sortBy := range []Sort{SortRelevance, SortNewest, SortOldest} {
				name := fmt.Sprintf("%s/%q/%q", vname, qs, sortBy)
				p := Parse(qs)
				q, err := compile(bi.Mapping(), p, nil)
				if err != nil {
					t.Fatal(err)
				}
				filter, err := filters(v, Request{})
				if err != nil {
					t.Fatal(err)
				}
				bq := bleve.NewBooleanQuery()
				bq.AddMust(q)
				if filter != nil {
					bq.AddFilter(filter)
				}
				// What Search runs: for the public, collect drops the
				// non-public hits itself instead of bleve's filter.
				publicOnly := seesOnlyPublic(v)
				var run query.Query = bq
				if publicOnly {
					run = q
				}
				got, err := collect(ctx, bi, segs, run, publicOnly, sortBy, 10, 5)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := bleveReference(t, bi, bq, sortBy, 10, 5)
				big = max(big, got.Total)
				if got.Total != want.Total {
					t.Errorf("%s: total %d, bleve %d", name, got.Total, want.Total)
				}
				if !slices.Equal(got.Facets, want.Facets) {
					t.Errorf("%s: facets\n%v\nbleve\n%v", name, got.Facets, want.Facets)
				}
				var gotIDs, wantIDs []string
				for i := range got.Hits {
					gotIDs = append(gotIDs, got.Hits[i].ID)
				}
				for i := range want.Hits {
					wantIDs = append(wantIDs, want.Hits[i].ID)
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Errorf("%s: hits\n%v\nbleve\n%v", name, gotIDs, wantIDs)
				}
				for i := range min(len(got.Hits), len(want.Hits)) {
					if fmt.Sprint(got.Hits[i].Fields) != fmt.Sprint(want.Hits[i].Fields) {
						t.Errorf("%s: hit %d fields %v, bleve %v", name, i, got.Hits[i].Fields, want.Hits[i].Fields)
					}
				}
			}
		}
	}
	if big < 50 {
		t.Errorf("no query found more than %d documents; the comparison proves little", big)
	}
}

// bleveReference runs bq with bleve's TopN collector and facet builder.
func bleveReference(t *testing.T, bi bleve.Index, bq query.Query, sortBy Sort, size, from int) *found {
	t.Helper()
	sreq := bleve.NewSearchRequestOptions(bq, size, from, false)
	sreq.Fields = hitFields[:]
	sreq.AddFacet("facet", bleve.NewFacetRequest("facet", maxFacetTerms))
	switch sortBy {
	case SortNewest:
		sreq.SortBy([]string{"-date", "-_score", "_id"})
	case SortOldest:
		sreq.SortBy([]string{"date", "-_score", "_id"})
	default:
		// Relevance; ties in bleve's order of documents, as collect.
		sreq.SortBy([]string{"-_score", "_score"})
	}
	sr, err := bi.Search(sreq)
	if err != nil {
		t.Fatal(err)
	}
	out := &found{Total: int(sr.Total)}
	for _, h := range sr.Hits {
		out.Hits = append(out.Hits, foundHit{ID: h.ID, Fields: h.Fields})
	}
	if fr, ok := sr.Facets["facet"]; ok && fr.Terms != nil {
		for _, tf := range fr.Terms.Terms() {
			out.Facets = append(out.Facets, facetCount{Term: tf.Term, Count: tf.Count})
		}
	}
	slices.SortStableFunc(out.Facets, func(a, b facetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Term < b.Term {
			return -1
		}
		return 1
	})
	return out
}

// testPairPhrasesExact checks that a phrase found through word pairs
// finds exactly the documents the phrase over single terms and their
// positions finds.
func testPairPhrasesExact(t *testing.T, bi bleve.Index) {
	pairs := pairWords(bi.Mapping())
	if len(pairs) == 0 {
		t.Fatal("the index mapping has no word pairs")
	}
	tested := 0
	an := bi.Mapping().AnalyzerNamed(analyzerDEQuery)
	phrases := append(slices.Clone(corpusPhrases), "Verwaltung Stadt", "Antrag Beschluss Ausschuss", "Haltestelle Innenstadt",
		"Stadt Haltestelle", "öffentlicher Personennahverkehr Verwaltung", "Rat Sanierung")
	for _, ph := range phrases {
		toks := an.Analyze([]byte(ph))
		terms := make([]string, len(toks))
		for i, tk := range toks {
			terms[i] = string(tk.Term)
		}
		for _, f := range textFields {
			pq, ok := pairPhrase(pairs, terms, f.name)
			if !ok {
				continue
			}
			tested++
			got := allIDs(t, bi, pq)
			want := allIDs(t, bi, bleve.NewPhraseQuery(terms, f.name))
			if !slices.Equal(got, want) {
				t.Errorf("phrase %q in %s: pairs find %d documents, positions %d", ph, f.name, len(got), len(want))
			}
			if f.name == "text" && len(want) == 0 && slices.Contains(corpusPhrases, ph) {
				t.Errorf("phrase %q in text: nothing found; the test proves nothing", ph)
			}
		}
	}
	if tested < 2*len(corpusPhrases) {
		t.Errorf("%d phrase queries had pairs, want at least the corpus phrases (%d)", tested, 2*len(corpusPhrases))
	}
}

func allIDs(t *testing.T, bi bleve.Index, q query.Query) []string {
	t.Helper()
	sreq := bleve.NewSearchRequestOptions(q, 100000, 0, false)
	sr, err := bi.Search(sreq)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range sr.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}
