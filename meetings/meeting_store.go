package meetings

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Store reads and writes meetings and agendas in PostgreSQL.
type Store struct {
	db council.DBTX
	// mailer tells the members of a meeting's bodies of its invitation,
	// agenda changes and minutes to approve (member_mail_store.go); nil:
	// no mail (imports, the demo seed, the live session).
	mailer council.MemberMailer
}

// NewStore returns a Store on db.
func NewStore(db council.DBTX) *Store { return &Store{db: db} }

const meetingCols = `m.id, m.body_id, m.name, m.start_at, m.end_at, m.location_id, m.state, m.cancelled, m.invited_at,
	m.created, m.modified, m.deleted, agenda_public(m), m.record,
	(SELECT ls.closed_at FROM live_sessions ls WHERE ls.meeting_id = m.id),
	coalesce((SELECT array_agg(mo.organization_id ORDER BY o.name) FROM meeting_organizations mo
		JOIN organizations o ON o.id = mo.organization_id WHERE mo.meeting_id = m.id), '{}')`

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var end, invited, ended *time.Time
	var loc *council.ID
	err := row.Scan(&m.ID, &m.BodyID, &m.Name, &m.Start, &end, &loc, &m.State, &m.Cancelled, &invited,
		&m.Created, &m.Modified, &m.Deleted, &m.AgendaPublic, &m.Record, &ended, &m.Organizations)
	if end != nil {
		m.End = *end
	}
	if ended != nil {
		m.Ended = *ended
	}
	if invited != nil {
		m.InvitedAt = *invited
	}
	m.LocationID = council.IDOf(loc)
	return m, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// SaveMeeting inserts m (zero ID, state planned) or updates name, times,
// location, organizations and the record flag. A closed meeting cannot be changed.
// Errors: ErrInvalid (FieldErrors), ErrNotFound, ErrConflict.
func (s *Store) SaveMeeting(ctx context.Context, m Meeting) (Meeting, error) {
	if err := m.Validate(); err != nil {
		return Meeting{}, err
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		op := council.OpUpdate
		var changes any
		if m.ID == council.NilID {
			m.ID, op = council.NewID(), council.OpCreate
			if _, err := tx.Exec(ctx, `INSERT INTO meetings (id, body_id, name, start_at, end_at, location_id, record)
				VALUES ($1,$2,$3,$4,$5,$6,$7)`, m.ID, m.BodyID, m.Name, m.Start, nullTime(m.End), council.NullID(m.LocationID), m.Record); err != nil {
				return council.TranslateError(err)
			}
			changes = map[string]any{"Name": m.Name, "Start": m.Start}
		} else {
			old, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE id = $1 AND NOT deleted FOR UPDATE`, m.ID))
			if err != nil {
				return council.TranslateError(err)
			}
			if old.State == Closed {
				return fmt.Errorf("%w: meeting is closed", council.ErrConflict)
			}
			if _, err := tx.Exec(ctx, `UPDATE meetings SET name=$2, start_at=$3, end_at=$4, location_id=$5, record=$6, modified=now()
				WHERE id = $1`, m.ID, m.Name, m.Start, nullTime(m.End), council.NullID(m.LocationID), m.Record); err != nil {
				return council.TranslateError(err)
			}
			m.State, m.Cancelled, m.InvitedAt = old.State, old.Cancelled, old.InvitedAt
			changes = council.Diff(old, m)
			if _, err := tx.Exec(ctx, `DELETE FROM meeting_organizations WHERE meeting_id = $1`, m.ID); err != nil {
				return council.TranslateError(err)
			}
		}
		for _, o := range m.Organizations {
			if _, err := tx.Exec(ctx, `INSERT INTO meeting_organizations (meeting_id, organization_id) VALUES ($1,$2)
				ON CONFLICT DO NOTHING`, m.ID, o); err != nil {
				return council.TranslateError(err)
			}
		}
		if err := council.Record(ctx, tx, "meeting", m.ID, op, changes); err != nil {
			return err
		}
		saved, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE id = $1`, m.ID))
		m = saved
		return council.TranslateError(err)
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("save meeting: %w", err)
	}
	return m, nil
}

