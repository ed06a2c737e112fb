package search

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
)

//go:embed synonyms_de.txt
var defaultSynonyms string

// SynonymsFile is the name of a city's own synonym list in the data
// directory, read in addition to the shipped one (synonyms_de.txt).
const SynonymsFile = "synonyms.txt"

// Synonyms are groups of words or phrases that find each other at query
// time: citizens' words for official ones (Schwimmbad, Hallenbad,
// Freibad). The zero Synonyms has none.
type Synonyms struct {
	groups [][]string
}

// LoadSynonyms returns the shipped groups plus those of the file at path
// when path is not "" and the file exists.
func LoadSynonyms(path string) (Synonyms, error) {
	var s Synonyms
	if err := s.add(strings.NewReader(defaultSynonyms)); err != nil {
		return Synonyms{}, err
	}
	if path == "" {
		return s, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return Synonyms{}, fmt.Errorf("open synonyms: %w", err)
	}
	defer f.Close()
	if err := s.add(f); err != nil {
		return Synonyms{}, err
	}
	return s, nil
}

// add reads one group a line from r; "#" starts a comment line.
func (s *Synonyms) add(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var g []string
		for _, w := range strings.Split(line, ",") {
			if w = strings.TrimSpace(w); w != "" {
				g = append(g, w)
			}
		}
		if len(g) > 1 {
			s.groups = append(s.groups, g)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read synonyms: %w", err)
	}
	return nil
}

// synonymIndex holds the groups analysed for queries. terms maps a word,
// analysed like a query, to the analysed terms of each of its synonyms
// (a phrase has several); words maps it to its one-word synonyms as
// written (normalized, not analysed), so that a compound's part can be
// replaced by them: "Müllgebühren" also finds "Abfallgebühren"
// (termCompiler.compoundAlts).
type synonymIndex struct {
	terms map[string][][]string
	words map[string][]string
}

// index analyses the groups with an, the query analyser.
func (s Synonyms) index(an analysis.Analyzer) synonymIndex {
	out := synonymIndex{terms: map[string][][]string{}, words: map[string][]string{}}
	for _, g := range s.groups {
		terms := make([][]string, len(g))
		for i, w := range g {
			toks := an.Analyze([]byte(w))
			if len(toks) == 0 {
				continue
			}
			// In order, with gaps where stop words were (as phrases).
			first := toks[0].Position
			terms[i] = make([]string, toks[len(toks)-1].Position-first+1)
			for _, tk := range toks {
				terms[i][tk.Position-first] = string(tk.Term)
			}
		}
		for i := range g {
			if len(terms[i]) != 1 {
				continue // a phrase is found by its synonyms, but does not expand
			}
			for j := range g {
				if j == i || len(terms[j]) == 0 || len(terms[j]) == 1 && terms[j][0] == terms[i][0] {
					continue
				}
				out.terms[terms[i][0]] = append(out.terms[terms[i][0]], terms[j])
				if len(terms[j]) == 1 && !strings.Contains(g[j], " ") {
					out.words[terms[i][0]] = append(out.words[terms[i][0]], NormalizeWord(g[j]))
				}
			}
		}
	}
	return out
}
