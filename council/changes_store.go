package council

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// latestChange reads the newest outbox row (an index-only lookup on the
// primary key); an empty outbox gives Seq 0.
func latestChange(ctx context.Context, db DBTX) (Change, error) {
	var ch Change
	err := db.QueryRow(ctx, `SELECT id, at FROM outbox ORDER BY id DESC LIMIT 1`).Scan(&ch.Seq, &ch.At)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Change{}, fmt.Errorf("newest change: %w", TranslateError(err))
	}
	return ch, nil
}
