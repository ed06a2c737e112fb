package council

import (
	"context"
	"fmt"
	"time"
)

// MemberCounts returns, for each organization of body, how many persons
// hold a membership current on day that is not a substitute's.
// Organizations without such members are absent from the map.
// Errors: ErrUnavailable.
func (s *Store) MemberCounts(ctx context.Context, body ID, day time.Time) (map[ID]int, error) {
	rows, err := s.db.Query(ctx, `SELECT m.organization_id, count(DISTINCT m.person_id)
		FROM memberships m
		JOIN organizations o ON o.id = m.organization_id AND NOT o.deleted
		JOIN persons p ON p.id = m.person_id AND NOT p.deleted
		WHERE o.body_id = $1 AND NOT m.deleted AND NOT m.substitute
		  AND (m.start_date IS NULL OR m.start_date <= $2) AND (m.end_date IS NULL OR m.end_date >= $2)
		GROUP BY m.organization_id`, body, nullDate(day))
	if err != nil {
		return nil, fmt.Errorf("member counts: %w", TranslateError(err))
	}
	defer rows.Close()
	out := map[ID]int{}
	for rows.Next() {
		var id ID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("member counts: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("member counts: %w", TranslateError(err))
	}
	return out, nil
}
