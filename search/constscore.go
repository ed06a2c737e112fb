package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// constantQuery matches what its query matches and scores every hit the
// same: its boost (times the query norm). It is Lucene's constant-score
// rewrite of multi-term queries, used for prefixes: "Sanier*" expands to
// every indexed term that starts with "sanier" (dozens of compounds and
// inflections, tens of thousands of documents at full size), and scoring
// each of them means a heap of term iterators advanced hit by hit. Asked
// for no scores, bleve's scorch index instead ORs the terms' postings
// bitmaps segment by segment (its "unadorned disjunction"), so a prefix
// costs about as much as one term. How well a hit matches the prefix
// says little anyway; the other words of the query and the field boosts
// still rank.
type constantQuery struct {
	q     query.Query
	boost float64
}

func (c *constantQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	inner := options
	inner.Score = "none"
	inner.IncludeTermVectors = false
	inner.Explain = false
	s, err := c.q.Searcher(ctx, r, m, inner)
	if err != nil {
		return nil, err
	}
	return &constantSearcher{Searcher: s, boost: c.boost, weight: c.boost, scores: options.Score != "none"}, nil
}

// constantSearcher gives every hit of its searcher the same score, like
// bleve's ConstantScorer: boost times the query norm.
type constantSearcher struct {
	bsearch.Searcher
	boost  float64
	weight float64 // boost × query norm
	scores bool
}

func (s *constantSearcher) Weight() float64 { return s.boost * s.boost }

func (s *constantSearcher) SetQueryNorm(norm float64) { s.weight = s.boost * norm }

func (s *constantSearcher) score(dm *bsearch.DocumentMatch) *bsearch.DocumentMatch {
	if dm != nil && s.scores {
		dm.Score = s.weight
	}
	return dm
}

func (s *constantSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	return s.score(dm), err
}

func (s *constantSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	return s.score(dm), err
}
