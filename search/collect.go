package search

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// This file replaces bleve's TopN collector and facet builder for
// Search. bleve counts facets by visiting each hit's doc values (decoding
// a compressed chunk per hit), which took a third of a query's time when
// a query hits tens of thousands of documents. Here the facet values and
// dates of each segment are inverted once into plain arrays indexed by
// the segment-local document number, and counting a hit is an array
// lookup.
//
// How this relies on scorch: an index reader is an *scorch.IndexSnapshot,
// a consistent view that holds a reference on each of its segments until
// it is closed. Segments never change once built (updates and deletes
// add segments and deletion bitmaps to newer snapshots; merges replace
// segments by new ones), so data derived from a segment stays valid for
// as long as that segment object exists, and is cached by the segment's
// identity (the interface value, which keeps the object alive: an
// address could be reused by a later segment). A hit's internal id is the
// global document number: the sum of the sizes (Count, deleted documents
// included) of the snapshot's earlier segments plus the local number.
// Deleted documents never reach the collector (the searchers skip them),
// so the arrays may include them. Concurrent updates produce new
// snapshots; a query sees only its own.

// segCache holds the derived arrays of recently seen segments, and the
// Levenshtein automaton builders of typo tolerance (typo.go). It is safe
// for concurrent use.
type segCache struct {
	mu   sync.Mutex
	segs map[segment.Segment]*segData
	lev  levBuilders
}

func newSegCache() *segCache { return &segCache{segs: map[segment.Segment]*segData{}} }

// segData is what one immutable segment yields for collection.
type segData struct {
	// terms are the values of the field facet in the segment; the values
	// of local document d are terms[codes[offs[d]:offs[d+1]]].
	terms []string
	offs  []uint32
	codes []uint32

	publicOnce sync.Once
	public     *roaring.Bitmap // documents marked public (vis=public)
	publicErr  error

	hiddenOnce sync.Once
	hidden     *roaring.Bitmap // the complement of public (typo.go)

	datesOnce sync.Once
	dates     []int64 // UnixNano of field date; noDate when missing
	datesErr  error
}

// publicDocs returns the documents of seg marked public: the postings of
// vis=public, built once per segment. A document without that term is
// not in it (deny by default).
func (d *segData) publicDocs(seg segment.Segment) (*roaring.Bitmap, error) {
	d.publicOnce.Do(func() {
		pub := roaring.New()
		d.publicErr = eachPosting(seg, "vis", func(term []byte) bool { return string(term) == visPublic },
			func(num uint64) { pub.Add(uint32(num)) })
		d.public = pub
	})
	return d.public, d.publicErr
}

// nonPublicDocs returns the documents of seg not marked public: the
// complement of publicDocs, built once per segment (typo tolerance counts
// term frequencies without them).
func (d *segData) nonPublicDocs(seg segment.Segment) (*roaring.Bitmap, error) {
	pub, err := d.publicDocs(seg)
	if err != nil {
		return nil, err
	}
	d.hiddenOnce.Do(func() {
		h := roaring.New()
		h.AddRange(0, seg.Count())
		h.AndNot(pub)
		d.hidden = h
	})
	return d.hidden, nil
}

// noDate marks a document without a date; it sorts last either way.
const noDate = int64(-1 << 63)

