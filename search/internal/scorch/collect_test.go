package scorch

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestCollect checks Collect against bleve's own TopN collector and
// facet builder on one index of several segments, some with deletions:
// the same total, the same facet counts and the same hits in the same
// order with the same stored fields, for a viewer who sees public
// documents only (PublicOnly instead of bleve's filter), a member
// (visibility as a bleve filter) and staff (no filter), by score and by
// date, on a page that does not start at the first hit.
func TestCollect(t *testing.T) {
	bi, c := corpusIndex(t)
	ctx := context.Background()
	cache := NewCache(testFields)
	member := bleve.NewDisjunctionQuery(kwTerm("vis", "public"), all(kwTerm("vis", "members"), kwTerm("orgs", c.Org(1))))
	viewers := []struct {
		name       string
		filter     query.Query // the visibility filter for bleve
		publicOnly bool
	}{
		{"public", kwTerm("vis", "public"), true},
		{"member", member, false},
		{"staff", nil, false},
	}
	exclude := bleve.NewBooleanQuery()
	exclude.AddMust(word("Feuerwehr"))
	exclude.AddMustNot(word("Haushalt"))
	queries := map[string]query.Query{
		"Haltestelle":            word("Haltestelle"),
		"Sanierung":              word("Sanierung"),
		`"sozialer Wohnungsbau"`: phrase("sozialer Wohnungsbau"),
		"Radweg OR Spielplatz":   bleve.NewDisjunctionQuery(word("Radweg"), word("Spielplatz")),
		"Klima*":                 prefix("klima"),
		"Sanier* Haltestelle":    all(prefix("sanier"), word("Haltestelle")),
		"Feuerwehr -Haushalt":    exclude,
		`"Ausbau der Straße"`:    phrase("Ausbau der Straße"),
		"":                       bleve.NewMatchAllQuery(),
	}
	big := 0
	for _, v := range viewers {
		for qname, q := range queries {
			for _, order := range []Order{ByScore, Newest, Oldest} {
				name := fmt.Sprintf("%s/%q/%d", v.name, qname, order)
				bq := bleve.NewBooleanQuery()
				bq.AddMust(q)
				if v.filter != nil {
					bq.AddFilter(v.filter)
				}
				// What search runs: for the public, Collect drops the
				// non-public hits itself instead of bleve's filter.
				var run query.Query = bq
				if v.publicOnly {
					run = q
				}
				got, err := Collect(ctx, bi, cache, run, Page{Order: order, Size: 10, From: 5, PublicOnly: v.publicOnly})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want, err := Reference(bi, bq, testFields, order, 10, 5)
				if err != nil {
					t.Fatal(err)
				}
				big = max(big, got.Total)
				for _, d := range Diff(got, want) {
					t.Errorf("%s: %s", name, d)
				}
			}
		}
	}
	if big < 50 {
		t.Errorf("no query found more than %d documents; the comparison proves little", big)
	}
}
