package scorch

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bscorch "github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Collect replaces bleve's TopN collector and facet builder. bleve counts
// facets by visiting each hit's doc values (decoding a compressed chunk
// per hit), which took a third of a query's time when a query hits tens
// of thousands of documents. Here the facet values and dates of each
// segment are inverted once into plain arrays indexed by the
// segment-local document number (Cache), and counting a hit is an array
// lookup.

// Order is the order of a page's hits.
type Order int

// Orders of hits. Ties of score fall back to the index's order of
// documents; ties of date to the score, then the id. Documents without a
// date sort last either way.
const (
	ByScore Order = iota // best score first
	Newest               // latest date first
	Oldest               // earliest date first
)

// Page says which hits Collect keeps.
type Page struct {
	Order      Order
	Size, From int // hits From..From+Size in Order
	// PublicOnly drops every hit not marked public (Fields.Vis and
	// Fields.Public) before it is counted or kept: a bitmap test per hit,
	// cheaper than bleve's filter searcher, which advances a term
	// iterator and fills a match for every hit. The query then carries no
	// visibility filter.
	PublicOnly bool
	// Collapse keeps one hit per group (Fields.Group), the group's best
	// in Order, and counts groups, not hits, in Found.Total; a document
	// without a group is a group of its own. Facets still count hits.
	Collapse bool
	// Count is, when collapsing, a value of the facet field: each hit of
	// the page carries how many hits of its group have it (Hit.Count).
	Count string
}

// Found is the result of one collection: the total number of hits, the
// requested page of them and the facet counts over all of them.
type Found struct {
	Total  int
	Docs   int // hits before collapsing (Page.Collapse); Total without it
	Hits   []Hit
	Facets []FacetCount // by count, most first; ties by value
}

// Hit is one hit of a page: its index id and stored fields (in the form
// bleve returns them: strings, dates as RFC 3339).
type Hit struct {
	ID     string
	Fields map[string]interface{}
	// Count is, with Page.Count, how many hits of the hit's group have
	// that facet value.
	Count int
}

// FacetCount is the number of hits with one value of the facet field.
type FacetCount struct {
	Term  string
	Count int
}

// ranked is a hit kept for the page: its sort keys and, once needed,
// its external id.
type ranked struct {
	num   uint64 // global document number
	score float64
	date  int64
	id    string
	gid   int32 // group number, -1 for none
}

// collector keeps the best size hits of a search.
type collector struct {
	order Order
	is    *bscorch.IndexSnapshot
	heap  []ranked // worst first
	size  int
	err   error
	// pos is, when collapsing, each group's index in heap plus one (0:
	// not in the heap), kept by Swap, Push and Pop.
	pos []int32
}

