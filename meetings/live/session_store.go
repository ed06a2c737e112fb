package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// store holds every SQL statement of the package: the session row, the
// event log and the item periods here; roster, attendance, media and
// quorum in roster_store.go; the speakers' list in speakers_store.go;
// complaints in complaints_store.go. Commands and views call its small
// methods and never write SQL themselves. db is a pool or, for commands,
// the command's transaction. Errors are translated with
// council.TranslateError.
type store struct{ db council.DBTX }

// session is the live_sessions row of a meeting with what commands need.
type session struct {
	MeetingID  council.ID
	Seq        int64
	ItemID     council.ID
	Part       Part
	PartSeq    int64
	ChairID    council.ID
	Seats      int
	FloorLimit int
	Closed     bool
	Profile    string             // the Land voting profile (meetings/voting)
	Mode       voting.SessionMode // presence, hybrid or digital
	Basis      voting.Basis       // the legal basis of a hybrid or digital session
}

// session reads a meeting's session, locking its row for the rest of the
// transaction when lock is set. Errors: ErrNotFound for an unknown
// meeting, ErrConflict for a meeting that has no session (not started).
func (st store) session(ctx context.Context, meetingID council.ID, lock bool) (session, error) {
	q := `SELECT meeting_id, seq, item_id, part, part_seq, chair_person_id, statutory_seats, floor_limit, closed_at IS NOT NULL,
		profile, mode, legal_basis FROM live_sessions WHERE meeting_id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	var s session
	var item, chair *council.ID
	err := st.db.QueryRow(ctx, q, meetingID).Scan(&s.MeetingID, &s.Seq, &item, &s.Part, &s.PartSeq, &chair, &s.Seats,
		&s.FloorLimit, &s.Closed, &s.Profile, &s.Mode, &s.Basis)
	if err == nil {
		s.ItemID, s.ChairID = council.IDOf(item), council.IDOf(chair)
		return s, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return session{}, council.TranslateError(err)
	}
	if _, err := meetings.NewStore(st.db).Meeting(ctx, meetingID); err != nil {
		return session{}, err
	}
	return session{}, fmt.Errorf("%w: meeting %s is not running", council.ErrConflict, meetingID)
}

// createSession inserts the session row of s, started at now. Errors:
// ErrConflict when the meeting has a session already.
func (st store) createSession(ctx context.Context, s session, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_sessions (meeting_id, item_id, chair_person_id, statutory_seats, floor_limit, started_at,
			profile, mode, legal_basis)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, s.MeetingID, council.NullID(s.ItemID), council.NullID(s.ChairID), s.Seats, s.FloorLimit, now,
		s.Profile, s.Mode, s.Basis)
	return council.TranslateError(err)
}

// closeSession marks the session closed at now.
func (st store) closeSession(ctx context.Context, meetingID council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE live_sessions SET closed_at = $2 WHERE meeting_id = $1`, meetingID, now)
	return council.TranslateError(err)
}

// setItem makes item the session's current agenda item.
func (st store) setItem(ctx context.Context, meetingID, item council.ID) error {
	_, err := st.db.Exec(ctx, `UPDATE live_sessions SET item_id = $2 WHERE meeting_id = $1`, meetingID, council.NullID(item))
	return council.TranslateError(err)
}

// setPart records the session's part and the seq of the event that began it.
func (st store) setPart(ctx context.Context, meetingID council.ID, p Part, partSeq int64) error {
	_, err := st.db.Exec(ctx, `UPDATE live_sessions SET part = $2, part_seq = $3 WHERE meeting_id = $1`, meetingID, p, partSeq)
	return council.TranslateError(err)
}

// lastSeq returns the seq of a meeting's last event (0: no session) and
// whether the meeting exists (and is not deleted).
func (st store) lastSeq(ctx context.Context, meetingID council.ID) (int64, bool, error) {
	var seq int64
	var exists bool
	err := st.db.QueryRow(ctx, `SELECT coalesce((SELECT seq FROM live_sessions WHERE meeting_id = $1), 0),
		EXISTS (SELECT 1 FROM meetings WHERE id = $1 AND NOT deleted)`, meetingID).Scan(&seq, &exists)
	return seq, exists, council.TranslateError(err)
}

// event is one row of the log as a command builds it.
type event struct {
	Kind     EventKind
	Audience Audience
	Payload  any
	Redacted any // what lower audiences see instead; nil: nothing
}

// storedEvent is one row of the log as the hub reads it.
type storedEvent struct {
	Seq      int64
	Kind     EventKind
	Audience Audience
	Payload  json.RawMessage
	Redacted json.RawMessage // nil: lower audiences see nothing
	At       time.Time
	// enc holds the message of each audience, encoded once for every
	// subscriber (a poll event is sent to a thousand viewers); nil: build
	// it each time.
	enc *encodedEvent
}

