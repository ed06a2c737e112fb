package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// rosterSeat is one member on a session's roster as the start writes it.
type rosterSeat struct {
	PersonID council.ID
	Name     string
	Role     string
	Voting   bool
}

// createRoster writes the roster of a session in order, a person holding
// several seats once (voting if any seat votes), and everyone absent
// since now.
func (st store) createRoster(ctx context.Context, meetingID council.ID, seats []rosterSeat, now time.Time) error {
	pos := 0
	for _, s := range seats {
		tag, err := st.db.Exec(ctx, `INSERT INTO live_roster (meeting_id, person_id, name, role, voting, position) VALUES ($1,$2,$3,$4,$5,$6)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET voting = live_roster.voting OR EXCLUDED.voting`,
			meetingID, s.PersonID, s.Name, s.Role, s.Voting, pos)
		if err != nil {
			return council.TranslateError(err)
		}
		pos += int(tag.RowsAffected())
	}
	_, err := st.db.Exec(ctx, `INSERT INTO live_presence (meeting_id, person_id, mode, since)
		SELECT meeting_id, person_id, 'absent', $2 FROM live_roster WHERE meeting_id = $1`, meetingID, now)
	return council.TranslateError(err)
}

const attendeeQuery = `SELECT r.person_id, r.name, r.role, r.voting, coalesce(p.mode, 'absent'), p.since, coalesce(m.connected, false)
	FROM live_roster r LEFT JOIN live_presence p ON p.meeting_id = r.meeting_id AND p.person_id = r.person_id
	LEFT JOIN live_media m ON m.meeting_id = r.meeting_id AND m.person_id = r.person_id
	WHERE r.meeting_id = $1`

func scanAttendee(row pgx.Row) (meetings.Attendee, error) {
	var a meetings.Attendee
	var since *time.Time
	err := row.Scan(&a.PersonID, &a.Name, &a.Role, &a.Voting, &a.Mode, &since, &a.Connected)
	if since != nil {
		a.Since = *since
	}
	return a, err
}

