package scorch

import (
	"fmt"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bscorch "github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	lev "github.com/blevesearch/vellum/levenshtein"
)

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
// Deleted documents never reach a collector (the searchers skip them),
// so the arrays may include them. Concurrent updates produce new
// snapshots; a query sees only its own.

// Fields names the fields of an index that Collect and the public-only
// filter read.
type Fields struct {
	// Facet is a keyword field that holds every facet value of a
	// document; Collect counts its values over all hits.
	Facet string
	// MaxFacets bounds the facet values Collect returns.
	MaxFacets int
	// Date is the date field that Newest and Oldest sort by.
	Date string
	// Vis is the keyword field of visibility classes, and Public its
	// term for documents everybody may see (Page.PublicOnly).
	Vis, Public string
	// Stored are the stored fields a page's hits carry.
	Stored []string
	// Group is a keyword field with at most one value per document: the
	// key of the group the document belongs to (Page.Collapse); "" when
	// the index has none.
	Group string
}

// Cache holds the derived arrays of recently seen segments of one index,
// and the Levenshtein automaton builders of Similar. It is safe for
// concurrent use.
type Cache struct {
	fields Fields
	mu     sync.Mutex
	segs   map[segment.Segment]*segData
	lev    levBuilders
	// groups numbers the group keys of all segments seen (Fields.Group),
	// so that a collection tells groups apart by an array index.
	groups map[string]int32
}

// NewCache returns an empty cache for an index with fields.
func NewCache(fields Fields) *Cache {
	return &Cache{fields: fields, segs: map[segment.Segment]*segData{}, groups: map[string]int32{}}
}

// segData is what one immutable segment yields for collection.
type segData struct {
	// terms are the values of the facet field in the segment; the values
	// of local document d are terms[codes[offs[d]:offs[d+1]]].
	terms []string
	offs  []uint32
	codes []uint32

	publicOnce sync.Once
	public     *roaring.Bitmap // documents marked public
	publicErr  error

	hiddenOnce sync.Once
	hidden     *roaring.Bitmap // the complement of public (Snapshot.NonPublic)

	datesOnce sync.Once
	dates     []int64 // UnixNano of the date field; noDate when missing
	datesErr  error

	// gids holds each document's group number (Cache.groups), -1 for
	// none; filled when the segment is first seen.
	gids []int32
}

// publicDocs returns the documents of seg marked public: the postings of
// the public term of the visibility field, built once per segment. A
// document without that term is not in it (deny by default).
func (d *segData) publicDocs(seg segment.Segment, f *Fields) (*roaring.Bitmap, error) {
	d.publicOnce.Do(func() {
		pub := roaring.New()
		d.publicErr = eachPosting(seg, f.Vis, func(term []byte) bool { return string(term) == f.Public },
			func(num uint64) { pub.Add(uint32(num)) })
		d.public = pub
	})
	return d.public, d.publicErr
}

// nonPublicDocs returns the documents of seg not marked public: the
// complement of publicDocs, built once per segment.
func (d *segData) nonPublicDocs(seg segment.Segment, f *Fields) (*roaring.Bitmap, error) {
	pub, err := d.publicDocs(seg, f)
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
func (c *Cache) data(is *bscorch.IndexSnapshot) ([]*segData, error) {
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
		d, err := newSegData(segs[i].Segment(), c.fields.Facet)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range missing {
		if err := c.numberGroups(segs[i].Segment(), out[i]); err != nil {
			return nil, err
		}
	}
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

// numberGroups fills d.gids from the group field of seg, numbering keys
// not seen before; the caller holds c.mu.
func (c *Cache) numberGroups(seg segment.Segment, d *segData) error {
	d.gids = make([]int32, seg.Count())
	for i := range d.gids {
		d.gids[i] = -1
	}
	if c.fields.Group == "" {
		return nil
	}
	var cur int32
	err := eachPosting(seg, c.fields.Group, func(term []byte) bool {
		if len(term) == 0 {
			return false // no group
		}
		g, ok := c.groups[string(term)]
		if !ok {
			g = int32(len(c.groups))
			c.groups[string(term)] = g
		}
		cur = g
		return true
	}, func(num uint64) { d.gids[num] = cur })
	if err != nil {
		return fmt.Errorf("groups of a segment: %w", err)
	}
	return nil
}

// numGroups is the number of group keys numbered so far.
func (c *Cache) numGroups() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.groups)
}

// newSegData inverts the facet field of seg: per term its postings, per
// document its terms.
func newSegData(seg segment.Segment, facet string) (*segData, error) {
	n := seg.Count()
	d := &segData{offs: make([]uint32, n+1)}
	var docs [][]uint32 // per term, its documents
	err := eachPosting(seg, facet, func(term []byte) bool {
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
// inverting the date field on first use.
func (d *segData) datesOf(seg segment.Segment, field string) ([]int64, error) {
	d.datesOnce.Do(func() {
		dates := make([]int64, seg.Count())
		for i := range dates {
			dates[i] = noDate
		}
		var cur int64
		err := eachPosting(seg, field, func(term []byte) bool {
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

// snapshot opens the current snapshot of bi; the caller closes it.
func snapshot(bi bleve.Index) (*bscorch.IndexSnapshot, error) {
	ai, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: open reader: %w", err)
	}
	is, ok := r.(*bscorch.IndexSnapshot)
	if !ok {
		_ = r.Close()
		return nil, fmt.Errorf("search: index reader is %T, not a scorch snapshot", r)
	}
	return is, nil
}

// levBuilders builds Levenshtein automata (with transpositions, as
// bleve's fuzzy query). A builder takes milliseconds to make, so each is
// made once, on first use; building automata from it is safe for
// concurrent use.
type levBuilders struct {
	once [2]sync.Once
	b    [2]*lev.LevenshteinAutomatonBuilder
	err  [2]error
}

func (l *levBuilders) dfa(term string, fuzz int) (*lev.DFA, error) {
	if fuzz < 1 || fuzz > len(l.b) {
		return nil, fmt.Errorf("levenshtein automaton of %q: fuzziness %d not in 1..%d", term, fuzz, len(l.b))
	}
	i := fuzz - 1
	l.once[i].Do(func() {
		l.b[i], l.err[i] = lev.NewLevenshteinAutomatonBuilder(uint8(fuzz), true)
	})
	if l.err[i] != nil {
		return nil, fmt.Errorf("levenshtein automaton builder: %w", l.err[i])
	}
	a, err := l.b[i].BuildDfa(term, uint8(fuzz))
	if err != nil {
		return nil, fmt.Errorf("levenshtein automaton of %q: %w", term, err)
	}
	return a, nil
}

// Fields returns the fields c was made for.
func (c *Cache) Fields() Fields { return c.fields }
