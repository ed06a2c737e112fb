package scorch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	bscorch "github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// TermsQuery matches the documents that have, in Field, any term that
// starts with Prefix (when Prefix is set) or any of Terms, and scores
// every hit the same: Boost times the query norm. It is Lucene's
// constant-score rewrite of multi-term queries, used for prefixes and
// typo expansions: "Sanier*" expands to every indexed term that starts
// with "sanier" (dozens of compounds and inflections, tens of thousands
// of documents at full size; "Ver*" to thousands of terms), and scoring
// each of them meant a heap of term iterators advanced hit by hit. The
// query reads each term's postings straight from scorch's segments into
// one bitmap of document numbers instead (no term searcher per term).
// How well a hit matches a prefix says little anyway; the other words of
// the query and the field boosts still rank.
type TermsQuery struct {
	Field  string
	Prefix string
	Terms  []string
	Boost  float64
}

// Searcher implements bleve's query.Query.
func (q *TermsQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	is, ok := r.(*bscorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("terms query: index reader is %T, not a scorch snapshot", r)
	}
	docs := roaring.New()
	var base uint64
	for _, ss := range is.Segments() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		local, err := q.segmentDocs(ss.Segment())
		if err != nil {
			return nil, fmt.Errorf("terms query: %w", err)
		}
		if del := ss.Deleted(); del != nil {
			local.AndNot(del)
		}
		if base+ss.Segment().Count() > math.MaxUint32 {
			return nil, errors.New("terms query: index too large for 32-bit document numbers")
		}
		docs.Or(roaring.AddOffset(local, uint32(base)))
		base += ss.Segment().Count()
	}
	return &bitmapSearcher{docs: docs, it: docs.Iterator(), boost: q.Boost, weight: q.Boost, scores: options.Score != "none"}, nil
}

// segmentDocs is the union of the postings of q's terms in seg, in the
// segment's own document numbers (deleted documents included).
func (q *TermsQuery) segmentDocs(seg segment.Segment) (*roaring.Bitmap, error) {
	out := roaring.New()
	dict, err := seg.Dictionary(q.Field)
	if err != nil || dict == nil {
		return out, err
	}
	var pl segment.PostingsList
	var pi segment.PostingsIterator
	add := func(term []byte) error {
		if pl, err = dict.PostingsList(term, nil, pl); err != nil {
			return err
		}
		pi = pl.Iterator(false, false, false, pi)
		if opt, ok := pi.(segment.OptimizablePostingsIterator); ok {
			if n, ok := opt.DocNum1Hit(); ok {
				out.Add(uint32(n))
				return nil
			}
			if bm := opt.ActualBitmap(); bm != nil {
				out.Or(bm)
				return nil
			}
		}
		for {
			p, err := pi.Next()
			if err != nil || p == nil {
				return err
			}
			out.Add(uint32(p.Number()))
		}
	}
	if q.Prefix == "" {
		for _, t := range q.Terms {
			if err := add([]byte(t)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	it := dict.AutomatonIterator(nil, []byte(q.Prefix), prefixEnd([]byte(q.Prefix)))
	for {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		if err := add([]byte(e.Term)); err != nil {
			return nil, err
		}
	}
}

// prefixEnd is the least key after every key that begins with pre, nil
// when there is none.
func prefixEnd(pre []byte) []byte {
	end := slices.Clone(pre)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// bitmapSearcher yields the documents of a bitmap of global document
// numbers in order, each scoring boost times the query norm.
type bitmapSearcher struct {
	docs   *roaring.Bitmap
	it     roaring.IntPeekable
	boost  float64
	weight float64
	scores bool
}

func (s *bitmapSearcher) match(ctx *bsearch.SearchContext) *bsearch.DocumentMatch {
	if !s.it.HasNext() {
		return nil
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID[:0], uint64(s.it.Next()))
	if s.scores {
		dm.Score = s.weight
	}
	return dm
}

func (s *bitmapSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	return s.match(ctx), nil
}

func (s *bitmapSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n := id.Value()
	if n > math.MaxUint32 {
		return nil, nil
	}
	s.it.AdvanceIfNeeded(uint32(n))
	return s.match(ctx), nil
}

func (s *bitmapSearcher) Close() error               { return nil }
func (s *bitmapSearcher) Weight() float64            { return s.boost * s.boost }
func (s *bitmapSearcher) SetQueryNorm(norm float64)  { s.weight = s.boost * norm }
func (s *bitmapSearcher) Count() uint64              { return s.docs.GetCardinality() }
func (s *bitmapSearcher) Min() int                   { return 0 }
func (s *bitmapSearcher) Size() int                  { return int(s.docs.GetSizeInBytes()) + 64 }
func (s *bitmapSearcher) DocumentMatchPoolSize() int { return 1 }
