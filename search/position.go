package search

import (
	"context"

	"github.com/plenar/plenar/council"
)

// Position returns the outbox id up to which x's current generation has
// applied the changes (0 before its first): readers that combine the index
// with the change log (council/alerts) read no change the index has not
// seen yet.
func (x *Index) Position(ctx context.Context, db council.DBTX) (int64, error) {
	return position(ctx, db, x.Generation())
}