// encodedEvent is an event's message per audience (public, members,
// staff), built and encoded on first use.
type encodedEvent struct {
	once [3]sync.Once
	msg  [3]Message
	ok   [3]bool
}

// message returns what audience aud sees of e, or false for nothing; with
// e.enc the message carries its JSON, encoded once for every subscriber
// of the audience.
func (e storedEvent) message(aud Audience) (Message, bool) {
	if e.enc == nil {
		return e.build(aud)
	}
	i := aud.rank()
	e.enc.once[i].Do(func() {
		m, ok := e.build(aud)
		if ok {
			m.encoded, _ = json.Marshal(m) // a RawMessage payload from the log and plain fields: cannot fail
		}
		e.enc.msg[i], e.enc.ok[i] = m, ok
	})
	return e.enc.msg[i], e.enc.ok[i]
}

func (e storedEvent) build(aud Audience) (Message, bool) {
	data := e.Payload
	if !aud.Sees(e.Audience) {
		if e.Redacted == nil {
			return Message{}, false
		}
		data = e.Redacted
	}
	at := e.At
	return Message{V: ProtocolVersion, Type: TypeEvent, Seq: e.Seq, Kind: e.Kind, At: &at, Data: data}, true
}

// appendEvents writes evs with the sequence numbers after s.Seq, bumps the
// session's seq and queues the notification on Channel (PostgreSQL
// delivers it at commit). It returns the last seq. The store must be on
// the transaction that locked the session.
func (st store) appendEvents(ctx context.Context, s session, actor council.ID, now time.Time, evs []event) (int64, error) {
	seq := s.Seq
	for _, e := range evs {
		seq++
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return 0, fmt.Errorf("encode %s: %w", e.Kind, err)
		}
		var redacted []byte
		if e.Redacted != nil {
			if redacted, err = json.Marshal(e.Redacted); err != nil {
				return 0, fmt.Errorf("encode %s: %w", e.Kind, err)
			}
		}
		if _, err := st.db.Exec(ctx, `INSERT INTO live_events (meeting_id, seq, kind, audience, payload, redacted, actor_id, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, s.MeetingID, seq, e.Kind, e.Audience, payload, redacted, council.NullID(actor), now); err != nil {
			return 0, fmt.Errorf("append %s: %w", e.Kind, council.TranslateError(err))
		}
	}
	if _, err := st.db.Exec(ctx, `UPDATE live_sessions SET seq = $2 WHERE meeting_id = $1`, s.MeetingID, seq); err != nil {
		return 0, council.TranslateError(err)
	}
	if _, err := st.db.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, fmt.Sprintf("%s:%d", s.MeetingID, seq)); err != nil {
		return 0, fmt.Errorf("notify: %w", council.TranslateError(err))
	}
	return seq, nil
}

// listen makes conn (a connection of its own, not the pool's) receive
// the notifications appendEvents sends.
func listen(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

// events returns the events of a meeting after seq, at most limit.
func (st store) events(ctx context.Context, meetingID council.ID, after int64, limit int) ([]storedEvent, error) {
	rows, err := st.db.Query(ctx, `SELECT seq, kind, audience, payload, redacted, at FROM live_events
		WHERE meeting_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, meetingID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		e := storedEvent{enc: &encodedEvent{}}
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Audience, &e.Payload, &e.Redacted, &e.At); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// beginItem records that item begins as the current item at now (for
// attendance per agenda item in the minutes).
func (st store) beginItem(ctx context.Context, meetingID, item council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_item_periods (meeting_id, item_id, started_at) VALUES ($1,$2,$3)`,
		meetingID, item, now)
	return council.TranslateError(err)
}

// endItem records that the current item (if any) ends at now.
func (st store) endItem(ctx context.Context, meetingID council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE live_item_periods SET ended_at = $2 WHERE meeting_id = $1 AND ended_at IS NULL`,
		meetingID, now)
	return council.TranslateError(err)
}

// itemPeriod is one period in which an agenda item was current.
type itemPeriod struct {
	ItemID   council.ID
	From, To time.Time // To zero: still current
}

// itemPeriods returns a meeting's item periods in order.
func (st store) itemPeriods(ctx context.Context, meetingID council.ID) ([]itemPeriod, error) {
	rows, err := st.db.Query(ctx, `SELECT item_id, started_at, ended_at FROM live_item_periods WHERE meeting_id = $1
		ORDER BY started_at, id`, meetingID)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []itemPeriod
	for rows.Next() {
		var p itemPeriod
		var to *time.Time
		if err := rows.Scan(&p.ItemID, &p.From, &to); err != nil {
			return nil, err
		}
		if to != nil {
			p.To = *to
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
