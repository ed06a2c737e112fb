package search

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the analysis components in an index mapping.
const (
	analyzerDE      = "plenar_de"       // indexing: de chain plus compound splitting
	analyzerDEQuery = "plenar_de_query" // queries: de chain without splitting
	analyzerName    = "plenar_name"     // persons' names: lower case, umlauts folded, no stemming, no splitting
	analyzerKeyword = "plenar_keyword"  // lower-cased single token (references)
	analyzerSuggest = "plenar_suggest"  // lower-cased words without stop words (field pub)
	compoundFilter  = "plenar_compound_de"
	wordsTokenMap   = "plenar_words_de"
)

// Compound splitting limits, in runes of the normalized word.
const (
	minCompound = 7  // shorter words are not split
	minPart     = 4  // shortest part emitted
	maxPart     = 24 // longest part looked up
	// maxCompound: longer "words" are not split. The longest German
	// compounds in use have about 60 letters; a longer token is a run of
	// junk (a file of one 200 MB word), and splitting it would cost
	// memory in proportion to its length, and a cache entry as large.
	maxCompound = 100
)

// SystemWordList is the Debian word list (package wngerman) that
// DefaultWords reads when it is installed.
const SystemWordList = "/usr/share/dict/ngerman"

//go:embed words_de.txt
var fallbackWords string

func init() {
	// bleve's registry is how token filters become available to mappings;
	// bleve's own filters register the same way. The word list itself is
	// part of each index's mapping, not of global state.
	if err := registry.RegisterTokenFilter(compoundFilter, newCompoundFilter); err != nil {
		panic(err)
	}
}

// snippetSize is the length of a snippet, in bytes.
const snippetSize = 220

// compoundSplitter adds the dictionary parts of long words as extra tokens
// at the word's position, so that "haltestelle" matches
// "straßenbahnhaltestellen". The parts keep the whole word's offsets, so a
// highlight marks the whole compound.
//
// A part is emitted only where a split can start: at the word's start or
// right after an earlier part (optionally followed by a linking element
// "s", "es", "n", "en", "er" or "e"), or when the part ends the word (the
// head of a German compound). This keeps "ende" out of "jugendeinrichtung".
type compoundSplitter struct {
	// dict is the word list; the lookup maps below are built from it on
	// first use (once), so that opening an index for searching does not
	// pay for them.
	dict analysis.TokenMap
	once sync.Once
	// prefixes holds every prefix of minPart or more runes of a word of
	// the dictionary; the value tells whether the prefix is a word. It
	// lets split stop extending a candidate as soon as no word starts
	// with it, instead of probing every length.
	prefixes map[string]bool
	// heads holds the first minPart runes of every word: a small set
	// that rules out most positions before the large map is probed.
	heads map[string]struct{}
	// cache remembers the parts of words seen before (text repeats its
	// words); it stops growing at maxCached entries. A plain map under a
	// read lock: looking a []byte up in it does not allocate.
	mu    sync.RWMutex
	cache map[string][]string
}

// maxCached bounds the split cache of one filter.
const maxCached = 200_000

func newCompoundFilter(config map[string]interface{}, cache *registry.Cache) (analysis.TokenFilter, error) {
	dict, err := configTokenMap(compoundFilter, "dict_token_map", config, cache)
	if err != nil {
		return nil, err
	}
	return &compoundSplitter{dict: dict}, nil
}

// configTokenMap returns the token map that the configuration of filter
// names under key.
func configTokenMap(filter, key string, config map[string]interface{}, cache *registry.Cache) (analysis.TokenMap, error) {
	name, ok := config[key].(string)
	if !ok {
		return nil, fmt.Errorf("%s: %s is required", filter, key)
	}
	m, err := cache.TokenMapNamed(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filter, err)
	}
	return m, nil
}

