package scorch

import (
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/search/searchbench/corpus"
)

// The test index has the shape of search's: analysed title (stored) and
// text with positions, keyword fields for filters, one keyword field of
// facet values with doc values (bleve's facet builder reads those), a
// stored date. Its analyser is bleve's German one; the analysis does not
// matter to what this package does with the terms.

// testFields name the fields of the test index.
var testFields = Fields{Facet: "facet", MaxFacets: 2000, Date: "date", Vis: "vis", Public: "public",
	Stored: []string{"title", "reference", "status", "date", "parent"}}

// testDoc is a document of the test index.
type testDoc struct {
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Reference string    `json:"reference"`
	Status    string    `json:"status"`
	Parent    string    `json:"parent"`
	Vis       string    `json:"vis"`
	Orgs      []string  `json:"orgs"`
	Facet     []string  `json:"facet"`
	Date      time.Time `json:"date"`
}

func testMapping() *mapping.IndexMappingImpl {
	dm := bleve.NewDocumentStaticMapping()
	text := func(name string, store bool) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = de.AnalyzerName
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = store, true, false, false
		dm.AddFieldMappingsAt(name, f)
	}
	kw := func(name string, store, docValues bool) {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = store, false, false, docValues
		dm.AddFieldMappingsAt(name, f)
	}
	text("title", true)
	text("text", false)
	for _, name := range []string{"reference", "status", "parent"} {
		kw(name, true, false)
	}
	kw("vis", false, false)
	kw("orgs", false, false)
	kw("facet", false, true)
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll = true, false
	dm.AddFieldMappingsAt("date", date)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	return im
}

// testCorpus is a small generated council corpus (without the system
// word list: synthetic vocabulary).
func testCorpus(t testing.TB, papers int, seed uint64) *corpus.Corpus {
	t.Helper()
	c, err := corpus.New(papers, seed, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// docOf is document n of c as the test index has it, with its id.
func docOf(c *corpus.Corpus, n int) (string, testDoc) {
	d := c.Doc(n)
	kind, parent := "paper", ""
	if d.File {
		kind, parent = "file", "paper/"+d.Paper.String()
	}
	td := testDoc{Title: d.Title, Text: d.Text, Reference: d.Reference, Status: d.Status, Parent: parent,
		Vis:  [...]string{corpus.Public: "public", corpus.Members: "members", corpus.Staff: "staff"}[d.Vis],
		Orgs: d.Orgs, Date: d.Date, Facet: []string{"t:" + kind, "y:" + d.Year}}
	for _, o := range d.Orgs {
		td.Facet = append(td.Facet, "o:"+o)
	}
	return kind + "/" + d.ID.String(), td
}

// newTestIndex creates an empty test index in dir.
func newTestIndex(t testing.TB, dir string) bleve.Index {
	t.Helper()
	bi := createTestIndex(t, dir)
	t.Cleanup(func() { bi.Close() })
	return bi
}

// createTestIndex is newTestIndex that the caller closes.
func createTestIndex(t testing.TB, dir string) bleve.Index {
	t.Helper()
	// No background merges: a merge between two searches of a test would
	// change the order of documents with equal scores (the tie order of
	// both Collect and bleve), and the tests compare orders. Compact's
	// forced merge passes its own plan.
	cfg := map[string]any{"scorchMergePlanOptions": map[string]any{"MaxSegmentsPerTier": 1000}}
	bi, err := bleve.NewUsing(dir, testMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bi
}

// indexInBatches indexes the documents of c in batches of size: one
// segment each.
func indexInBatches(t testing.TB, bi bleve.Index, c *corpus.Corpus, size int) {
	t.Helper()
	for start := 0; start < c.Len(); start += size {
		b := bi.NewBatch()
		for n := start; n < min(start+size, c.Len()); n++ {
			if err := b.Index(docOf(c, n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
		waitPersisted(t, bi)
	}
}

// waitPersisted waits until the index has no segment left in memory.
// Otherwise scorch's persister may merge the in-memory segments of
// several batches into one while it writes them, and a test that needs
// several segments depends on the timing (seen under load).
func waitPersisted(t testing.TB, bi bleve.Index) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		stats, _ := bi.StatsMap()["index"].(map[string]interface{})
		n, ok := stats["num_root_memorysegments"].(uint64)
		if !ok {
			t.Fatalf("the index stats have no num_root_memorysegments: %v", stats)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("index segments still in memory after 30 s: %v", stats["num_root_memorysegments"])
		}
	}
}

// corpusIndex indexes a small generated corpus in several batches, then
// re-indexes and deletes some documents, so that the index has several
// segments, some with deletions.
func corpusIndex(t *testing.T) (bleve.Index, *corpus.Corpus) {
	t.Helper()
	c := testCorpus(t, 80, 7)
	dir := t.TempDir()
	bi := createTestIndex(t, dir)
	defer func() {
		if bi != nil {
			bi.Close()
		}
	}()
	indexInBatches(t, bi, c, 60)
	b := bi.NewBatch()
	for n := 0; n < c.Len(); n += 7 {
		id, d := docOf(c, n)
		if n%2 == 0 {
			b.Delete(id)
		} else if err := b.Index(id, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	waitPersisted(t, bi)
	// Reopened read-only, the index has no persister and no merger: its
	// layout of segments stays as it is. A writable index could still
	// introduce a new snapshot (a segment dropped or merged) between the
	// two searches a test compares, and documents with equal scores
	// would come in another order in the second (1 run in 30 failed so).
	err := bi.Close()
	bi = nil
	if err != nil {
		t.Fatal(err)
	}
	ro, err := bleve.OpenUsing(dir, map[string]interface{}{"read_only": true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	if n := liveSegments(t, ro); n < 2 {
		t.Fatalf("%d segments; the test needs several", n)
	}
	return ro, c
}

func liveSegments(t testing.TB, bi bleve.Index) int {
	t.Helper()
	n, err := Segments(bi)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// allIDs returns the ids of every document q finds, sorted.
func allIDs(t testing.TB, bi bleve.Index, q query.Query) []string {
	t.Helper()
	sr, err := bi.Search(bleve.NewSearchRequestOptions(q, 100000, 0, false))
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

// Queries shaped like those search compiles: a word or phrase in the
// title (boost 3), the text (1) and the reference (8), prefixes as
// constant-score terms queries.

func word(w string) query.Query {
	var alts []query.Query
	for _, f := range []struct {
		name  string
		boost float64
	}{{"title", 3}, {"text", 1}} {
		q := bleve.NewMatchQuery(w)
		q.SetField(f.name)
		q.SetBoost(f.boost)
		alts = append(alts, q)
	}
	ref := bleve.NewTermQuery(w)
	ref.SetField("reference")
	ref.SetBoost(8)
	return bleve.NewDisjunctionQuery(append(alts, ref)...)
}

func phrase(p string) query.Query {
	title := bleve.NewMatchPhraseQuery(p)
	title.SetField("title")
	title.SetBoost(3)
	text := bleve.NewMatchPhraseQuery(p)
	text.SetField("text")
	return bleve.NewDisjunctionQuery(title, text)
}

func prefix(pre string) query.Query {
	return bleve.NewDisjunctionQuery(&TermsQuery{Field: "title", Prefix: pre, Boost: 3},
		&TermsQuery{Field: "text", Prefix: pre, Boost: 1}, &TermsQuery{Field: "reference", Prefix: pre, Boost: 8})
}

func all(qs ...query.Query) query.Query {
	bq := bleve.NewBooleanQuery()
	bq.AddMust(qs...)
	return bq
}

func kwTerm(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}