// data returns the arrays of the segments of is, building those it has
// not seen, and forgets segments that is no longer has.
func (c *segCache) data(is *scorch.IndexSnapshot) ([]*segData, error) {
	segs := is.Segments()
	out := make([]*segData, len(segs))
	var missing []int
	c.mu.Lock()
	for i, ss := range segs {
		if d, ok := c.segs[ss.Segment()]; ok {
			out[i] = d
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()
	for _, i := range missing {
		d, err := newSegData(segs[i].Segment())
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range missing {
		c.segs[segs[i].Segment()] = out[i]
	}
	if len(c.segs) > len(segs) {
		// Drop segments merged away or replaced by their persisted
		// form; a query still on an older snapshot rebuilds what it
		// needs, which is correct, only slower.
		live := make(map[segment.Segment]bool, len(segs))
		for _, ss := range segs {
			live[ss.Segment()] = true
		}
		for s := range c.segs {
			if !live[s] {
				delete(c.segs, s)
			}
		}
	}
	return out, nil
}

// newSegData inverts the field facet of seg: per term its postings, per
// document its terms.
func newSegData(seg segment.Segment) (*segData, error) {
	n := seg.Count()
	d := &segData{offs: make([]uint32, n+1)}
	var docs [][]uint32 // per term, its documents
	err := eachPosting(seg, "facet", func(term []byte) bool {
		d.terms = append(d.terms, string(term))
		docs = append(docs, nil)
		return true
	}, func(num uint64) {
		t := len(docs) - 1
		docs[t] = append(docs[t], uint32(num))
		d.offs[num+1]++
	})
	if err != nil {
		return nil, fmt.Errorf("facet values of a segment: %w", err)
	}
	for i := uint64(1); i <= n; i++ {
		d.offs[i] += d.offs[i-1]
	}
	d.codes = make([]uint32, d.offs[n])
	fill := make([]uint32, n)
	for t, ds := range docs {
		for _, num := range ds {
			d.codes[d.offs[num]+fill[num]] = uint32(t)
			fill[num]++
		}
	}
	return d, nil
}

// datesOf returns the dates of the documents of seg (d's segment),
// inverting the field date on first use.
func (d *segData) datesOf(seg segment.Segment) ([]int64, error) {
	d.datesOnce.Do(func() {
		dates := make([]int64, seg.Count())
		for i := range dates {
			dates[i] = noDate
		}
		var cur int64
		err := eachPosting(seg, "date", func(term []byte) bool {
			// Dates are indexed at several precisions; the full one has
			// shift 0.
			pc := numeric.PrefixCoded(term)
			if s, err := pc.Shift(); err != nil || s != 0 {
				return false
			}
			v, err := pc.Int64()
			cur = v
			return err == nil
		}, func(num uint64) { dates[num] = cur })
		if err != nil {
			d.datesErr = fmt.Errorf("dates of a segment: %w", err)
			return
		}
		d.dates = dates
	})
	return d.dates, d.datesErr
}

// eachPosting walks the terms of field in seg; for each term that
// wantTerm accepts it calls doc with every document number of its
// postings (deleted documents included).
func eachPosting(seg segment.Segment, field string, wantTerm func(term []byte) bool, doc func(num uint64)) error {
	dict, err := seg.Dictionary(field)
	if err != nil {
		return err
	}
	if dict == nil {
		return nil
	}
	it := dict.AutomatonIterator(nil, nil, nil)
	var pl segment.PostingsList
	var pi segment.PostingsIterator
	for {
		e, err := it.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		term := []byte(e.Term)
		if !wantTerm(term) {
			continue
		}
		if pl, err = dict.PostingsList(term, nil, pl); err != nil {
			return err
		}
		pi = pl.Iterator(false, false, false, pi)
		for {
			p, err := pi.Next()
			if err != nil {
				return err
			}
			if p == nil {
				break
			}
			doc(p.Number())
		}
	}
}

// found is the result of one collection: the total number of hits, the
// requested page of them and the facet counts over all of them.
type found struct {
	Total  int
	Hits   []foundHit
	Facets []facetCount // by count, most first; ties by value
}

// foundHit is one hit of a page: its index id and stored fields (in the
// form bleve returns them: strings, dates as RFC 3339).
type foundHit struct {
	ID     string
	Fields map[string]interface{}
}

// facetCount is the number of hits with one value of the field facet.
type facetCount struct {
	Term  string
	Count int
}

// hitFields are the stored fields a page's hits carry.
var hitFields = [...]string{"title", "reference", "status", "date", "parent", "meeting"}

// ranked is a hit kept for the page: its sort keys and, once needed,
// its external id.
type ranked struct {
	num   uint64 // global document number
	score float64
	date  int64
	id    string
}

// collector keeps the best size hits of a search.
type collector struct {
	sortBy Sort // SortRelevance, SortNewest or SortOldest
	is     *scorch.IndexSnapshot
	heap   []ranked // worst first
	size   int
	err    error
}

// better reports whether a ranks before b.
func (c *collector) better(a, b *ranked) bool {
	if c.sortBy != SortRelevance {
		if a.date != b.date {
			if a.date == noDate || b.date == noDate {
				return b.date == noDate
			}
			if c.sortBy == SortOldest {
				return a.date < b.date
			}
			return a.date > b.date
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return c.idOf(a) < c.idOf(b)
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return a.num < b.num
}

// idOf is r's external id, looked up once.
func (c *collector) idOf(r *ranked) string {
	if r.id == "" {
		id, err := c.is.ExternalID(index.NewIndexInternalID(nil, r.num))
		if err != nil && c.err == nil {
			c.err = err
		}
		r.id = id
	}
	return r.id
}

// heap.Interface over c.heap, worst hit at the root.
func (c *collector) Len() int           { return len(c.heap) }
func (c *collector) Less(i, j int) bool { return c.better(&c.heap[j], &c.heap[i]) }
func (c *collector) Swap(i, j int)      { c.heap[i], c.heap[j] = c.heap[j], c.heap[i] }
func (c *collector) Push(x any)         { c.heap = append(c.heap, x.(ranked)) }
func (c *collector) Pop() any {
	r := c.heap[len(c.heap)-1]
	c.heap = c.heap[:len(c.heap)-1]
	return r
}

// offer considers r for the page.
func (c *collector) offer(r ranked) {
	if c.size == 0 {
		return
	}
	if len(c.heap) < c.size {
		heap.Push(c, r)
		return
	}
	if c.better(&r, &c.heap[0]) {
		c.heap[0] = r
		heap.Fix(c, 0)
	}
}

// snapshot opens the current snapshot of bi; the caller closes it.
func snapshot(bi bleve.Index) (*scorch.IndexSnapshot, error) {
	ai, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: open reader: %w", err)
	}
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		_ = r.Close()
		return nil, fmt.Errorf("search: index reader is %T, not a scorch snapshot", r)
	}
	return is, nil
}

// collect runs q on bi and returns the total, hits from..from+size in
// sortBy order with their stored fields, and the facet counts of all
// hits. q carries the visibility filter, except with publicOnly: then
// collect itself drops every hit not marked public (a bitmap test per
// hit, cheaper than bleve's filter searcher, which advances a term
// iterator and fills a match for every hit) before it counts or keeps
// it.
func collect(ctx context.Context, bi bleve.Index, segs *segCache, q query.Query, publicOnly bool, sortBy Sort, size, from int) (*found, error) {
	is, err := snapshot(bi)
	if err != nil {
		return nil, err
	}
	defer is.Close()
	data, err := segs.data(is)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ss := is.Segments()
	// bases[i] is the global number of segment i's first document.
	bases := make([]uint64, len(ss)+1)
	for i, s := range ss {
		bases[i+1] = bases[i] + s.Segment().Count()
	}
	var dates [][]int64
	if sortBy != SortRelevance {
		dates = make([][]int64, len(ss))
		for i, s := range ss {
			if dates[i], err = data[i].datesOf(s.Segment()); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
		}
	}

	var public []*roaring.Bitmap
	if publicOnly {
		public = make([]*roaring.Bitmap, len(ss))
		for i, s := range ss {
			if public[i], err = data[i].publicDocs(s.Segment()); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
		}
	}

	ctx = context.WithValue(ctx, bsearch.GetScoringModelCallbackKey,
		bsearch.GetScoringModelCallbackFn(func() string { return index.DefaultScoringModel }))
	ctx = bsearch.ContextWithTermSearchersCounter(ctx)
	searcher, err := q.Searcher(ctx, is, bi.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer searcher.Close()
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(searcher.DocumentMatchPoolSize()+1, 0),
		IndexReader:       is,
	}
	c := &collector{sortBy: sortBy, is: is, size: from + size}
	counts := make([][]int, len(ss))
	for i, d := range data {
		counts[i] = make([]int, len(d.terms))
	}
	total, seg := 0, 0
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			break
		}
		num := dm.IndexInternalID.Value()
		for seg+1 < len(ss) && num >= bases[seg+1] {
			seg++
		}
		if num < bases[seg] || num >= bases[seg+1] {
			return nil, errors.New("search: hit outside the snapshot's segments")
		}
		local := num - bases[seg]
		if public != nil && !public[seg].Contains(uint32(local)) {
			sctx.DocumentMatchPool.Put(dm)
			continue
		}
		total++
		d, cnt := data[seg], counts[seg]
		for _, code := range d.codes[d.offs[local]:d.offs[local+1]] {
			cnt[code]++
		}
		rk := ranked{num: num, score: dm.Score, date: noDate}
		if dates != nil {
			rk.date = dates[seg][local]
		}
		c.offer(rk)
		sctx.DocumentMatchPool.Put(dm)
	}
	if c.err != nil {
		return nil, fmt.Errorf("search: %w", c.err)
	}
	res := &found{Total: total, Facets: facetCounts(data, counts)}
	page := make([]ranked, len(c.heap))
	for i := len(page) - 1; i >= 0; i-- {
		page[i] = heap.Pop(c).(ranked)
	}
	if from < len(page) {
		page = page[from:]
	} else {
		page = nil
	}
	for i := range page {
		h, err := storedHit(is, c.idOf(&page[i]))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		res.Hits = append(res.Hits, h)
	}
	if c.err != nil {
		return nil, fmt.Errorf("search: %w", c.err)
	}
	return res, nil
}

// facetCounts adds up the per-segment counts by value, most first, at
// most maxFacetTerms values.
func facetCounts(data []*segData, counts [][]int) []facetCount {
	byTerm := map[string]int{}
	for i, d := range data {
		for t, n := range counts[i] {
			if n > 0 {
				byTerm[d.terms[t]] += n
			}
		}
	}
	out := make([]facetCount, 0, len(byTerm))
	for t, n := range byTerm {
		out = append(out, facetCount{Term: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > maxFacetTerms {
		out = out[:maxFacetTerms]
	}
	return out
}

// storedHit reads the stored fields of document id.
func storedHit(is *scorch.IndexSnapshot, id string) (foundHit, error) {
	h := foundHit{ID: id, Fields: map[string]interface{}{}}
	doc, err := is.Document(id)
	if err != nil {
		return h, fmt.Errorf("load %s: %w", id, err)
	}
	if doc == nil {
		return h, nil
	}
	doc.VisitFields(func(f index.Field) {
		name := f.Name()
		want := false
		for _, n := range hitFields {
			want = want || n == name
		}
		if !want {
			return
		}
		switch f := f.(type) {
		case index.DateTimeField:
			if t, _, err := f.DateTime(); err == nil {
				h.Fields[name] = t.Format(time.RFC3339)
			}
		default:
			h.Fields[name] = strings.Clone(string(f.Value()))
		}
	})
	return h, nil
}
