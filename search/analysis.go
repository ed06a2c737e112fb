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
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the analysis components in an index mapping.
const (
	analyzerDE      = "plenar_de"       // indexing: de chain plus compound splitting
	analyzerDEQuery = "plenar_de_query" // queries: de chain without splitting
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

// split returns the dictionary parts of word, without word itself.
func (f *compoundSplitter) split(word string) []string {
	// offs[i] is the byte offset of rune i; offs[n] = len(word).
	offs := runeOffsets(word)
	n := len(offs)
	offs = append(offs, len(word))
	start := make([]bool, n+1) // start[i]: a part may begin at rune i
	start[0] = true
	var parts []string
	var buf []byte
	for i := 0; i+minPart <= n; i++ {
		if _, ok := f.heads[word[offs[i]:offs[i+minPart]]]; !ok {
			// No word starts here; only a dropped e (schul(e)…) may.
			if start[i] {
				buf = append(append(buf[:0], word[offs[i]:offs[i+minPart-1]]...), 'e')
				if f.prefixes[string(buf)] {
					start[i+minPart-1] = true
				}
			}
			continue
		}
		if !start[i] {
			// Only a part that ends the word may begin here, and only
			// after at least minPart runes or a short noun: a shorter
			// rest is mostly a prefix ("bei|spiel", "aus|schuss").
			if n-i <= maxPart && (i >= minPart || shortNoun(word[:offs[i]])) &&
				f.prefixes[word[offs[i]:]] && !slices.Contains(parts, word[offs[i]:]) {
				parts = append(parts, word[offs[i]:])
			}
			continue
		}
		for j := i + minPart; j <= min(n, i+maxPart); j++ {
			isWord, ok := f.prefixes[word[offs[i]:offs[j]]]
			if !ok {
				break // no word starts with word[i:j]
			}
			if !isWord || (i == 0 && j == n) || (!start[i] && j != n) {
				continue
			}
			p := word[offs[i]:offs[j]]
			if !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
			if !start[i] {
				continue
			}
			start[j] = true
			for _, l := range linkers {
				if k := offs[j] + len(l); k <= len(word) && word[offs[j]:k] == l {
					start[j+utf8.RuneCountInString(l)] = true
				}
			}
		}
		// A word that drops its final e before the next part: schul(e)sanierung.
		if start[i] {
			for j := i + minPart - 1; j <= min(n, i+maxPart-1); j++ {
				buf = append(append(buf[:0], word[offs[i]:offs[j]]...), 'e')
				if f.prefixes[string(buf)] {
					start[j] = true
				}
				if _, ok := f.prefixes[word[offs[i]:offs[j]]]; !ok && j > i+minPart {
					break
				}
			}
		}
	}
	return parts
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
