package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Snapshot returns the full state of meeting meetingID as actor a may see
// it, consistent with the event log up to Snapshot.Seq. A meeting that has
// not started has Seq 0 and only its state. The public sees a non-public
// item under its neutral title, no conflicts, complaints or confirmations,
// and in the non-public part nothing but the part. Members see the
// resolved complaints and their own open ones, staff all complaints.
// Errors: ErrNotFound for an unknown meeting.
func (h *Hub) Snapshot(ctx context.Context, meetingID council.ID, a Actor) (Snapshot, error) {
	var snap Snapshot
	err := pgx.BeginTxFunc(ctx, h.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		snap, err = snapshot(ctx, tx, meetingID, a)
		return err
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("live snapshot %s: %w", meetingID, err)
	}
	return snap, nil
}

func snapshot(ctx context.Context, db council.DBTX, meetingID council.ID, a Actor) (Snapshot, error) {
	m, err := meetings.NewStore(db).Meeting(ctx, meetingID)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{MeetingID: m.ID, Name: m.Name, State: string(m.State)}
	s, err := loadSession(ctx, db, meetingID, false)
	if errors.Is(err, council.ErrConflict) {
		snap.Role = RolePublic
		switch {
		case a.System:
			snap.Role = RoleSystem
		case a.Role.IsStaff():
			snap.Role = RoleClerk
		}
		snap.Audience = snap.Role.Audience()
		return snap, nil
	}
	if err != nil {
		return Snapshot{}, err
	}
	r, err := role(ctx, db, s, a)
	if err != nil {
		return Snapshot{}, err
	}
	aud := r.Audience()
	snap.Role, snap.Audience, snap.Part, snap.Seq, snap.Chair = r, aud, s.Part, s.Seq, s.ChairID
	if s.Part == PartNonPublic && aud == AudiencePublic {
		return snap, nil
	}
	items, err := meetings.NewStore(db).AgendaItems(ctx, meetingID)
	if err != nil {
		return Snapshot{}, err
	}
	itemPublic := true
	for _, it := range items {
		v := ItemView{ID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public}
		if !it.Public && aud == AudiencePublic {
			v = v.neutral()
		}
		snap.Agenda = append(snap.Agenda, v)
		if it.ID == s.ItemID {
			snap.Item, itemPublic = &v, it.Public
		}
	}
	att, err := roster(ctx, db, meetingID)
	if err != nil {
		return Snapshot{}, err
	}
	for _, x := range att {
		v := AttendeeView{PersonID: x.PersonID, Name: x.Name, Role: x.Role, Voting: x.Voting, Mode: string(x.Mode), Connected: x.Connected}
		if !x.Since.IsZero() {
			since := x.Since
			v.Since = &since
		}
		snap.Roster = append(snap.Roster, v)
	}
	q, err := quorum(ctx, db, s)
	if err != nil {
		return Snapshot{}, err
	}
	snap.Quorum = &q
	if aud == AudiencePublic && !itemPublic {
		return snap, nil
	}
	sp, err := speakers(ctx, db, s)
	if err != nil {
		return Snapshot{}, err
	}
	snap.Speakers = &sp
	if aud == AudiencePublic {
		return snap, nil
	}
	conf, err := conflicted(ctx, db, s.ItemID)
	if err != nil {
		return Snapshot{}, err
	}
	snap.PartSeq = s.PartSeq
	for _, x := range att {
		if conf[x.PersonID] {
			snap.Conflicts = append(snap.Conflicts, x.PersonID)
		}
		if a.PersonID != council.NilID && x.PersonID == a.PersonID {
			snap.Self = x.PersonID
		}
	}
	if snap.Complaints, err = complaints(ctx, db, s.MeetingID, aud, snap.Self); err != nil {
		return Snapshot{}, err
	}
	if snap.Self != council.NilID && s.Part == PartNonPublic {
		if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2 AND person_id = $3)`,
			s.MeetingID, s.PartSeq, snap.Self).Scan(&snap.SelfConfirmed); err != nil {
			return Snapshot{}, council.TranslateError(err)
		}
	}
	if aud != AudienceStaff {
		return snap, nil
	}
	return staffParts(ctx, db, s, snap, att)
}

// complaints returns the session's complaints in the order raised, with
// their resolution: all of them for staff; for members those resolved
// (complaint_resolved goes to members) and self's own open ones.
func complaints(ctx context.Context, db council.DBTX, meetingID council.ID, aud Audience, self council.ID) ([]ComplaintView, error) {
	rows, err := db.Query(ctx, `SELECT c.id, c.person_id, r.name, c.item_id, c.text, c.raised_at, c.classification, c.note, c.resolved_at
		FROM live_complaints c JOIN live_roster r ON r.meeting_id = c.meeting_id AND r.person_id = c.person_id
		WHERE c.meeting_id = $1 AND ($2 OR c.resolved_at IS NOT NULL OR c.person_id = $3) ORDER BY c.raised_at, c.id`,
		meetingID, aud == AudienceStaff, council.NullID(self))
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []ComplaintView
	for rows.Next() {
		var v ComplaintView
		var item *council.ID
		var class string
		if err := rows.Scan(&v.ID, &v.PersonID, &v.Name, &item, &v.Text, &v.RaisedAt, &class, &v.Note, &v.ResolvedAt); err != nil {
			return nil, err
		}
		v.ItemID, v.Resolution = council.IDOf(item), Resolution(class)
		out = append(out, v)
	}
	return out, rows.Err()
}

// staffParts adds the confirmations of the current non-public part: who
// confirmed, and which remote members have not yet.
func staffParts(ctx context.Context, db council.DBTX, s session, snap Snapshot, att []meetings.Attendee) (Snapshot, error) {
	if s.Part != PartNonPublic {
		return snap, nil
	}
	rows, err := db.Query(ctx, `SELECT person_id FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2 ORDER BY at`,
		s.MeetingID, s.PartSeq)
	if err != nil {
		return Snapshot{}, council.TranslateError(err)
	}
	defer rows.Close()
	confirmed := map[council.ID]bool{}
	for rows.Next() {
		var id council.ID
		if err := rows.Scan(&id); err != nil {
			return Snapshot{}, err
		}
		snap.Confirmed = append(snap.Confirmed, id)
		confirmed[id] = true
	}
	if err := rows.Err(); err != nil {
		return Snapshot{}, err
	}
	for _, x := range att {
		if x.Mode == meetings.Remote && !confirmed[x.PersonID] {
			snap.Unconfirmed = append(snap.Unconfirmed, x.PersonID)
		}
	}
	return snap, nil
}
