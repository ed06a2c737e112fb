package council

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredSessions deletes the web sessions (table sessions, written
// by the web package's session manager) that expired before now, and
// reports how many it deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", TranslateError(err))
	}
	return tag.RowsAffected(), nil
}
