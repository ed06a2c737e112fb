package live

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
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
		snap, err = snapshot(ctx, tx, meetingID, a, h.opts.Profiles, h.now())
		return err
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("live snapshot %s: %w", meetingID, err)
	}
	return snap, nil
}

func snapshot(ctx context.Context, db council.DBTX, meetingID council.ID, a Actor, profiles map[string]voting.Profile, now time.Time) (Snapshot, error) {
	m, err := meetings.NewStore(db).Meeting(ctx, meetingID)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{MeetingID: m.ID, Name: m.Name, State: string(m.State), Recording: m.Record}
	st := store{db}
	s, err := st.session(ctx, meetingID, false)
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
	r, err := role(ctx, st, s, a)
	if err != nil {
		return Snapshot{}, err
	}
	aud := r.Audience()
	snap.Role, snap.Audience, snap.Part, snap.Seq, snap.Chair = r, aud, s.Part, s.Seq, s.ChairID
	snap.Mode, snap.Basis, snap.Profile = s.Mode, s.Basis, s.Profile
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
	att, err := st.roster(ctx, meetingID)
	if err != nil {
		return Snapshot{}, err
	}
	for _, x := range att {
		snap.Roster = append(snap.Roster, attendeeView(x))
	}
	q, err := quorum(ctx, st, s)
	if err != nil {
		return Snapshot{}, err
	}
	snap.Quorum = &q
	if aud == AudiencePublic && !itemPublic {
		return snap, nil
	}
	sp, err := speakers(ctx, st, s)
	if err != nil {
		return Snapshot{}, err
	}
	snap.Speakers = &sp
	if snap.Polls, err = polls(ctx, db, s, aud, profiles); err != nil {
		return Snapshot{}, err
	}
	if s.Part == PartPublic && itemPublic {
		if snap.Questions, snap.Question, err = questions(ctx, db, s); err != nil {
			return Snapshot{}, err
		}
		if snap.QuestionFloor, err = questionFloor(ctx, db, s, a, now); err != nil {
			return Snapshot{}, err
		}
	}
	if aud == AudiencePublic {
		return snap, nil
	}
	conf, err := st.conflicted(ctx, s.ItemID)
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
	// Staff see all complaints; members those resolved
	// (complaint_resolved goes to members) and their own open ones.
	if snap.Complaints, err = st.complaints(ctx, s.MeetingID, aud == AudienceStaff, snap.Self); err != nil {
		return Snapshot{}, err
	}
	if snap.Self != council.NilID && s.Part == PartNonPublic {
		if snap.SelfConfirmed, err = st.confirmed(ctx, s.MeetingID, s.PartSeq, snap.Self); err != nil {
			return Snapshot{}, err
		}
	}
	if aud == AudienceStaff {
		snap.Rules = slices.Clone(profiles[s.Profile].Rules)
	}
	if aud != AudienceStaff || s.Part != PartNonPublic {
		return snap, nil
	}
	// The confirmations of the current non-public part: who confirmed,
	// and which remote members have not yet.
	if snap.Confirmed, err = st.confirmations(ctx, s.MeetingID, s.PartSeq); err != nil {
		return Snapshot{}, err
	}
	for _, x := range att {
		if x.Mode == meetings.Remote && !slices.Contains(snap.Confirmed, x.PersonID) {
			snap.Unconfirmed = append(snap.Unconfirmed, x.PersonID)
		}
	}
	return snap, nil
}

// polls returns the views of the current item's polls for audience aud.
func polls(ctx context.Context, db council.DBTX, s session, aud Audience, profiles map[string]voting.Profile) ([]PollView, error) {
	if s.ItemID == council.NilID {
		return nil, nil
	}
	ms := meetings.NewStore(db)
	byItem, err := ms.PollsOfItems(ctx, []council.ID{s.ItemID})
	if err != nil {
		return nil, err
	}
	var out []PollView
	for _, p := range byItem[s.ItemID] {
		v, err := pollView(ctx, ms, p, profiles[p.Profile])
		if err != nil {
			return nil, err
		}
		if aud == AudiencePublic {
			v = v.public()
		}
		out = append(out, v)
	}
	return out, nil
}
