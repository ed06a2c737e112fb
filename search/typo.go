package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	lev "github.com/blevesearch/vellum/levenshtein"

	"github.com/plenar/plenar/council"
)

// Typo tolerance expands a misspelt word to the terms of each text
// field's dictionary within its edit distance (typoFuzziness) that share
// its first letter, like bleve's fuzzy query, but keeps only the
// maxExpansions most frequent of them, like Lucene's FuzzyQuery: a
// common stem has hundreds of neighbours (compound parts, inflections,
// the generator's vocabulary), and a disjunction over all of them made
// typo queries the slowest kind. The rarest neighbours are the least
// likely intended words and the cheapest to lose.
//
// The frequencies count only documents the viewer may see: which terms
// make the cut decides which public documents a typo query finds, so
// counts over non-public documents would let their text shape what the
// public gets (as "did you mean" uses public terms only).

// maxExpansions bounds the dictionary terms a misspelt word expands to
// per field (Lucene's default for FuzzyQuery).
const maxExpansions = 50

// typoFuzziness is the edit distance a misspelt word of n letters is
// expanded to.
func typoFuzziness(n int) int {
	if n >= 9 {
		return 2
	}
	return 1
}

// typoCand is a dictionary term a misspelt word expands to.
type typoCand struct {
	term  string
	dist  uint8  // edit distance to the word
	count uint64 // documents with the term that the viewer may see, deleted ones included
}

// typoExpansion is what misspelt words expand to: per analysed word,
// per text field (in textFields order) the candidates, most frequent
// first.
type typoExpansion map[string][len(textFields)][]typoCand

// terms returns every term of e, for highlighting.
func (e typoExpansion) terms() []string {
	var out []string
	for _, fields := range e {
		for _, cs := range fields {
			for _, c := range cs {
				out = append(out, c.term)
			}
		}
	}
	return out
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

// typoWord returns the analysed word of t that typo tolerance applies
// to: a plain word that analyses to one term of five letters or more.
func typoWord(an analysis.Analyzer, t Term) (string, bool) {
	if t.Prefix || t.Phrase {
		return "", false
	}
	toks := an.Analyze([]byte(t.Text))
	if len(toks) != 1 || utf8.RuneCount(toks[0].Term) < 5 {
		return "", false
	}
	return string(toks[0].Term), true
}

// expandTypos expands the words of p that typo tolerance applies to on
// the current snapshot of bi, for viewer v.
func expandTypos(ctx context.Context, bi bleve.Index, segs *segCache, v council.Viewer, p Parsed) (typoExpansion, error) {
	lb := &segs.lev
	an := bi.Mapping().AnalyzerNamed(analyzerDEQuery)
	if an == nil {
		return nil, fmt.Errorf("index mapping lacks analyzer %s", analyzerDEQuery)
	}
	var words []string
	for _, g := range p.Groups {
		for _, t := range g {
			if w, ok := typoWord(an, t); ok && !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		return nil, nil
	}
	is, err := snapshot(bi)
	if err != nil {
		return nil, err
	}
	defer is.Close()
	snap := is.Segments()
	hidden := make([]*roaring.Bitmap, len(snap))
	if seesOnlyPublic(v) {
		// The public: the same documents of an immutable segment every
		// time, kept with the segment's other derived data (the
		// complement of the vis=public bitmap collect filters with).
		data, err := segs.data(is)
		if err != nil {
			return nil, err
		}
		for i, d := range data {
			if hidden[i], err = d.nonPublicDocs(snap[i].Segment()); err != nil {
				return nil, fmt.Errorf("search: visibility of a segment: %w", err)
			}
		}
	} else {
		for i, ss := range snap {
			if hidden[i], err = hiddenDocs(ss.Segment(), v); err != nil {
				return nil, fmt.Errorf("search: visibility of a segment: %w", err)
			}
		}
	}
	e := typoExpansion{}
	for _, w := range words {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var fields [len(textFields)][]typoCand
		for i, f := range textFields {
			if fields[i], err = expandTypo(snap, hidden, lb, f.name, w, maxExpansions); err != nil {
				return nil, err
			}
		}
		e[w] = fields
	}
	return e, nil
}

// expandTypo returns the at most n terms of field's dictionary in segs
// within typoFuzziness edits of word that begin with its first letter and
// occur in a document the viewer may see: the most frequent, of equally
// frequent the nearest. hidden[i] are the documents of segs[i] the viewer
// may not see (nil: none).
func expandTypo(segs []*scorch.SegmentSnapshot, hidden []*roaring.Bitmap, lb *levBuilders, field, word string, n int) ([]typoCand, error) {
	a, err := lb.dfa(word, typoFuzziness(utf8.RuneCountInString(word)))
	if err != nil {
		return nil, err
	}
	_, size := utf8.DecodeRuneInString(word)
	beg := []byte(word[:size])
	end := prefixEnd(beg)
	found := map[string]typoCand{}
	var pl segment.PostingsList
	for i, ss := range segs {
		d, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("search: dictionary of %s: %w", field, err)
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
			if hidden[i] != nil {
				if pl, err = d.PostingsList([]byte(de.Term), hidden[i], pl); err != nil {
					return nil, fmt.Errorf("search: postings of %s: %w", field, err)
				}
				count = pl.Count()
			}
			c, ok := found[de.Term]
			if !ok {
				c = typoCand{term: de.Term, dist: de.EditDistance}
			}
			c.count += count
			found[de.Term] = c
		}
	}
	cands := make([]typoCand, 0, len(found))
	for _, c := range found {
		if c.count > 0 { // only in documents the viewer may not see
			cands = append(cands, c)
		}
	}
	slices.SortFunc(cands, func(x, y typoCand) int {
		return cmp.Or(cmp.Compare(y.count, x.count), cmp.Compare(x.dist, y.dist), cmp.Compare(x.term, y.term))
	})
	return cands[:min(len(cands), n)], nil
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

// hiddenDocs returns the documents of seg that v may not see, as the
// visibility filter has it (visibility in query.go): everything but
// vis=public, except, for a member, vis=members documents of their
// bodies. nil when v sees everything.
func hiddenDocs(seg segment.Segment, v council.Viewer) (*roaring.Bitmap, error) {
	if v.SeesAllNonPublic() {
		return nil, nil
	}
	hidden := roaring.New()
	members := roaring.New()
	err := eachPosting(seg, "vis", func(term []byte) bool { return string(term) != visPublic }, func(num uint64) {
		hidden.Add(uint32(num))
	})
	if err != nil {
		return nil, err
	}
	if v.Role != council.RoleMember || len(v.Orgs) == 0 {
		return hidden, nil
	}
	err = eachPosting(seg, "vis", func(term []byte) bool { return string(term) == visMembers }, func(num uint64) {
		members.Add(uint32(num))
	})
	if err != nil {
		return nil, err
	}
	own := roaring.New()
	err = eachPosting(seg, "orgs", func(term []byte) bool {
		id, err := council.ParseID(string(term))
		return err == nil && v.Orgs[id]
	}, func(num uint64) { own.Add(uint32(num)) })
	if err != nil {
		return nil, err
	}
	members.And(own)
	hidden.AndNot(members)
	return hidden, nil
}
