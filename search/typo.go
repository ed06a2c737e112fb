package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
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
func expandTypos(ctx context.Context, bi bleve.Index, segs *scorch.Cache, v council.Viewer, p Parsed) (typoExpansion, error) {
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
	snap, err := segs.Snapshot(bi)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	var hidden []*roaring.Bitmap
	if seesOnlyPublic(v) {
		// The public: the same documents of an immutable segment every
		// time, kept with the segment's other derived data.
		hidden, err = snap.NonPublic()
	} else {
		hidden, err = hiddenDocs(snap, v)
	}
	if err != nil {
		return nil, err
	}
	e := typoExpansion{}
	for _, w := range words {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var fields [len(textFields)][]typoCand
		for i, f := range textFields {
			if fields[i], err = expandTypo(snap, hidden, f.name, w, maxExpansions); err != nil {
				return nil, err
			}
		}
		e[w] = fields
	}
	return e, nil
}

// expandTypo returns the at most n terms of field's dictionary in snap
// within typoFuzziness edits of word that begin with its first letter and
// occur in a document the viewer may see: the most frequent, of equally
// frequent the nearest. hidden are the documents the viewer may not see,
// per segment (nil: none).
func expandTypo(snap *scorch.Snapshot, hidden []*roaring.Bitmap, field, word string, n int) ([]typoCand, error) {
	found, err := snap.Similar(field, word, typoFuzziness(utf8.RuneCountInString(word)), hidden)
	if err != nil {
		return nil, err
	}
	cands := make([]typoCand, len(found))
	for i, s := range found {
		cands[i] = typoCand{term: s.Term, dist: s.Dist, count: s.Count}
	}
	slices.SortFunc(cands, func(x, y typoCand) int {
		return cmp.Or(cmp.Compare(y.count, x.count), cmp.Compare(x.dist, y.dist), cmp.Compare(x.term, y.term))
	})
	return cands[:min(len(cands), n)], nil
}

// hiddenDocs returns the documents of snap that v may not see, per
// segment, as the visibility filter has it (visibility in query.go):
// everything but vis=public, except, for a member, vis=members documents
// of their bodies. nil when v sees everything.
func hiddenDocs(snap *scorch.Snapshot, v council.Viewer) ([]*roaring.Bitmap, error) {
	if v.SeesAllNonPublic() {
		return nil, nil
	}
	hidden, err := snap.Docs("vis", func(term string) bool { return term != VisPublic })
	if err != nil {
		return nil, err
	}
	if v.Role != council.RoleMember || len(v.Orgs) == 0 {
		return hidden, nil
	}
	members, err := snap.Docs("vis", func(term string) bool { return term == VisMembers })
	if err != nil {
		return nil, err
	}
	own, err := snap.Docs("orgs", func(term string) bool {
		id, err := council.ParseID(term)
		return err == nil && v.Orgs[id]
	})
	if err != nil {
		return nil, err
	}
	for i := range hidden {
		members[i].And(own[i])
		hidden[i].AndNot(members[i])
	}
	return hidden, nil
}