// build fills the lookup maps from the word list.
func (f *compoundSplitter) build() {
	prefixes := make(map[string]bool, len(f.dict)*3)
	heads := map[string]struct{}{}
	for w := range f.dict {
		if offs := runeOffsets(w); len(offs) > minPart {
			heads[w[:offs[minPart]]] = struct{}{}
		} else if len(offs) == minPart {
			heads[w] = struct{}{}
		}
		for i := range w {
			if i > 0 && utf8.RuneCountInString(w[:i]) >= minPart && !prefixes[w[:i]] {
				prefixes[w[:i]] = false
			}
		}
		prefixes[w] = true
	}
	f.prefixes, f.heads = prefixes, heads
}

// Filter implements analysis.TokenFilter.
func (f *compoundSplitter) Filter(input analysis.TokenStream) analysis.TokenStream {
	f.once.Do(f.build)
	out := make(analysis.TokenStream, 0, len(input))
	for _, tok := range input {
		out = append(out, tok)
		if n := utf8.RuneCount(tok.Term); tok.KeyWord || n < minCompound || n > maxCompound {
			continue
		}
		for _, part := range f.parts(tok.Term) {
			t := *tok
			t.Term = []byte(part)
			out = append(out, &t)
		}
	}
	return out
}

// linking elements (Fugenelemente) that may follow a part.
var linkers = [...]string{"s", "es", "n", "en", "er", "e"}

// parts is split with a cache.
func (f *compoundSplitter) parts(word []byte) []string {
	f.mu.RLock()
	p, ok := f.cache[string(word)]
	f.mu.RUnlock()
	if ok {
		return p
	}
	w := string(word)
	p = f.split(w)
	f.mu.Lock()
	if f.cache == nil {
		f.cache = map[string][]string{}
	}
	if len(f.cache) < maxCached {
		f.cache[w] = p
	}
	f.mu.Unlock()
	return p
}

