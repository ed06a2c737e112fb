package search

import (
	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/plenar/plenar/council"
)

// SetLayout marks the serving generation of x as of layout v.
func SetLayout(x *Index, v string) error {
	return x.with(func(bi bleve.Index, _ string) error { return bi.SetInternal([]byte(layoutKey), []byte(v)) })
}

// GroupOf is the group key the serving generation of x holds for the
// document of type t and id, "" when it has none.
func GroupOf(x *Index, t Type, id council.ID) (string, error) {
	var g string
	err := x.with(func(bi bleve.Index, _ string) error {
		d, err := bi.Document(DocID(t, id))
		if err != nil || d == nil {
			return err
		}
		d.VisitFields(func(f index.Field) {
			if f.Name() == "group" {
				g = string(f.Value())
			}
		})
		return nil
	})
	return g, err
}
