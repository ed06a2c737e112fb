package meetings

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// TypicalLength is how long org's meetings usually last: the median length
// (to the actual end where the session closed, else to the expected end)
// of its last 20 meetings before now that were not cancelled and lasted
// between a quarter of an hour and 12 hours; DefaultMeetingLength when
// there are none. The back office proposes the expected end of a new
// meeting with it (docs/DOMAIN.md, "Expected end").
func (s *Store) TypicalLength(ctx context.Context, org council.ID, now time.Time) (time.Duration, error) {
	rows, err := s.db.Query(ctx, `SELECT len FROM (
			SELECT coalesce((SELECT ls.closed_at FROM live_sessions ls WHERE ls.meeting_id = m.id), m.end_at) - m.start_at AS len
			FROM meetings m JOIN meeting_organizations mo ON mo.meeting_id = m.id AND mo.organization_id = $1
			WHERE NOT m.deleted AND NOT m.cancelled AND m.start_at < $2
			ORDER BY m.start_at DESC LIMIT 20) x
		WHERE len BETWEEN interval '15 minutes' AND interval '12 hours' ORDER BY len`, org, now)
	if err != nil {
		return 0, fmt.Errorf("typical length of %s: %w", org, council.TranslateError(err))
	}
	lengths, err := pgx.CollectRows(rows, pgx.RowTo[time.Duration])
	if err != nil {
		return 0, fmt.Errorf("typical length of %s: %w", org, council.TranslateError(err))
	}
	return typicalLength(lengths), nil
}