// Meeting returns the meeting with id. Errors: ErrNotFound.
func (s *Store) Meeting(ctx context.Context, id council.ID) (Meeting, error) {
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE id = $1`, id))
	if err != nil {
		return Meeting{}, fmt.Errorf("meeting %s: %w", id, council.TranslateError(err))
	}
	return m, nil
}

// Invite publishes the invitation: planned → invited. It refuses a
// cancelled meeting and one without agenda items.
// Errors: ErrNotFound, ErrConflict.
func (s *Store) Invite(ctx context.Context, id council.ID, at time.Time) (Meeting, error) {
	return s.transition(ctx, id, "invite", func(tx council.DBTXTx, m Meeting) error {
		if m.State != Planned || m.Cancelled {
			return fmt.Errorf("%w: meeting is %s (cancelled: %t)", council.ErrConflict, m.State, m.Cancelled)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1 AND NOT deleted`, id).Scan(&n); err != nil {
			return council.TranslateError(err)
		}
		if n == 0 {
			return fmt.Errorf("%w: the agenda is empty", council.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET state = 'invited', invited_at = $2, modified = now() WHERE id = $1`, id, at); err != nil {
			return council.TranslateError(err)
		}
		return s.notifyMembers(ctx, tx, id, council.NoticeInvitation, nil)
	})
}

// Cancel cancels a meeting that has not started. Errors: ErrNotFound, ErrConflict.
func (s *Store) Cancel(ctx context.Context, id council.ID) (Meeting, error) {
	return s.transition(ctx, id, "cancel", func(tx council.DBTXTx, m Meeting) error {
		if m.State == Running || m.State == Closed || m.Cancelled {
			return fmt.Errorf("%w: meeting is %s (cancelled: %t)", council.ErrConflict, m.State, m.Cancelled)
		}
		_, err := tx.Exec(ctx, `UPDATE meetings SET cancelled = true, modified = now() WHERE id = $1`, id)
		return council.TranslateError(err)
	})
}

// SetState moves a meeting to state (for imports, demo data and the
// coming live session): invited → running → closed.
// Errors: ErrNotFound, ErrConflict for any other step.
func (s *Store) SetState(ctx context.Context, id council.ID, to State) (Meeting, error) {
	return s.transition(ctx, id, "state "+string(to), func(tx council.DBTXTx, m Meeting) error {
		ok := (m.State == Invited && to == Running) || (m.State == Running && to == Closed) || (m.State == Invited && to == Closed)
		if !ok || m.Cancelled {
			return fmt.Errorf("%w: cannot move a %s meeting to %s", council.ErrConflict, m.State, to)
		}
		_, err := tx.Exec(ctx, `UPDATE meetings SET state = $2, modified = now() WHERE id = $1`, id, to)
		return council.TranslateError(err)
	})
}

func (s *Store) transition(ctx context.Context, id council.ID, what string, fn func(council.DBTXTx, Meeting) error) (Meeting, error) {
	var m Meeting
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		old, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE id = $1 AND NOT deleted FOR UPDATE`, id))
		if err != nil {
			return council.TranslateError(err)
		}
		if err := fn(tx, old); err != nil {
			return err
		}
		m, err = scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE id = $1`, id))
		if err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "meeting", id, council.OpUpdate, council.Diff(old, m))
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("%s meeting %s: %w", what, id, err)
	}
	return m, nil
}

// DeleteMeeting marks a meeting deleted. Errors: ErrNotFound.
func (s *Store) DeleteMeeting(ctx context.Context, id council.ID) error {
	return council.SoftDelete(ctx, s.db, "meetings", "meeting", id)
}

// nullIDs is ids for a uuid[] parameter, NULL when empty.
func nullIDs(ids []council.ID) any {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// Filter selects meetings for a list.
type Filter struct {
	BodyID         council.ID
	From, To       time.Time  // start_at in [From, To); zero: open
	OrganizationID council.ID // NilID: any
	// OrganizationIDs keeps meetings of any of these organizations (a
	// member's bodies); empty: any. Combines with OrganizationID.
	OrganizationIDs []council.ID
	State           State // "": any; Running: the meetings whose live session runs
	Descending      bool
	Limit           int // 0: 100
	Offset          int
}

// Meetings lists meetings that are not deleted, by start time.
func (s *Store) Meetings(ctx context.Context, f Filter) ([]Meeting, error) {
	if f.Limit <= 0 || f.Limit > 2000 {
		f.Limit = 100
	}
	order := "ASC"
	if f.Descending {
		order = "DESC"
	}
	rows, err := s.db.Query(ctx, `SELECT `+meetingCols+` FROM meetings m
		WHERE m.body_id = $1 AND NOT m.deleted
		  AND ($2::timestamptz IS NULL OR m.start_at >= $2) AND ($3::timestamptz IS NULL OR m.start_at < $3)
		  AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM meeting_organizations mo WHERE mo.meeting_id = m.id AND mo.organization_id = $4))
		  AND ($7::uuid[] IS NULL OR EXISTS (SELECT 1 FROM meeting_organizations mo WHERE mo.meeting_id = m.id AND mo.organization_id = ANY($7)))
		  AND ($8 = '' OR m.state = $8)
		ORDER BY m.start_at `+order+`, m.id LIMIT $5 OFFSET $6`,
		f.BodyID, nullTime(f.From), nullTime(f.To), council.NullID(f.OrganizationID), f.Limit, f.Offset,
		nullIDs(f.OrganizationIDs), string(f.State))
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, fmt.Errorf("meetings: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// NextMeetingFor returns the next meeting of organization org whose agenda
// can still take a paper at now under a deadline of days (docs/DOMAIN.md,
// "Einwohnerantrag": routing an admitted motion): planned or invited, not
// cancelled or deleted, and its day in Germany at least days after now's
// day (council.ParticipationRules.AgendaDeadlineFor: the last day to put
// a motion on it is today or later). ok is false when there is none.
func (s *Store) NextMeetingFor(ctx context.Context, org council.ID, days int, now time.Time) (Meeting, bool, error) {
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingCols+` FROM meetings m
		WHERE NOT m.deleted AND NOT m.cancelled AND m.state IN ('planned', 'invited')
		  AND EXISTS (SELECT 1 FROM meeting_organizations mo WHERE mo.meeting_id = m.id AND mo.organization_id = $1)
		  AND (m.start_at AT TIME ZONE 'Europe/Berlin')::date - $2::int >= $3::date
		ORDER BY m.start_at, m.id LIMIT 1`, org, days, council.Today(now)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Meeting{}, false, nil
	}
	if err != nil {
		return Meeting{}, false, fmt.Errorf("next meeting of %s: %w", org, council.TranslateError(err))
	}
	return m, true, nil
}
