package search

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// Boosts of the fields a word is looked up in.
const (
	boostTitle     = 3.0
	boostText      = 1.0
	boostReference = 8.0
	boostName      = 8.0 // a person's name as typed (termCompiler.name): a known item, like a reference
	boostFuzzy     = 0.3 // relative to an exact match in the same field
	// A compound's parts in a row (Kita-Gebühren for kitagebühren), and
	// all its parts anywhere in the title, relative to the word itself.
	boostCompoundRow   = 0.8
	boostCompoundParts = 0.3
	boostSynonym       = 0.5 // a synonym (synonyms_de.txt), relative to the word
	// A document with all the words of a multi-word query, when the few
	// that have them are followed by those with some (widening.allFirst):
	// far above any document with only some of the words.
	boostAllWords = 1000.0
)

// compile turns p into a bleve query over the text fields. Words become
// exact terms (analysed like the index, without compound splitting) plus,
// for misspelt words (typo.go), the dictionary terms they expand to, and,
// for a word that is a compound of dictionary parts, those parts in a
// row (Kita-Gebühren for kitagebühren) or all in the title (compoundAlts);
// phrases become phrase queries; prefixes constant-score terms queries
// (scorch.TermsQuery). Stop words vanish. The result matches everything
// when p has no positive terms.
//
// w widens the query; Search widens it only when the exact query finds
// fewer than fuzzyBelow documents (see widening).
//
// syn are the synonyms a word also finds, below the word itself.
func compile(m mapping.IndexMapping, p Parsed, w widening, syn synonymIndex) (query.Query, error) {
	an := m.AnalyzerNamed(analyzerDEQuery)
	if an == nil {
		return nil, fmt.Errorf("index mapping lacks analyzer %s", analyzerDEQuery)
	}
	tc := termCompiler{an: an, names: m.AnalyzerNamed(analyzerName), typos: w.typos, pairs: pairWords(m), syn: syn}
	if w.parts {
		tc.split = splitter(m)
	}
	bq := bleve.NewBooleanQuery()
	var groups []query.Query
	for _, g := range joinReferences(p.Groups) {
		var alts []query.Query
		for _, t := range g {
			if q := tc.term(t); q != nil {
				alts = append(alts, q)
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			groups = append(groups, alts[0])
		default:
			groups = append(groups, bleve.NewDisjunctionQuery(alts...))
		}
	}
	if w.some && len(groups) > 1 {
		bq.AddMust(bleve.NewDisjunctionQuery(groups...))
		if w.allFirst {
			all := bleve.NewConjunctionQuery(groups...)
			all.SetBoost(boostAllWords)
			bq.AddShould(all)
		}
	} else {
		bq.AddMust(groups...)
	}
	tc.typos = nil
	for _, t := range p.Excluded {
		if q := tc.term(t); q != nil {
			bq.AddMustNot(q)
		}
	}
	if bq.Must == nil {
		bq.AddMust(bleve.NewMatchAllQuery())
	}
	return bq, nil
}

// widening is how far a query reaches beyond its exact words, each step
// slower than the one before, so Search takes them only when the exact
// words find too little.
type widening struct {
	// typos are the expansions of p's words (typo.go); nil: no typo
	// tolerance. They make common words slow.
	typos typoExpansion
	// parts adds, for a word that is a compound of dictionary parts, the
	// parts in a row and all parts in the title (compoundAlts): phrase
	// queries over frequent parts cost positions.
	parts bool
	// some makes the groups alternatives instead of all required: the
	// fallback when no document has all of a query's words (Result.Some);
	// documents with more of them score higher (bleve's disjunction
	// scales a score by the share of its clauses that match).
	some bool
	// allFirst, with some, ranks the documents with all the words above
	// those with some of them: the fallback when only a few documents
	// have all the words (Result.All).
	allFirst bool
}

// termCompiler turns terms into queries: an is the query analyser,
// typos the expansions of misspelt words, pairs the words the index
// pairs for phrases (shingle.go), split the index's compound splitter
// (nil: no compound alternatives).
type termCompiler struct {
	an    analysis.Analyzer
	names analysis.Analyzer // of the field name (persons), nil in an index without it
	typos typoExpansion
	pairs analysis.TokenMap
	split *compoundSplitter
	syn   synonymIndex
}

// term is the query for one term, nil when nothing of it remains after
// analysis (a stop word).
func (tc termCompiler) term(t Term) query.Query {
	var alts []query.Query
	if t.Prefix {
		pre := NormalizeWord(t.Text)
		for _, f := range textFields {
			alts = append(alts, &scorch.TermsQuery{Field: f.name, Prefix: pre, Boost: f.boost})
		}
		ref := &scorch.TermsQuery{Field: "reference", Prefix: strings.ToLower(t.Text), Boost: boostReference}
		return bleve.NewDisjunctionQuery(append(alts, ref)...)
	}
	toks := tc.an.Analyze([]byte(t.Text))
	if len(toks) == 0 {
		return nil
	}
	if len(toks) == 1 && !t.Phrase {
		term := string(toks[0].Term)
		cands := tc.typos[term]
		for i, f := range textFields {
			q := bleve.NewTermQuery(term)
			q.SetField(f.name)
			q.SetBoost(f.boost)
			alts = append(alts, q)
			if len(cands[i]) > 0 {
				alts = append(alts, typoQuery(cands[i], f.name, f.boost*boostFuzzy))
			}
		}
		alts = append(alts, tc.compoundAlts(t.Text)...)
		for _, terms := range tc.syn.terms[term] {
			if len(terms) == 1 {
				for _, f := range textFields {
					q := bleve.NewTermQuery(terms[0])
					q.SetField(f.name)
					q.SetBoost(f.boost * boostSynonym)
					alts = append(alts, q)
				}
			} else {
				alts = append(alts, tc.phrase(terms, boostSynonym)...)
			}
		}
	} else {
		// A phrase, or a word the analyser splits (Straßen-Bahn): the
		// terms in order, with gaps where stop words were.
		first := toks[0].Position
		terms := make([]string, toks[len(toks)-1].Position-first+1)
		for _, tk := range toks {
			terms[tk.Position-first] = string(tk.Term)
		}
		alts = append(alts, tc.phrase(terms, 1)...)
	}
	alts = append(alts, tc.name(t.Text)...)
	refs := []string{strings.ToLower(t.Text)}
	for _, r := range refForms(t.Text) {
		if r != refs[0] {
			refs = append(refs, r)
		}
	}
	if len(refs) == 1 {
		ref := bleve.NewTermQuery(refs[0])
		ref.SetField("reference")
		ref.SetBoost(boostReference)
		return bleve.NewDisjunctionQuery(append(alts, ref)...)
	}
	// A reference number as typed (refForms): one constant-score clause,
	// so that a paper found by it scores like one found by the exact
	// reference.
	ref := &scorch.TermsQuery{Field: "reference", Terms: refs, Boost: boostReference}
	return bleve.NewDisjunctionQuery(append(alts, ref)...)
}

// name is the query for text in persons' names (field name), as typed:
// not stemmed, so that "Müller" finds Ana Müller and "Müll" does not
// (persons' title and text are not stemmed either: mapping.go).
func (tc termCompiler) name(text string) []query.Query {
	if tc.names == nil {
		return nil
	}
	toks := tc.names.Analyze([]byte(text))
	switch len(toks) {
	case 0:
		return nil
	case 1:
		q := bleve.NewTermQuery(string(toks[0].Term))
		q.SetField("name")
		q.SetBoost(boostName)
		return []query.Query{q}
	}
	terms := make([]string, len(toks))
	for i, tk := range toks {
		terms[i] = string(tk.Term)
	}
	q := bleve.NewPhraseQuery(terms, "name")
	q.SetBoost(boostName)
	return []query.Query{q}
}

// phrase is terms in a row in each text field, boosted by the field's
// boost times boost.
func (tc termCompiler) phrase(terms []string, boost float64) []query.Query {
	var alts []query.Query
	for _, f := range textFields {
		q, ok := pairPhrase(tc.pairs, terms, f.name)
		if !ok {
			q = bleve.NewPhraseQuery(terms, f.name)
		}
		q.(query.BoostableQuery).SetBoost(f.boost * boost)
		alts = append(alts, q)
	}
	return alts
}

// compoundAlts are the queries that find a compound word by its
// dictionary parts (compoundSplitter.cover): the parts in a row in a text
// field (kitagebühren finds "Kita-Gebühren" and "Kita Gebühren"), and all
// parts in the title (Polizeiverordnung finds "Verordnung … Polizei"),
// boosted below the word itself. The index side, which adds a compound's
// parts and runs of parts as terms, is in analysis.go.
func (tc termCompiler) compoundAlts(word string) []query.Query {
	if tc.split == nil {
		return nil
	}
	parts := tc.split.cover(NormalizeWord(word))
	if len(parts) < 2 {
		return nil
	}
	terms := make([]string, 0, len(parts))
	for _, p := range parts {
		toks := tc.an.Analyze([]byte(p))
		if len(toks) != 1 {
			return nil
		}
		terms = append(terms, string(toks[0].Term))
	}
	alts := tc.phrase(terms, boostCompoundRow)
	all := make([]query.Query, len(terms))
	for i, term := range terms {
		q := bleve.NewTermQuery(term)
		q.SetField(textFields[0].name)
		all[i] = q
	}
	cq := bleve.NewConjunctionQuery(all...)
	cq.SetBoost(textFields[0].boost * boostCompoundParts)
	return append(append(alts, cq), tc.partSynonyms(parts, terms)...)
}

// partSynonyms are the queries that find a compound with one of its parts
// replaced by a one-word synonym of that part (synonyms_de.txt: Müll,
// Abfall): the compound so formed as a word ("Müllgebühren" finds
// "Abfallgebühren" and, by the index's runs of parts,
// "Abfallgebührensatzung") and its parts in a row ("Abfall-Gebühren"),
// boosted like a synonym. parts are the compound's dictionary parts as
// written (normalized), terms the same analysed.
func (tc termCompiler) partSynonyms(parts, terms []string) []query.Query {
	var alts []query.Query
	for i := range parts {
		for _, w := range tc.syn.words[terms[i]] {
			word := strings.Join(parts[:i], "") + w + strings.Join(parts[i+1:], "")
			toks := tc.an.Analyze([]byte(word))
			if len(toks) != 1 {
				continue
			}
			for _, f := range textFields {
				q := bleve.NewTermQuery(string(toks[0].Term))
				q.SetField(f.name)
				q.SetBoost(f.boost * boostSynonym)
				alts = append(alts, q)
			}
			wt := tc.an.Analyze([]byte(w))
			if len(wt) != 1 {
				continue
			}
			row := slices.Clone(terms)
			row[i] = string(wt[0].Term)
			alts = append(alts, tc.phrase(row, boostSynonym*boostCompoundRow)...)
		}
	}
	return alts
}

// typoQuery matches the documents with any of cands in field. The
// candidates of one edit distance form one constant-score terms query
// (scorch.TermsQuery) boosted by boost divided by the distance plus one, as
// bleve's fuzzy query boosts the terms it expands to: the up to
// maxExpansions terms' postings bitmaps are ORed instead of scoring each
// term's postings hit by hit, and a document still ranks by how close its
// nearest term is, and by field.
func typoQuery(cands []typoCand, field string, boost float64) query.Query {
	var byDist []query.Query
	var far uint8
	for _, c := range cands {
		far = max(far, c.dist)
	}
	for d := uint8(0); d <= far; d++ {
		var terms []string
		for _, c := range cands {
			if c.dist == d {
				terms = append(terms, c.term)
			}
		}
		if len(terms) > 0 {
			byDist = append(byDist, &scorch.TermsQuery{Field: field, Terms: terms, Boost: boost / float64(d+1)})
		}
	}
	if len(byDist) == 1 {
		return byDist[0]
	}
	return bleve.NewDisjunctionQuery(byDist...)
}

// textFields are the analysed fields a term is looked up in.
var textFields = [...]struct {
	name  string
	boost float64
}{{"title", boostTitle}, {"text", boostText}}

// visibility is the filter for what v may see, deny by default: the
// public and citizens see documents marked public; members also those of
// their organizations marked for members; staff see everything (nil).
func visibility(v council.Viewer) query.Query {
	if v.SeesAllNonPublic() {
		return nil
	}
	pub := kwTerm("vis", VisPublic)
	if seesOnlyPublic(v) {
		return pub
	}
	var orgs []query.Query
	for id, ok := range v.Orgs {
		if ok {
			orgs = append(orgs, kwTerm("orgs", id.String()))
		}
	}
	own := bleve.NewConjunctionQuery(kwTerm("vis", VisMembers), bleve.NewDisjunctionQuery(orgs...))
	return bleve.NewDisjunctionQuery(pub, own)
}

// seesOnlyPublic reports whether v may see public documents only: the
// public, citizens, and members without a body; visibility's filter for
// them is vis=public, which scorch.Collect can apply itself.
func seesOnlyPublic(v council.Viewer) bool {
	if v.SeesAllNonPublic() {
		return false
	}
	if v.Role != council.RoleMember {
		return true
	}
	for _, ok := range v.Orgs {
		if ok {
			return false
		}
	}
	return true
}

// visible reports whether v may see d; the same rule as visibility.
func visible(v council.Viewer, d Doc) bool {
	switch d.Vis {
	case VisPublic:
		return true
	case VisMembers:
		ids := make([]council.ID, 0, len(d.Orgs))
		for _, o := range d.Orgs {
			if id, err := council.ParseID(o); err == nil {
				ids = append(ids, id)
			}
		}
		return v.SeesNonPublicOf(ids...)
	default:
		return v.SeesAllNonPublic()
	}
}

func kwTerm(field, value string) *query.TermQuery {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}