// split returns the dictionary parts of word, without word itself: the
// parts (see compoundSplitter) and every run of two or more adjacent
// parts (spans), so that a compound a reader types as part of a longer
// one matches it: "tageseinrichtungen" in "kindertageseinrichtungen",
// "entwicklungskonzept" in "stadtentwicklungskonzept" (docs/ARCHITECTURE.md,
// Search).
func (f *compoundSplitter) split(word string) []string {
	sp := f.segment(word)
	parts := make([]string, 0, len(sp.edges)+maxSpans)
	for _, e := range sp.edges {
		if e.short && !sp.connected(word, e) {
			continue
		}
		if p := word[sp.offs[e.i]:sp.offs[e.j]]; !e.dropE && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return append(parts, sp.spans(word)...)
}

// cover returns the fewest dictionary parts that make up word (normalized,
// like the index's terms), with linking elements dropped and a dropped e
// restored: "kitagebuehren" → kita, gebuehren; nil when word is no
// compound of parts. Queries use it (compoundAlts).
func (f *compoundSplitter) cover(word string) []string {
	n := utf8.RuneCountInString(word)
	if n < minCompound || n > maxCompound {
		return nil
	}
	f.once.Do(f.build)
	sp := f.segment(word)
	// best[p]: the edge that reaches rune p with the fewest parts.
	type via struct{ parts, edge int }
	best := make([]via, n+1)
	best[0] = via{parts: 0, edge: -1}
	for p := 1; p <= n; p++ {
		best[p] = via{parts: -1}
	}
	for p := 0; p < n; p++ {
		if best[p].parts < 0 {
			continue
		}
		for k, e := range sp.edges {
			if e.i != p || (e.short && !sp.connected(word, e)) {
				continue
			}
			sp.next(word, e.j, func(q int) {
				if b := best[q]; b.parts < 0 || b.parts > best[p].parts+1 {
					best[q] = via{parts: best[p].parts + 1, edge: k}
				}
			})
		}
	}
	if best[n].parts < 2 {
		return nil
	}
	parts := make([]string, best[n].parts)
	for p, i := n, len(parts)-1; p > 0; i-- {
		e := sp.edges[best[p].edge]
		parts[i] = word[sp.offs[e.i]:sp.offs[e.j]]
		if e.dropE {
			parts[i] += "e"
		}
		p = e.i
	}
	return parts
}

// maxSpans bounds the runs of parts one word adds.
const maxSpans = 12

// edge is a part of a compound, runes [i, j) of it. short marks a
// short noun (shortNoun), kept only when another part joins it; dropE a
// word whose final e the compound drops (schul(e)…), which joins others
// but is not emitted itself.
type edge struct {
	i, j         int
	short, dropE bool
}

// segmentation is what segment finds in a word.
type segmentation struct {
	offs  []int // byte offset of each rune, and len(word) last
	n     int   // runes
	edges []edge
}

// segment finds the parts of word. A part is emitted only where a split
// can start: at the word's start or right after an earlier part
// (optionally followed by a linking element "s", "es", "n", "en", "er" or
// "e"), or when the part ends the word (the head of a German compound).
// This keeps "ende" out of "jugendeinrichtung".
func (f *compoundSplitter) segment(word string) segmentation {
	// offs[i] is the byte offset of rune i; offs[n] = len(word).
	offs := runeOffsets(word)
	n := len(offs)
	offs = append(offs, len(word))
	sp := segmentation{offs: offs, n: n}
	start := make([]bool, n+1) // start[i]: a part may begin at rune i
	start[0] = true
	link := func(j int) {
		start[j] = true
		for _, l := range linkers {
			if k := offs[j] + len(l); k <= len(word) && word[offs[j]:k] == l {
				start[j+utf8.RuneCountInString(l)] = true
			}
		}
	}
	var buf []byte
	for i := 0; i < n; i++ {
		if start[i] {
			// A short noun (bus, rad, bad) begins a part here, or is the
			// head: kept only when it joins another part (connected).
			for k := 3; k < minPart && i+k <= n; k++ {
				if (i > 0 || i+k < n) && shortNoun(word[offs[i]:offs[i+k]]) {
					sp.edges = append(sp.edges, edge{i: i, j: i + k, short: true})
					if i+k < n {
						link(i + k)
					}
				}
			}
		}
		if i+minPart > n {
			continue
		}
		if _, ok := f.heads[word[offs[i]:offs[i+minPart]]]; !ok {
			// No word starts here; only a dropped e (schul(e)…) may.
			if start[i] {
				buf = append(append(buf[:0], word[offs[i]:offs[i+minPart-1]]...), 'e')
				if f.prefixes[string(buf)] {
					sp.edges = append(sp.edges, edge{i: i, j: i + minPart - 1, dropE: true})
					start[i+minPart-1] = true
				}
			}
			continue
		}
		if !start[i] {
			// Only a part that ends the word may begin here, and only
			// after at least minPart runes or a short noun: a shorter
			// rest is mostly a prefix ("bei|spiel", "aus|schuss").
			if n-i <= maxPart && (i >= minPart || shortNoun(word[:offs[i]])) && f.prefixes[word[offs[i]:]] {
				sp.edges = append(sp.edges, edge{i: i, j: n})
			}
			continue
		}
		for j := i + minPart; j <= min(n, i+maxPart); j++ {
			isWord, ok := f.prefixes[word[offs[i]:offs[j]]]
			if !ok {
				break // no word starts with word[i:j]
			}
			if !isWord || (i == 0 && j == n) {
				continue
			}
			sp.edges = append(sp.edges, edge{i: i, j: j})
			link(j)
		}
		// A word that drops its final e before the next part: schul(e)sanierung.
		for j := i + minPart - 1; j <= min(n, i+maxPart-1); j++ {
			buf = append(append(buf[:0], word[offs[i]:offs[j]]...), 'e')
			if f.prefixes[string(buf)] {
				sp.edges = append(sp.edges, edge{i: i, j: j, dropE: true})
				start[j] = true
			}
			if _, ok := f.prefixes[word[offs[i]:offs[j]]]; !ok && j > i+minPart {
				break
			}
		}
	}
	return sp
}

// next reports the positions where a part may follow one that ends at
// rune j: j itself and j after a linking element.
func (sp segmentation) next(word string, j int, yield func(int)) {
	yield(j)
	for _, l := range linkers {
		if k := sp.offs[j] + len(l); k <= len(word) && word[sp.offs[j]:k] == l {
			yield(j + utf8.RuneCountInString(l))
		}
	}
}

// connected reports whether another (not short) part joins short part e:
// it follows e, directly or after a linking element, or e is the head
// and follows a part that way.
func (sp segmentation) connected(word string, e edge) bool {
	joins := func(end, start int) bool {
		ok := false
		sp.next(word, end, func(k int) { ok = ok || k == start })
		return ok
	}
	for _, o := range sp.edges {
		if !o.short && (joins(e.j, o.i) || e.j == sp.n && joins(o.j, e.i)) {
			return true
		}
	}
	return false
}

// spans returns the runs of two or more adjacent parts of word that are
// not the whole word, longest first from each start, at most maxSpans.
func (sp segmentation) spans(word string) []string {
	var out []string
	reach := make([]int8, sp.n+1) // parts in the run that reaches a position; 0: unreached
	for _, s := range sp.edges {
		// A run may begin with a part whose e the compound drops
		// (schul|sanierung in schulsanierungsprogramm) and with a short
		// noun that joins another part (rad|fahrenden in
		// fahrradfahrenden): readers type those compounds too.
		if (s.short && !sp.connected(word, s)) || (s.i > 0 && !sp.startsAt(s.i)) || len(out) >= maxSpans {
			continue
		}
		clear(reach)
		reach[s.i] = 0
		sp.next(word, s.j, func(k int) { reach[k] = 1 })
		for p := s.j; p <= sp.n && len(out) < maxSpans; p++ {
			if reach[p] == 0 {
				continue
			}
			for _, e := range sp.edges {
				if e.i != p || (e.short && !sp.connected(word, e)) {
					continue
				}
				if e.j > p && !(s.i == 0 && e.j == sp.n) && !e.dropE {
					if w := word[sp.offs[s.i]:sp.offs[e.j]]; !slices.Contains(out, w) && len(out) < maxSpans {
						out = append(out, w)
					}
				}
				sp.next(word, e.j, func(k int) { reach[k] = 2 })
			}
		}
	}
	return out
}

// startsAt reports whether a part ends right before rune i (so that a
// run may begin there).
func (sp segmentation) startsAt(i int) bool {
	for _, e := range sp.edges {
		if e.j == i || e.j+1 == i || e.j+2 == i {
			return true
		}
	}
	return false
}

// shortNoun reports whether w is a noun of fewer than minPart runes that
// begins compounds (Rad|verkehr, Bau|amt): the words split lets a
// compound's head follow although they are no dictionary parts.
func shortNoun(w string) bool {
	switch w {
	case "rad", "bau", "bad", "amt", "weg", "tor", "see", "zoo", "bus", "zug", "hof", "ort", "rat", "tag", "gas", "eis",
		"alt", "neu", "hoch", "tief", "groß", "gross", "klein", "land", "kita":
		return true
	}
	return false
}

// runeOffsets returns the byte offsets at which the runes of s start.
func runeOffsets(s string) []int {
	offs := make([]int, 0, len(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	return offs
}

// NormalizeWord lower-cases w and folds it like the index does (umlauts,
// ß, ae/oe/ue), the form in which compound parts are looked up.
func NormalizeWord(w string) string {
	tok := analysis.TokenStream{{Term: []byte(strings.ToLower(w))}}
	tok = de.NewGermanNormalizeFilter().Filter(tok)
	return string(tok[0].Term)
}

// Words is a set of normalized compound parts, and the terms that the
// index pairs for phrases (shingle.go). The zero Words is not usable;
// call NewWords.
type Words struct {
	set   map[string]struct{}
	stop  analysis.TokenMap
	pairs *[]string
}

// NewWords returns an empty set.
func NewWords() Words {
	stop := analysis.NewTokenMap()
	_ = stop.LoadBytes(de.GermanStopWords) // a constant list that parses
	return Words{set: map[string]struct{}{}, stop: stop, pairs: new([]string)}
}

// SetPairs makes terms (analysed like queries) the words that form word
// pairs for phrases.
func (ws Words) SetPairs(terms []string) { *ws.pairs = slices.Clone(terms) }

// Pairs returns the terms that form word pairs.
func (ws Words) Pairs() []string {
	if ws.pairs == nil {
		return nil
	}
	return *ws.pairs
}

// Len is the number of words.
func (ws Words) Len() int { return len(ws.set) }

// Add adds w, normalized, when it is a plausible compound part: letters
// only, minPart to maxPart runes, not a stop word.
func (ws Words) Add(w string) {
	n := utf8.RuneCountInString(w)
	if n < minPart || n > maxPart {
		return
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return
		}
	}
	lw := strings.ToLower(w)
	if _, stop := ws.stop[lw]; stop {
		return
	}
	ws.set[NormalizeWord(lw)] = struct{}{}
}

// AddList adds one word per line from r; "#" starts a comment line.
func (ws Words) AddList(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ws.Add(line)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read word list: %w", err)
	}
	return nil
}

// Sorted returns the words in order.
func (ws Words) Sorted() []string {
	out := make([]string, 0, len(ws.set))
	for w := range ws.set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// DefaultWords returns the committed council vocabulary plus, when path
// is not "" and exists, a system word list (SystemWordList). The second
// result reports whether the system list was read.
func DefaultWords(path string) (Words, bool, error) {
	ws := NewWords()
	if err := ws.AddList(strings.NewReader(fallbackWords)); err != nil {
		return Words{}, false, err
	}
	if path == "" {
		return ws, false, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return ws, false, nil
	}
	if err != nil {
		return Words{}, false, fmt.Errorf("open word list: %w", err)
	}
	defer f.Close()
	sys := NewWords()
	if err := sys.AddList(f); err != nil {
		return Words{}, false, err
	}
	for w := range sys.compoundParts() {
		ws.set[w] = struct{}{}
	}
	return ws, true, nil
}

// compoundParts returns the words of ws that begin or end another word
// of ws ("bahn" in "bahnhof", "haltestelle" in "bushaltestelle"): the
// words that can be parts of compounds. A general word list shrinks to
// about half, and words that never occur in a compound (inflected verb
// forms, rare words) stay out of the index mapping.
func (ws Words) compoundParts() map[string]struct{} {
	out := map[string]struct{}{}
	for w := range ws.set {
		offs := make([]int, 0, len(w))
		for i := range w {
			offs = append(offs, i)
		}
		n := len(offs)
		for k := minPart; k < n; k++ {
			if _, ok := ws.set[w[:offs[k]]]; ok {
				out[w[:offs[k]]] = struct{}{}
			}
			if _, ok := ws.set[w[offs[n-k]:]]; ok {
				out[w[offs[n-k]:]] = struct{}{}
			}
		}
	}
	return out
}

// splitter returns the compound splitter of m's index analyser; nil when
// it has none.
func splitter(m mapping.IndexMapping) *compoundSplitter {
	da, ok := m.AnalyzerNamed(analyzerDE).(*analysis.DefaultAnalyzer)
	if !ok {
		return nil
	}
	for _, tf := range da.TokenFilters {
		if cs, ok := tf.(*compoundSplitter); ok {
			return cs
		}
	}
	return nil
}
