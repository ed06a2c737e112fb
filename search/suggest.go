package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Suggestions come from the field "pub", which holds words of public
// documents only (Doc.withPub). A dictionary may still list a word whose
// last document was deleted or made non-public (segments keep their
// dictionaries until merged), so every candidate is confirmed by a count
// query that honours deletions before anyone sees it.
const (
	pubField         = "pub"
	MaxSuggestions   = 10    // autocomplete answers at most this many
	minSuggestPrefix = 2     // runes before autocomplete answers
	maxDictScan      = 20000 // dictionary entries one lookup may read
	maxConfirm       = 30    // candidates confirmed per lookup
)

// Suggest completes the last word of q from the words of public
// documents and returns up to n completed queries, most frequent first.
// It answers the same for every viewer: suggestions never come from
// non-public documents. Errors: council.ErrUnavailable (no index yet).
func (x *Index) Suggest(ctx context.Context, q string, n int) ([]string, error) {
	n = min(max(n, 1), MaxSuggestions)
	q = strings.ToLower(strings.Join(strings.FieldsFunc(q, notWordRune), " "))
	if len(q) > MaxQueryLen {
		return nil, nil
	}
	head, last := "", q
	if i := strings.LastIndexByte(q, ' '); i >= 0 {
		head, last = q[:i+1], q[i+1:]
	}
	if utf8.RuneCountInString(last) < minSuggestPrefix {
		return nil, nil
	}
	var out []string
	err := x.with(func(bi bleve.Index, _ string) error {
		d, err := bi.FieldDictPrefix(pubField, []byte(last))
		if err != nil {
			return fmt.Errorf("suggest: %w", err)
		}
		cands, err := topTerms(d, func(string) bool { return true })
		if err != nil {
			return err
		}
		for _, c := range cands {
			if len(out) == n || ctx.Err() != nil {
				break
			}
			if ok, err := publicTerm(ctx, bi, c.term); err != nil {
				return err
			} else if ok {
				out = append(out, head+c.term)
			}
		}
		return nil
	})
	return out, err
}

type termCount struct {
	term  string
	count uint64
}

// topTerms reads up to maxDictScan entries of d that keep accepts and
// returns the maxConfirm most frequent.
func topTerms(d index.FieldDict, keep func(string) bool) ([]termCount, error) {
	defer d.Close()
	var all []termCount
	for i := 0; i < maxDictScan; i++ {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("suggest: %w", err)
		}
		if e == nil {
			break
		}
		if keep(e.Term) {
			all = append(all, termCount{e.Term, e.Count})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].count != all[j].count {
			return all[i].count > all[j].count
		}
		return all[i].term < all[j].term
	})
	return all[:min(len(all), maxConfirm)], nil
}

// publicTerm reports whether a live public document has term in pub.
func publicTerm(ctx context.Context, bi bleve.Index, term string) (bool, error) {
	q := bleve.NewBooleanQuery()
	q.AddMust(kwTerm(pubField, term))
	q.AddFilter(kwTerm("vis", VisPublic))
	sr, err := bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		return false, fmt.Errorf("suggest: %w", err)
	}
	return sr.Total > 0, nil
}

// didYouMean corrects the words of p that no public document contains to
// the most frequent public word within one or two edits; "" when no word
// needed or found a correction.
func didYouMean(bi bleve.Index, p Parsed) string {
	ctx := context.Background()
	adv, err := bi.Advanced()
	if err != nil {
		return ""
	}
	r, err := adv.Reader()
	if err != nil {
		return ""
	}
	defer r.Close()
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return ""
	}
	changed := false
	var words []string
	for _, g := range p.Groups {
		for _, t := range g {
			if t.Prefix || t.Phrase {
				words = append(words, t.Text)
				continue
			}
			w := strings.ToLower(t.Text)
			n := utf8.RuneCountInString(w)
			if n < 4 || strings.ContainsFunc(w, notWordRune) {
				words = append(words, t.Text)
				continue
			}
			if ok, err := publicTerm(ctx, bi, w); err != nil || ok {
				words = append(words, t.Text)
				continue
			}
			fuzz := 1
			if n >= 8 {
				fuzz = 2
			}
			best := ""
			if d, err := fr.FieldDictFuzzy(pubField, w, fuzz, ""); err == nil {
				cands, err := topTerms(d, func(c string) bool { return c != w })
				if err == nil {
					for _, c := range cands {
						if ok, err := publicTerm(ctx, bi, c.term); err == nil && ok {
							best = c.term
							break
						}
					}
				}
			}
			if best == "" {
				words = append(words, t.Text)
				continue
			}
			changed = true
			words = append(words, best)
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(words, " ")
}
