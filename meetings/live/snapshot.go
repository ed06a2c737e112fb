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
// and in the non-public part nothing but the part.
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
	for _, x := range att {
		if conf[x.PersonID] {
			snap.Conflicts = append(snap.Conflicts, x.PersonID)
		}
	}
	if aud != AudienceStaff {
		return snap, nil
	}
	return staffParts(ctx, db, s, snap, att)
}

// staffParts adds the open complaints and the confirmations of the current
// non-public part: who confirmed, and which remote members have not yet.
func staffParts(ctx context.Context, db council.DBTX, s session, snap Snapshot, att []meetings.Attendee) (Snapshot, error) {
	rows, err := db.Query(ctx, `SELECT c.id, c.person_id, r.name, c.item_id, c.text, c.raised_at FROM live_complaints c
		JOIN live_roster r ON r.meeting_id = c.meeting_id AND r.person_id = c.person_id
		WHERE c.meeting_id = $1 AND c.resolved_at IS NULL ORDER BY c.raised_at`, s.MeetingID)
	if err != nil {
		return Snapshot{}, council.TranslateError(err)
	}
	for rows.Next() {
		var v ComplaintView
		var item *council.ID
		if err := rows.Scan(&v.ID, &v.PersonID, &v.Name, &item, &v.Text, &v.RaisedAt); err != nil {
			rows.Close()
			return Snapshot{}, err
		}
		v.ItemID = council.IDOf(item)
		snap.Complaints = append(snap.Complaints, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Snapshot{}, err
	}
	if s.Part != PartNonPublic {
		return snap, nil
	}
	rows, err = db.Query(ctx, `SELECT person_id FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2 ORDER BY at`,
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