// better reports whether a ranks before b.
func (c *collector) better(a, b *ranked) bool {
	if c.order != ByScore {
		if a.date != b.date {
			if a.date == noDate || b.date == noDate {
				return b.date == noDate
			}
			if c.order == Oldest {
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
func (c *collector) Swap(i, j int) {
	c.heap[i], c.heap[j] = c.heap[j], c.heap[i]
	c.place(i)
	c.place(j)
}
func (c *collector) Push(x any) {
	c.heap = append(c.heap, x.(ranked))
	c.place(len(c.heap) - 1)
}
func (c *collector) Pop() any {
	r := c.heap[len(c.heap)-1]
	c.heap = c.heap[:len(c.heap)-1]
	if c.pos != nil && r.gid >= 0 {
		c.pos[r.gid] = 0
	}
	return r
}

// place records that the hit at heap index i is there, when collapsing.
func (c *collector) place(i int) {
	if c.pos != nil && c.heap[i].gid >= 0 {
		c.pos[c.heap[i].gid] = int32(i + 1)
	}
}

// offer considers r for the page.
func (c *collector) offer(r ranked) {
	if c.size == 0 {
		return
	}
	if c.pos != nil && r.gid >= 0 {
		if at := c.pos[r.gid]; at > 0 {
			// The group is on the page so far: r replaces its hit when better.
			if c.better(&r, &c.heap[at-1]) {
				c.heap[at-1] = r
				heap.Fix(c, int(at-1))
			}
			return
		}
	}
	if len(c.heap) < c.size {
		heap.Push(c, r)
		return
	}
	if c.better(&r, &c.heap[0]) {
		if c.pos != nil && c.heap[0].gid >= 0 {
			c.pos[c.heap[0].gid] = 0
		}
		c.heap[0] = r
		c.place(0)
		heap.Fix(c, 0)
	}
}

// page returns the kept hits from..end in order, emptying the heap.
func (c *collector) page(from int) []ranked {
	page := make([]ranked, len(c.heap))
	for i := len(page) - 1; i >= 0; i-- {
		page[i] = heap.Pop(c).(ranked)
	}
	if from < len(page) {
		return page[from:]
	}
	return nil
}

// snapshotData is what a collection reads of one snapshot, per segment.
type snapshotData struct {
	data   []*segData
	bases  []uint64          // bases[i]: global number of segment i's first document; one more entry than segments
	dates  [][]int64         // nil unless sorting by date
	public []*roaring.Bitmap // nil unless PublicOnly
	// inGroup counts, by group, the hits with the facet value counted
	// (Page.Count); nil unless counting. countCode is, by segment, that
	// value's code (MaxUint32: not in the segment).
	inGroup   []int32
	countCode []uint32
}

// prepare reads (from the cache, or builds) the per-segment arrays of is
// that a collection for pg needs.
func (c *Cache) prepare(is *bscorch.IndexSnapshot, pg Page) (*snapshotData, error) {
	data, err := c.data(is)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ss := is.Segments()
	sd := &snapshotData{data: data, bases: make([]uint64, len(ss)+1)}
	for i, s := range ss {
		sd.bases[i+1] = sd.bases[i] + s.Segment().Count()
	}
	if pg.Order != ByScore {
		sd.dates = make([][]int64, len(ss))
		for i, s := range ss {
			if sd.dates[i], err = data[i].datesOf(s.Segment(), c.fields.Date); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
		}
	}
	if pg.PublicOnly {
		sd.public = make([]*roaring.Bitmap, len(ss))
		for i, s := range ss {
			if sd.public[i], err = data[i].publicDocs(s.Segment(), &c.fields); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
		}
	}
	return sd, nil
}

// Collect runs q on bi with the arrays of c (which must be bi's cache)
// and returns the total, the hits of pg with their stored fields, and the
// facet counts of all hits.
func Collect(ctx context.Context, bi bleve.Index, c *Cache, q query.Query, pg Page) (*Found, error) {
	is, err := snapshot(bi)
	if err != nil {
		return nil, err
	}
	defer is.Close()
	sd, err := c.prepare(is, pg)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, bsearch.GetScoringModelCallbackKey,
		bsearch.GetScoringModelCallbackFn(func() string { return index.DefaultScoringModel }))
	ctx = bsearch.ContextWithTermSearchersCounter(ctx)
	searcher, err := q.Searcher(ctx, is, bi.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer searcher.Close()
	col := &collector{order: pg.Order, is: is, size: pg.From + pg.Size}
	var seen []bool // when collapsing: the groups hit so far
	if pg.Collapse {
		n := c.numGroups()
		col.pos, seen = make([]int32, n), make([]bool, n)
		if pg.Count != "" {
			sd.inGroup = make([]int32, n)
			sd.countCode = make([]uint32, len(sd.data))
			for i, d := range sd.data {
				sd.countCode[i] = uint32(math.MaxUint32)
				if at := slices.Index(d.terms, pg.Count); at >= 0 {
					sd.countCode[i] = uint32(at)
				}
			}
		}
	}
	total, groups, counts, err := sd.run(ctx, searcher, is, col, seen)
	if err != nil {
		return nil, err
	}
	res := &Found{Total: total, Docs: total, Facets: facetCounts(sd.data, counts, c.fields.MaxFacets)}
	if pg.Collapse {
		res.Total = groups
	}
	page := col.page(pg.From)
	for i := range page {
		h, err := storedHit(is, col.idOf(&page[i]), c.fields.Stored)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if g := page[i].gid; sd.inGroup != nil && g >= 0 {
			h.Count = int(sd.inGroup[g])
		}
		res.Hits = append(res.Hits, h)
	}
	if col.err != nil {
		return nil, fmt.Errorf("search: %w", col.err)
	}
	return res, nil
}

// run steps searcher through its hits: it drops those not public when
// sd has public bitmaps, counts the facet values of the others and
// offers them to col. It returns the total, the number of groups when
// seen is not nil (it marks each hit's group in it), and the per-segment
// counts of facet values.
func (sd *snapshotData) run(ctx context.Context, searcher bsearch.Searcher, is *bscorch.IndexSnapshot, col *collector, seen []bool) (int, int, [][]int, error) {
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(searcher.DocumentMatchPoolSize()+1, 0),
		IndexReader:       is,
	}
	counts := make([][]int, len(sd.data))
	for i, d := range sd.data {
		counts[i] = make([]int, len(d.terms))
	}
	total, groups, seg := 0, 0, 0
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, 0, nil, fmt.Errorf("search: %w", err)
			}
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			break
		}
		num := dm.IndexInternalID.Value()
		for seg+2 < len(sd.bases) && num >= sd.bases[seg+1] {
			seg++
		}
		if num < sd.bases[seg] || num >= sd.bases[seg+1] {
			return 0, 0, nil, errors.New("search: hit outside the snapshot's segments")
		}
		local := num - sd.bases[seg]
		if sd.public != nil && !sd.public[seg].Contains(uint32(local)) {
			sctx.DocumentMatchPool.Put(dm)
			continue
		}
		total++
		d, cnt := sd.data[seg], counts[seg]
		counted, cc := false, uint32(math.MaxUint32)
		if sd.inGroup != nil {
			cc = sd.countCode[seg]
		}
		for _, code := range d.codes[d.offs[local]:d.offs[local+1]] {
			cnt[code]++
			counted = counted || code == cc
		}
		rk := ranked{num: num, score: dm.Score, date: noDate, gid: -1}
		if sd.dates != nil {
			rk.date = sd.dates[seg][local]
		}
		if seen != nil {
			switch g := d.gids[local]; {
			case g < 0:
				groups++
			case !seen[g]:
				seen[g] = true
				groups++
				rk.gid = g
			default:
				rk.gid = g
			}
			if counted && rk.gid >= 0 && sd.inGroup != nil {
				sd.inGroup[rk.gid]++
			}
		}
		col.offer(rk)
		sctx.DocumentMatchPool.Put(dm)
	}
	if col.err != nil {
		return 0, 0, nil, fmt.Errorf("search: %w", col.err)
	}
	return total, groups, counts, nil
}

// facetCounts adds up the per-segment counts by value, most first, at
// most max values.
func facetCounts(data []*segData, counts [][]int, max int) []FacetCount {
	byTerm := map[string]int{}
	for i, d := range data {
		for t, n := range counts[i] {
			if n > 0 {
				byTerm[d.terms[t]] += n
			}
		}
	}
	out := make([]FacetCount, 0, len(byTerm))
	for t, n := range byTerm {
		out = append(out, FacetCount{Term: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// storedHit reads the stored fields of document id.
func storedHit(is *bscorch.IndexSnapshot, id string, stored []string) (Hit, error) {
	h := Hit{ID: id, Fields: map[string]interface{}{}}
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
		for _, n := range stored {
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
