package live

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

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
}

const sessionCols = `meeting_id, seq, item_id, part, part_seq, chair_person_id, statutory_seats, floor_limit, closed_at IS NOT NULL`

func scanSession(row pgx.Row) (session, error) {
	var s session
	var item, chair *council.ID
	err := row.Scan(&s.MeetingID, &s.Seq, &item, &s.Part, &s.PartSeq, &chair, &s.Seats, &s.FloorLimit, &s.Closed)
	s.ItemID, s.ChairID = council.IDOf(item), council.IDOf(chair)
	return s, err
}

// loadSession reads a meeting's session, locking it when lock is set.
// Errors: ErrNotFound for an unknown meeting, ErrConflict for a meeting
// that has no running session.
func loadSession(ctx context.Context, db council.DBTX, meetingID council.ID, lock bool) (session, error) {
	q := `SELECT ` + sessionCols + ` FROM live_sessions WHERE meeting_id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	s, err := scanSession(db.QueryRow(ctx, q, meetingID))
	if err == nil {
		return s, nil
	}
	if err != pgx.ErrNoRows {
		return session{}, council.TranslateError(err)
	}
	if _, err := meetings.NewStore(db).Meeting(ctx, meetingID); err != nil {
		return session{}, err
	}
	return session{}, fmt.Errorf("%w: meeting %s is not running", council.ErrConflict, meetingID)
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
}

// message returns what audience aud sees of e, or false for nothing.
func (e storedEvent) message(aud Audience) (Message, bool) {
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
// session's seq and queues the notification (PostgreSQL delivers it at
// commit). It returns the last seq.
func appendEvents(ctx context.Context, tx pgx.Tx, s session, actor council.ID, now time.Time, evs []event) (int64, error) {
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
		if _, err := tx.Exec(ctx, `INSERT INTO live_events (meeting_id, seq, kind, audience, payload, redacted, actor_id, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, s.MeetingID, seq, e.Kind, e.Audience, payload, redacted, council.NullID(actor), now); err != nil {
			return 0, fmt.Errorf("append %s: %w", e.Kind, council.TranslateError(err))
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE live_sessions SET seq = $2 WHERE meeting_id = $1`, s.MeetingID, seq); err != nil {
		return 0, council.TranslateError(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify('plenar_live', $1)`, fmt.Sprintf("%s:%d", s.MeetingID, seq)); err != nil {
		return 0, fmt.Errorf("notify: %w", council.TranslateError(err))
	}
	return seq, nil
}

// readEvents returns the events of meeting after seq, at most limit.
func readEvents(ctx context.Context, db council.DBTX, meetingID council.ID, after int64, limit int) ([]storedEvent, error) {
	rows, err := db.Query(ctx, `SELECT seq, kind, audience, payload, redacted, at FROM live_events
		WHERE meeting_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, meetingID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Audience, &e.Payload, &e.Redacted, &e.At); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// roster returns the session's roster with current attendance.
func roster(ctx context.Context, db council.DBTX, meetingID council.ID) ([]meetings.Attendee, error) {
	rows, err := db.Query(ctx, `SELECT r.person_id, r.name, r.role, r.voting, coalesce(p.mode, 'absent'), p.since, coalesce(m.connected, false)
		FROM live_roster r LEFT JOIN live_presence p ON p.meeting_id = r.meeting_id AND p.person_id = r.person_id
		LEFT JOIN live_media m ON m.meeting_id = r.meeting_id AND m.person_id = r.person_id
		WHERE r.meeting_id = $1 ORDER BY r.position`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("roster: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []meetings.Attendee
	for rows.Next() {
		var a meetings.Attendee
		var since *time.Time
		if err := rows.Scan(&a.PersonID, &a.Name, &a.Role, &a.Voting, &a.Mode, &since, &a.Connected); err != nil {
			return nil, fmt.Errorf("roster: %w", err)
		}
		if since != nil {
			a.Since = *since
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// conflicted returns the persons declared conflicted for item.
func conflicted(ctx context.Context, db council.DBTX, item council.ID) (map[council.ID]bool, error) {
	out := map[council.ID]bool{}
	if item == council.NilID {
		return out, nil
	}
	rows, err := db.Query(ctx, `SELECT person_id FROM live_conflicts WHERE item_id = $1`, item)
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", council.TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id council.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// quorum computes the live quorum of s for its current item.
func quorum(ctx context.Context, db council.DBTX, s session) (QuorumView, error) {
	r, err := roster(ctx, db, s.MeetingID)
	if err != nil {
		return QuorumView{}, err
	}
	conf, err := conflicted(ctx, db, s.ItemID)
	if err != nil {
		return QuorumView{}, err
	}
	q := meetings.ComputeQuorum(s.Seats, r, conf)
	return QuorumView{ItemID: s.ItemID, Seats: q.Seats, Present: q.Present, Conflicted: q.Conflicted,
		Counted: q.Counted, Needed: q.Needed, Quorate: q.Quorate}, nil
}

// openRequests returns the open (waiting or speaking) requests of the
// meeting, with names by person.
func openRequests(ctx context.Context, db council.DBTX, meetingID council.ID) ([]meetings.SpeakerRequest, map[council.ID]string, error) {
	rows, err := db.Query(ctx, `SELECT s.id, s.item_id, s.person_id, s.kind, s.requested_at, s.granted_at, s.limit_seconds, r.name
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
		if err := rows.Scan(&r.ID, &item, &r.PersonID, &r.Kind, &r.RequestedAt, &granted, &secs, &name); err != nil {
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

// speakers returns the speakers' view of the session.
func speakers(ctx context.Context, db council.DBTX, s session) (SpeakersView, error) {
	rs, names, err := openRequests(ctx, db, s.MeetingID)
	if err != nil {
		return SpeakersView{}, err
	}
	v := SpeakersView{Floor: []SpeakerView{}, Queue: []SpeakerView{}, Limit: s.FloorLimit}
	view := func(r meetings.SpeakerRequest) SpeakerView {
		sv := SpeakerView{ID: r.ID, PersonID: r.PersonID, Name: names[r.PersonID], Kind: string(r.Kind),
			RequestedAt: r.RequestedAt, Seconds: int(r.Limit / time.Second)}
		if !r.GrantedAt.IsZero() {
			g := r.GrantedAt
			sv.GrantedAt = &g
		}
		return sv
	}
	for _, r := range rs {
		if r.Speaking() {
			v.Floor = append(v.Floor, view(r))
		}
	}
	for _, r := range meetings.Queue(rs) {
		v.Queue = append(v.Queue, view(r))
	}
	return v, nil
}

// item returns the view of agenda item id (full, unredacted).
func item(ctx context.Context, db council.DBTX, id council.ID) (ItemView, error) {
	if id == council.NilID {
		return ItemView{}, nil
	}
	it, err := meetings.NewStore(db).AgendaItem(ctx, id)
	if err != nil {
		return ItemView{}, err
	}
	return ItemView{ID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public}, nil
}

// neutral is the public's view of a non-public item.
func (v ItemView) neutral() ItemView {
	return ItemView{ID: v.ID, Number: v.Number, Title: meetings.NonPublicTitle, Public: false}
}
