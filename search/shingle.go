package search

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	stopfilter "github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

// shingleFilter names the token filter that adds word pairs to the text
// fields (the last step of analyzerDE); pairsTokenMap names the terms it
// pairs.
const (
	shingleFilter = "plenar_shingle"
	pairsTokenMap = "plenar_pairs_de"
)

// shingleMark starts every pair term. No word starts with a control
// character, so prefix and fuzzy queries (which match a word's first
// letter) never expand to pairs, and a query cannot type one (Parse turns
// control characters into spaces).
const shingleMark = "\x01"

// Which words pair: those in at least PairShare of the documents, at most
// maxPairWords of them. A phrase of rarer words is cheap to check by
// positions (the rarer word bounds the candidates).
const (
	PairShare    = 0.10
	maxPairWords = 500
)

func init() {
	// See analysis.go: bleve's registry is how token filters become
	// available to mappings.
	if err := registry.RegisterTokenFilter(shingleFilter, newShingler); err != nil {
		panic(err)
	}
}

func newShingler(config map[string]interface{}, cache *registry.Cache) (analysis.TokenFilter, error) {
	pairs, err := configTokenMap(shingleFilter, "pairs_token_map", config, cache)
	if err != nil {
		return nil, err
	}
	return &shingler{pairs: pairs}, nil
}

// shingler adds, for every two adjacent positions p and p+1, a term
// "\x01a b" at position p for each token a at p and b at p+1 (a word and
// its compound parts share a position) when both a and b are frequent
// words (pairs). A phrase of two frequent words then is one term lookup
// instead of two long postings lists joined and their positions compared,
// which made such phrases the slowest queries; a longer phrase is a
// phrase of pairs. The pairs match exactly what the phrase query over
// single terms matches, as long as every word of the phrase pairs and the
// phrase has no gap (a stop word inside it); other phrases use positions
// (pairPhrase). Pairing every word instead grew the index fivefold (most
// pairs of a large vocabulary are unique).
type shingler struct {
	pairs analysis.TokenMap
}

// Filter implements analysis.TokenFilter.
func (f *shingler) Filter(input analysis.TokenStream) analysis.TokenStream {
	if len(f.pairs) == 0 {
		return input
	}
	out := input
	// Tokens arrive in position order; [i, j) and [j, k) are the tokens of
	// two neighbouring positions.
	for i := 0; i < len(input); {
		j := i + 1
		for j < len(input) && input[j].Position == input[i].Position {
			j++
		}
		k := j
		for k < len(input) && input[k].Position == input[j].Position {
			k++
		}
		if j < len(input) && input[j].Position == input[i].Position+1 {
			for _, a := range input[i:j] {
				if _, ok := f.pairs[string(a.Term)]; !ok {
					continue
				}
				for _, b := range input[j:k] {
					if _, ok := f.pairs[string(b.Term)]; !ok {
						continue
					}
					out = append(out, &analysis.Token{
						Term:     pairTerm(a.Term, b.Term),
						Position: a.Position,
						Start:    a.Start,
						End:      b.End,
						Type:     analysis.AlphaNumeric,
					})
				}
			}
		}
		i = j
	}
	return out
}

// pairTerm is the term of the word pair a b.
func pairTerm(a, b []byte) []byte {
	t := make([]byte, 0, len(shingleMark)+len(a)+1+len(b))
	t = append(t, shingleMark...)
	t = append(t, a...)
	t = append(t, ' ')
	return append(t, b...)
}

// pairPhrase is the query for the phrase terms (consecutive positions,
// no gaps) in field when every term pairs: one pair term for two words, a
// phrase of pairs for more. ok is false when terms has a gap, fewer than
// two words or a word that does not pair.
func pairPhrase(pairs analysis.TokenMap, terms []string, field string) (q query.Query, ok bool) {
	if len(terms) < 2 {
		return nil, false
	}
	for _, t := range terms {
		if _, ok := pairs[t]; !ok || t == "" {
			return nil, false
		}
	}
	pts := make([]string, len(terms)-1)
	for i := range pts {
		pts[i] = string(pairTerm([]byte(terms[i]), []byte(terms[i+1])))
	}
	if len(pts) == 1 {
		tq := query.NewTermQuery(pts[0])
		tq.SetField(field)
		return tq, true
	}
	return query.NewPhraseQuery(pts, field), true
}

// pairWords returns the words that m's index analyser pairs; nil when it
// pairs none (indexes built before pairs existed), and phrases then use
// positions only.
func pairWords(m mapping.IndexMapping) analysis.TokenMap {
	da, ok := m.AnalyzerNamed(analyzerDE).(*analysis.DefaultAnalyzer)
	if !ok {
		return nil
	}
	for _, tf := range da.TokenFilters {
		if sh, ok := tf.(*shingler); ok {
			return sh.pairs
		}
	}
	return nil
}

// DocFreq counts in how many documents each word occurs, to choose the
// words that pair (Words.SetPairs): Rebuild counts the papers and agenda
// items, the benchmark a sample of its corpus.
type DocFreq struct {
	docs  int
	count map[string]int
	seen  map[string]bool
}

// NewDocFreq returns an empty count.
func NewDocFreq() *DocFreq { return &DocFreq{count: map[string]int{}, seen: map[string]bool{}} }

// Docs is the number of documents counted.
func (df *DocFreq) Docs() int { return df.docs }

// Add counts the words of one document.
func (df *DocFreq) Add(text string) {
	df.docs++
	clear(df.seen)
	for _, w := range strings.FieldsFunc(text, notWordRune) {
		w = strings.ToLower(w)
		if !df.seen[w] {
			df.seen[w] = true
			df.count[w]++
		}
	}
}

// PairWords returns the terms (analysed like queries) of the words in at
// least PairShare of the documents, the most frequent maxPairWords.
func (df *DocFreq) PairWords() []string {
	min := max(int(PairShare*float64(df.docs)), 2)
	var ws []string
	for w, n := range df.count {
		if n >= min {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		if df.count[ws[i]] != df.count[ws[j]] {
			return df.count[ws[i]] > df.count[ws[j]]
		}
		return ws[i] < ws[j]
	})
	an := queryAnalyzer()
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		toks := an.Analyze([]byte(w))
		if len(toks) != 1 || seen[string(toks[0].Term)] {
			continue
		}
		seen[string(toks[0].Term)] = true
		out = append(out, string(toks[0].Term))
		if len(out) == maxPairWords {
			break
		}
	}
	return out
}

// queryAnalyzer is analyzerDEQuery outside a mapping.
func queryAnalyzer() analysis.Analyzer {
	stop := analysis.NewTokenMap()
	_ = stop.LoadBytes(de.GermanStopWords) // a constant list that parses
	return &analysis.DefaultAnalyzer{
		Tokenizer: unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), stopfilter.NewStopTokensFilter(stop),
			de.NewGermanNormalizeFilter(), de.NewGermanLightStemmerFilter()},
	}
}
