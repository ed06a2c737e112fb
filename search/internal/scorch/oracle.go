package scorch

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Reference is the oracle of Collect's tests: it runs q with bleve's own
// TopN collector and facet builder (doc values of the facet field) and
// returns what Collect should: the total, the hits from..from+size in
// order with the stored fields, and the facet counts. q must carry every
// filter itself (bleve knows no PublicOnly). It is slow; only tests call
// it.
func Reference(bi bleve.Index, q query.Query, f Fields, order Order, size, from int) (*Found, error) {
	sreq := bleve.NewSearchRequestOptions(q, size, from, false)
	sreq.Fields = f.Stored
	sreq.AddFacet(f.Facet, bleve.NewFacetRequest(f.Facet, f.MaxFacets))
	switch order {
	case Newest:
		sreq.SortBy([]string{"-" + f.Date, "-_score", "_id"})
	case Oldest:
		sreq.SortBy([]string{f.Date, "-_score", "_id"})
	default:
		// By score; ties in bleve's order of documents, as Collect.
		sreq.SortBy([]string{"-_score", "_score"})
	}
	sr, err := bi.Search(sreq)
	if err != nil {
		return nil, err
	}
	out := &Found{Total: int(sr.Total)}
	for _, h := range sr.Hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Fields: h.Fields})
	}
	if fr, ok := sr.Facets[f.Facet]; ok && fr.Terms != nil {
		for _, tf := range fr.Terms.Terms() {
			out.Facets = append(out.Facets, FacetCount{Term: tf.Term, Count: tf.Count})
		}
	}
	slices.SortStableFunc(out.Facets, func(a, b FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Term, b.Term))
	})
	return out, nil
}

// Diff lists how got differs from want (Reference's result): total,
// facets, the ids of the hits in order, and their stored fields; nil when
// they agree.
func Diff(got, want *Found) []string {
	var out []string
	if got.Total != want.Total {
		out = append(out, fmt.Sprintf("total %d, bleve %d", got.Total, want.Total))
	}
	if !slices.Equal(got.Facets, want.Facets) {
		out = append(out, fmt.Sprintf("facets\n%v\nbleve\n%v", got.Facets, want.Facets))
	}
	ids := func(f *Found) []string {
		var ids []string
		for _, h := range f.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if !slices.Equal(ids(got), ids(want)) {
		out = append(out, fmt.Sprintf("hits\n%v\nbleve\n%v", ids(got), ids(want)))
	}
	for i := range min(len(got.Hits), len(want.Hits)) {
		if fmt.Sprintf("%v", got.Hits[i].Fields) != fmt.Sprintf("%v", want.Hits[i].Fields) {
			out = append(out, fmt.Sprintf("hit %d fields %v, bleve %v", i, got.Hits[i].Fields, want.Hits[i].Fields))
		}
	}
	return out
}
