package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
	"github.com/plenar/plenar/search/searchbench/corpus"
)

// TestIndexOracle checks, on one index of Plenar's mapping with several
// segments (some with deletions), the index's shortcuts against bleve's
// own way: the search of a page (compiled query, visibility, own
// collection of hits and facets) and phrases through word pairs.
// Collection itself is checked on its own in package scorch.
func TestIndexOracle(t *testing.T) {
	bi, c := corpusIndex(t)
	t.Run("search matches bleve", func(t *testing.T) { testSearchMatchesBleve(t, bi, c) })
	t.Run("pair phrases exact", func(t *testing.T) { testPairPhrasesExact(t, bi) })
}

// testSearchMatchesBleve checks that bleveSearch finds what bleve's own
// collector and facet builder find for the same compiled query and
// visibility filter: the same total, facet counts and hits in the same
// order, for the public, a member and staff, by relevance and by date.
func testSearchMatchesBleve(t *testing.T, bi bleve.Index, c *corpus.Corpus) {
	ctx := context.Background()
	x := testIndex(bi)
	org, _ := council.ParseID(c.Org(1))
	viewers := map[string]council.Viewer{
		"public": council.Public,
		"member": {Role: council.RoleMember, Orgs: map[council.ID]bool{org: true}},
		"staff":  {Role: council.RoleAdmin},
	}
	big := 0
	queries := []string{"Haltestelle", "Sanierung", `"sozialer Wohnungsbau"`, "Radweg OR Spielplatz", "Klima*",
		"Feuerwehr -Haushalt", `"Ausbau der Straße"`, ""}
	sorts := map[Sort]scorch.Order{SortRelevance: scorch.ByScore, SortNewest: scorch.Newest, SortOldest: scorch.Oldest}
	for vname, v := range viewers {
		for _, qs := range queries {
			for sortBy, order := range sorts {
				name := fmt.Sprintf("%s/%q/%q", vname, qs, sortBy)
				p := Parse(qs)
				if qs == "" && sortBy == SortRelevance {
					order = scorch.Newest // an empty query sorts by date
				}
				got, err := x.bleveSearchOnce(ctx, bi, v, Request{Sort: sortBy, Ungrouped: true}, p, 10, 5, widening{})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				q, err := compile(bi.Mapping(), p, widening{}, synonymIndex{})
				if err != nil {
					t.Fatal(err)
				}
				bq := bleve.NewBooleanQuery()
				bq.AddMust(q)
				if vq := visibility(v); vq != nil {
					bq.AddFilter(vq)
				}
				want, err := scorch.Reference(bi, bq, newCache().Fields(), order, 10, 5)
				if err != nil {
					t.Fatal(err)
				}
				big = max(big, got.Total)
				for _, d := range scorch.Diff(got, want) {
					t.Errorf("%s: %s", name, d)
				}
			}
		}
	}
	if big < 50 {
		t.Errorf("no query found more than %d documents; the comparison proves little", big)
	}
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
	corpusPhrases := corpus.Phrases()
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
