package scorch

import (
	"fmt"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bscorch "github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Snapshot is a consistent view of an index for reading its segments'
// dictionaries and postings directly (typo tolerance). Sets of documents
// are given per segment, in the segment's own document numbers (deleted
// documents included): a slice with one bitmap per segment, where a nil
// bitmap stands for the empty set. Close releases the view.
type Snapshot struct {
	is *bscorch.IndexSnapshot
	c  *Cache
}

// Snapshot opens the current view of bi, whose cache c is.
func (c *Cache) Snapshot(bi bleve.Index) (*Snapshot, error) {
	is, err := snapshot(bi)
	if err != nil {
		return nil, err
	}
	return &Snapshot{is: is, c: c}, nil
}

// Close releases the view.
func (s *Snapshot) Close() error { return s.is.Close() }

// Segments is the number of segments of the view.
func (s *Snapshot) Segments() int { return len(s.is.Segments()) }

// NonPublic returns the documents not marked public (Fields.Vis and
// Fields.Public), per segment: the same documents of an immutable segment
// every time, kept in the cache with the segment's other derived data
// (the complement of the bitmap that Page.PublicOnly filters with).
func (s *Snapshot) NonPublic() ([]*roaring.Bitmap, error) {
	data, err := s.c.data(s.is)
	if err != nil {
		return nil, err
	}
	out := make([]*roaring.Bitmap, len(data))
	for i, ss := range s.is.Segments() {
		if out[i], err = data[i].nonPublicDocs(ss.Segment(), &s.c.fields); err != nil {
			return nil, fmt.Errorf("search: visibility of a segment: %w", err)
		}
	}
	return out, nil
}

// Docs returns the documents with a term of field that want accepts, per
// segment.
func (s *Snapshot) Docs(field string, want func(term string) bool) ([]*roaring.Bitmap, error) {
	segs := s.is.Segments()
	out := make([]*roaring.Bitmap, len(segs))
	for i, ss := range segs {
		bm := roaring.New()
		err := eachPosting(ss.Segment(), field, func(term []byte) bool { return want(string(term)) },
			func(num uint64) { bm.Add(uint32(num)) })
		if err != nil {
			return nil, fmt.Errorf("search: visibility of a segment: %w", err)
		}
		out[i] = bm
	}
	return out, nil
}

// Similar is a dictionary term near a word.
type Similar struct {
	Term  string
	Dist  uint8  // edit distance to the word
	Count uint64 // documents with the term outside the hidden ones, deleted ones included
}

// Similar returns the terms of field's dictionaries within fuzz (1 or 2)
// edits of word, transpositions counting as one, that begin with word's
// first letter (as bleve's fuzzy query with prefix 1), each with the
// number of documents outside hidden that have it, over all segments.
// Terms only in hidden documents are left out. hidden may be nil (no
// document hidden). The order is unspecified.
func (s *Snapshot) Similar(field, word string, fuzz int, hidden []*roaring.Bitmap) ([]Similar, error) {
	a, err := s.c.lev.dfa(word, fuzz)
	if err != nil {
		return nil, err
	}
	_, size := utf8.DecodeRuneInString(word)
	beg := []byte(word[:size])
	end := prefixEnd(beg)
	found := map[string]Similar{}
	var pl segment.PostingsList
	for i, ss := range s.is.Segments() {
		d, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("search: dictionary of %s: %w", field, err)
		}
		var h *roaring.Bitmap
		if hidden != nil {
			h = hidden[i]
		}
		it := d.AutomatonIterator(a, beg, end)
		for {
			de, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("search: dictionary of %s: %w", field, err)
			}
			if de == nil {
				break
			}
			count := de.Count
			if h != nil {
				if pl, err = d.PostingsList([]byte(de.Term), h, pl); err != nil {
					return nil, fmt.Errorf("search: postings of %s: %w", field, err)
				}
				count = pl.Count()
			}
			c, ok := found[de.Term]
			if !ok {
				c = Similar{Term: de.Term, Dist: de.EditDistance}
			}
			c.Count += count
			found[de.Term] = c
		}
	}
	out := make([]Similar, 0, len(found))
	for _, c := range found {
		if c.Count > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}
