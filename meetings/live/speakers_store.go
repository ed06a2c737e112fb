package live

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// openRequests returns the open (waiting or speaking) requests to speak of
// the meeting, the floor first in grant order, then the rest in order of
// request, with names by person.
func (st store) openRequests(ctx context.Context, meetingID council.ID) ([]meetings.SpeakerRequest, map[council.ID]string, error) {
	rows, err := st.db.Query(ctx, `SELECT s.id, s.item_id, s.person_id, s.kind, s.requested_at, s.granted_at, s.limit_seconds, s.place, r.name
		FROM live_speakers s JOIN live_roster r ON r.meeting_id = s.meeting_id AND r.person_id = s.person_id
		WHERE s.meeting_id = $1 AND s.ended_at IS NULL ORDER BY s.granted_at NULLS LAST, s.requested_at`, meetingID)
	if err != nil {
		return nil, nil, fmt.Errorf("speakers: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []meetings.SpeakerRequest
	names := map[council.ID]string{}
	for rows.Next() {
		var r meetings.SpeakerRequest
		var item *council.ID
		var granted *time.Time
		var secs int
		var name string
		if err := rows.Scan(&r.ID, &item, &r.PersonID, &r.Kind, &r.RequestedAt, &granted, &secs, &r.Place, &name); err != nil {
			return nil, nil, fmt.Errorf("speakers: %w", err)
		}
		r.ItemID, r.Limit, names[r.PersonID] = council.IDOf(item), time.Duration(secs)*time.Second, name
		if granted != nil {
			r.GrantedAt = *granted
		}
		out = append(out, r)
	}
	return out, names, rows.Err()
}

// hasAsked reports whether person asked to speak on item before (a point
// of order does not count; a withdrawn request neither).
func (st store) hasAsked(ctx context.Context, meetingID, item, person council.ID) (bool, error) {
	var before bool
	err := st.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_speakers WHERE meeting_id = $1 AND item_id = $2
		AND person_id = $3 AND NOT withdrawn AND kind <> 'point_of_order')`, meetingID, item, person).Scan(&before)
	return before, council.TranslateError(err)
}

// placeRequests records the chair's order of the waiting requests: ids
// take the places 1, 2, … in turn.
func (st store) placeRequests(ctx context.Context, meetingID council.ID, ids []council.ID) error {
	_, err := st.db.Exec(ctx, `UPDATE live_speakers s SET place = o.n FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, n)
		WHERE s.id = o.id AND s.meeting_id = $1 AND s.granted_at IS NULL AND s.ended_at IS NULL`, meetingID, ids)
	return council.TranslateError(err)
}

// addRequest puts r (ID, ItemID, PersonID, Kind, RequestedAt) on the
// speakers' list of the meeting.
func (st store) addRequest(ctx context.Context, meetingID council.ID, r meetings.SpeakerRequest) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_speakers (id, meeting_id, item_id, person_id, kind, requested_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		r.ID, meetingID, r.ItemID, r.PersonID, r.Kind, r.RequestedAt)
	return council.TranslateError(err)
}

// grantRequest gives request id the floor at now, for limit (0: no limit).
func (st store) grantRequest(ctx context.Context, id council.ID, now time.Time, limit time.Duration) error {
	_, err := st.db.Exec(ctx, `UPDATE live_speakers SET granted_at = $2, limit_seconds = $3 WHERE id = $1`,
		id, now, int(limit/time.Second))
	return council.TranslateError(err)
}

// endRequest ends request id at now; withdrawn marks a request withdrawn
// before it was granted.
func (st store) endRequest(ctx context.Context, id council.ID, now time.Time, withdrawn bool) error {
	_, err := st.db.Exec(ctx, `UPDATE live_speakers SET ended_at = $2, withdrawn = withdrawn OR $3 WHERE id = $1`, id, now, withdrawn)
	return council.TranslateError(err)
}

// endRequests ends every open request of the meeting at now.
func (st store) endRequests(ctx context.Context, meetingID council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE live_speakers SET ended_at = $2 WHERE meeting_id = $1 AND ended_at IS NULL`, meetingID, now)
	return council.TranslateError(err)
}