// roster returns the session's roster in order with current attendance.
func (st store) roster(ctx context.Context, meetingID council.ID) ([]meetings.Attendee, error) {
	rows, err := st.db.Query(ctx, attendeeQuery+` ORDER BY r.position`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("roster: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []meetings.Attendee
	for rows.Next() {
		a, err := scanAttendee(rows)
		if err != nil {
			return nil, fmt.Errorf("roster: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// attendee returns person's roster entry, or false when the person is not
// on the roster.
func (st store) attendee(ctx context.Context, meetingID, person council.ID) (meetings.Attendee, bool, error) {
	a, err := scanAttendee(st.db.QueryRow(ctx, attendeeQuery+` AND r.person_id = $2`, meetingID, person))
	if errors.Is(err, pgx.ErrNoRows) {
		return meetings.Attendee{}, false, nil
	}
	if err != nil {
		return meetings.Attendee{}, false, council.TranslateError(err)
	}
	return a, true, nil
}

// onRoster reports whether person is on the session's roster.
func (st store) onRoster(ctx context.Context, meetingID, person council.ID) (bool, error) {
	var on bool
	err := st.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_roster WHERE meeting_id = $1 AND person_id = $2)`,
		meetingID, person).Scan(&on)
	return on, council.TranslateError(err)
}

// modeChange is one attendance change: who, to which mode, under which
// agenda item (NilID: none), made by which user (NilID: none) in which
// role (via).
type modeChange struct {
	MeetingID, PersonID council.ID
	Mode                meetings.Mode
	ItemID, ActorID     council.ID
	Via                 Role
	At                  time.Time
}

// setMode records a member's new attendance mode and logs the change.
func (st store) setMode(ctx context.Context, c modeChange) error {
	if _, err := st.db.Exec(ctx, `UPDATE live_presence SET mode = $3, since = $4 WHERE meeting_id = $1 AND person_id = $2`,
		c.MeetingID, c.PersonID, c.Mode, c.At); err != nil {
		return council.TranslateError(err)
	}
	_, err := st.db.Exec(ctx, `INSERT INTO live_attendance (meeting_id, person_id, mode, item_id, actor_id, at, via) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		c.MeetingID, c.PersonID, c.Mode, council.NullID(c.ItemID), council.NullID(c.ActorID), c.At, string(c.Via))
	return council.TranslateError(err)
}

// attendanceLog returns a meeting's logged attendance changes in order,
// each with the agenda item it was made under (NilID: none).
func (st store) attendanceLog(ctx context.Context, meetingID council.ID) ([]modeChange, error) {
	rows, err := st.db.Query(ctx, `SELECT person_id, mode, at, via, item_id FROM live_attendance WHERE meeting_id = $1
		ORDER BY at, id`, meetingID)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []modeChange
	for rows.Next() {
		c := modeChange{MeetingID: meetingID}
		var item *council.ID
		if err := rows.Scan(&c.PersonID, &c.Mode, &c.At, &c.Via, &item); err != nil {
			return nil, err
		}
		c.ItemID = council.IDOf(item)
		out = append(out, c)
	}
	return out, rows.Err()
}

// connect records that a member's media connection is up, as a new epoch,
// and returns that epoch.
func (st store) connect(ctx context.Context, meetingID, person council.ID, now time.Time) (int64, error) {
	var epoch int64
	err := st.db.QueryRow(ctx, `INSERT INTO live_media (meeting_id, person_id, epoch, connected, at) VALUES ($1,$2,1,true,$3)
		ON CONFLICT (meeting_id, person_id) DO UPDATE SET epoch = live_media.epoch + 1, connected = true, at = EXCLUDED.at
		RETURNING epoch`, meetingID, person, now).Scan(&epoch)
	if err != nil {
		return 0, fmt.Errorf("media connection: %w", council.TranslateError(err))
	}
	return epoch, nil
}

// mediaEpoch returns the epoch of a member's latest media connection, or
// false when none was ever recorded.
func (st store) mediaEpoch(ctx context.Context, meetingID, person council.ID) (int64, bool, error) {
	var epoch int64
	err := st.db.QueryRow(ctx, `SELECT epoch FROM live_media WHERE meeting_id = $1 AND person_id = $2`,
		meetingID, person).Scan(&epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return epoch, err == nil, council.TranslateError(err)
}

// disconnect records that a member's media connection is down.
func (st store) disconnect(ctx context.Context, meetingID, person council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE live_media SET connected = false, at = $3 WHERE meeting_id = $1 AND person_id = $2`,
		meetingID, person, now)
	return council.TranslateError(err)
}

// mediaConn is a media connection recorded as up.
type mediaConn struct {
	MeetingID, PersonID council.ID
	Epoch               int64
}

// connected returns the media connections recorded as up in sessions
// that have not closed, by meeting and person.
func (st store) connected(ctx context.Context) ([]mediaConn, error) {
	rows, err := st.db.Query(ctx, `SELECT m.meeting_id, m.person_id, m.epoch FROM live_media m
		JOIN live_sessions s ON s.meeting_id = m.meeting_id
		WHERE m.connected AND s.closed_at IS NULL ORDER BY m.meeting_id, m.person_id`)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []mediaConn
	for rows.Next() {
		var c mediaConn
		if err := rows.Scan(&c.MeetingID, &c.PersonID, &c.Epoch); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// confirm records a member's confirmation for the non-public part that
// began at partSeq. Errors: ErrConflict when already confirmed.
func (st store) confirm(ctx context.Context, meetingID council.ID, partSeq int64, person council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_nonpublic_confirmations (meeting_id, part_seq, person_id, at) VALUES ($1,$2,$3,$4)`,
		meetingID, partSeq, person, now)
	return council.TranslateError(err)
}

// unconfirm drops a member's confirmation for the part that began at partSeq.
func (st store) unconfirm(ctx context.Context, meetingID council.ID, partSeq int64, person council.ID) error {
	_, err := st.db.Exec(ctx, `DELETE FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2 AND person_id = $3`,
		meetingID, partSeq, person)
	return council.TranslateError(err)
}

// confirmed reports whether person confirmed the part that began at partSeq.
func (st store) confirmed(ctx context.Context, meetingID council.ID, partSeq int64, person council.ID) (bool, error) {
	var ok bool
	err := st.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_nonpublic_confirmations WHERE meeting_id = $1
		AND part_seq = $2 AND person_id = $3)`, meetingID, partSeq, person).Scan(&ok)
	return ok, council.TranslateError(err)
}

// confirmations returns who confirmed the part that began at partSeq, in
// the order they did.
func (st store) confirmations(ctx context.Context, meetingID council.ID, partSeq int64) ([]council.ID, error) {
	rows, err := st.db.Query(ctx, `SELECT person_id FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2
		ORDER BY at`, meetingID, partSeq)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[council.ID])
}

// declareConflict records that person is conflicted for item. Errors:
// ErrConflict when already declared.
func (st store) declareConflict(ctx context.Context, meetingID, item, person, actor council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_conflicts (meeting_id, item_id, person_id, actor_id, at) VALUES ($1,$2,$3,$4,$5)`,
		meetingID, item, person, council.NullID(actor), now)
	return council.TranslateError(err)
}

// conflicted returns the persons declared conflicted for item.
func (st store) conflicted(ctx context.Context, item council.ID) (map[council.ID]bool, error) {
	out := map[council.ID]bool{}
	if item == council.NilID {
		return out, nil
	}
	rows, err := st.db.Query(ctx, `SELECT person_id FROM live_conflicts WHERE item_id = $1`, item)
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", council.TranslateError(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[council.ID])
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// recordQuorum records the chair's formal finding q for item (NilID: none).
func (st store) recordQuorum(ctx context.Context, meetingID, item council.ID, q QuorumView, actor council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_quorum_findings (meeting_id, item_id, quorate, seats, present, conflicted, needed, actor_id, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, meetingID, council.NullID(item), q.Quorate, q.Seats, q.Present,
		q.Conflicted, q.Needed, council.NullID(actor), now)
	return council.TranslateError(err)
}
