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

// start moves an invited meeting to running and creates its session: the
// roster (memberships current on the meeting day in the meeting's
// organizations), everyone absent, the first agenda item, the public part.
func (h *Hub) start(ctx context.Context, tx pgx.Tx, meetingID council.ID, a Actor, c Command, now time.Time) (session, []event, error) {
	ms := meetings.NewStore(tx)
	m, err := ms.Meeting(ctx, meetingID)
	if err != nil {
		return session{}, nil, err
	}
	seats, statutory, err := seatsOf(ctx, tx, m)
	if err != nil {
		return session{}, nil, err
	}
	chair := c.ChairID
	if chair == council.NilID {
		chair = chairOf(seats)
	}
	r := RolePublic
	switch {
	case a.PersonID != council.NilID && a.PersonID == chair:
		r = RoleChair
	case a.Role.IsStaff():
		r = RoleClerk
	}
	if !Allowed(r, CmdStart, false) {
		return session{}, nil, fmt.Errorf("%w: a %s may not start the session", council.ErrForbidden, r)
	}
	k := c.FloorLimit
	if k <= 0 {
		k = h.opts.FloorLimit
	}
	if _, err := ms.SetState(ctx, meetingID, meetings.Running); err != nil {
		return session{}, nil, err
	}
	items, err := ms.AgendaItems(ctx, meetingID)
	if err != nil {
		return session{}, nil, err
	}
	s := session{MeetingID: meetingID, Part: PartPublic, ChairID: chair, Seats: statutory, FloorLimit: k}
	if len(items) > 0 {
		s.ItemID = items[0].ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO live_sessions (meeting_id, item_id, chair_person_id, statutory_seats, floor_limit, started_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, meetingID, council.NullID(s.ItemID), council.NullID(chair), statutory, k, now); err != nil {
		return session{}, nil, council.TranslateError(err)
	}
	pos := 0
	for _, st := range seats {
		voting := st.VotingRight && !st.Substitute
		tag, err := tx.Exec(ctx, `INSERT INTO live_roster (meeting_id, person_id, name, role, voting, position) VALUES ($1,$2,$3,$4,$5,$6)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET voting = live_roster.voting OR EXCLUDED.voting`,
			meetingID, st.PersonID, st.Person.Name(), st.Role, voting, pos)
		if err != nil {
			return session{}, nil, council.TranslateError(err)
		}
		pos += int(tag.RowsAffected())
	}
	if _, err := tx.Exec(ctx, `INSERT INTO live_presence (meeting_id, person_id, mode, since)
		SELECT meeting_id, person_id, 'absent', $2 FROM live_roster WHERE meeting_id = $1`, meetingID, now); err != nil {
		return session{}, nil, council.TranslateError(err)
	}
	cc := &cmdCtx{tx: tx, s: s, actor: a, role: r, now: now}
	if err := cc.beginItem(ctx); err != nil {
		return session{}, nil, err
	}
	evs := []event{{Kind: EvSessionStarted, Audience: AudiencePublic, Payload: SessionPayload{State: string(meetings.Running), Part: PartPublic, Chair: chair}}}
	ie, err := cc.itemEvent(ctx)
	if err != nil {
		return session{}, nil, err
	}
	qe, err := cc.quorumEvent(ctx)
	return s, append(evs, ie, qe), err
}

func (cc *cmdCtx) close(ctx context.Context) ([]event, error) {
	if _, err := meetings.NewStore(cc.tx).SetState(ctx, cc.s.MeetingID, meetings.Closed); err != nil {
		return nil, err
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_speakers SET ended_at = $2 WHERE meeting_id = $1 AND ended_at IS NULL`,
		cc.s.MeetingID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_sessions SET closed_at = $2 WHERE meeting_id = $1`, cc.s.MeetingID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	if err := cc.endItem(ctx); err != nil {
		return nil, err
	}
	return []event{{Kind: EvSessionClosed, Audience: AudiencePublic, Payload: SessionPayload{State: string(meetings.Closed), Part: cc.s.Part}}}, nil
}

// moveItem goes to the next or previous agenda item. Open requests to speak
// end with the item they were made for.
func (cc *cmdCtx) moveItem(ctx context.Context, delta int) ([]event, error) {
	items, err := meetings.NewStore(cc.tx).AgendaItems(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	cur := -1
	for i, it := range items {
		if it.ID == cc.s.ItemID {
			cur = i
		}
	}
	next := cur + delta
	if cur < 0 && delta > 0 {
		next = 0
	}
	if next < 0 || next >= len(items) {
		return nil, fmt.Errorf("%w: no %s agenda item", council.ErrConflict, map[bool]string{true: "next", false: "previous"}[delta > 0])
	}
	if err := cc.endItem(ctx); err != nil {
		return nil, err
	}
	cc.s.ItemID = items[next].ID
	if _, err := cc.tx.Exec(ctx, `UPDATE live_sessions SET item_id = $2 WHERE meeting_id = $1`, cc.s.MeetingID, cc.s.ItemID); err != nil {
		return nil, council.TranslateError(err)
	}
	if err := cc.beginItem(ctx); err != nil {
		return nil, err
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_speakers SET ended_at = $2 WHERE meeting_id = $1 AND ended_at IS NULL`,
		cc.s.MeetingID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	return cc.events(ctx, cc.itemEvent, cc.speakersEvent, cc.quorumEvent)
}

// beginItem records that the current item begins now (for attendance per
// agenda item in the minutes).
func (cc *cmdCtx) beginItem(ctx context.Context) error {
	if cc.s.ItemID == council.NilID {
		return nil
	}
	_, err := cc.tx.Exec(ctx, `INSERT INTO live_item_periods (meeting_id, item_id, started_at) VALUES ($1,$2,$3)`,
		cc.s.MeetingID, cc.s.ItemID, cc.now)
	return council.TranslateError(err)
}

// endItem records that the current item ends now.
func (cc *cmdCtx) endItem(ctx context.Context) error {
	_, err := cc.tx.Exec(ctx, `UPDATE live_item_periods SET ended_at = $2 WHERE meeting_id = $1 AND ended_at IS NULL`,
		cc.s.MeetingID, cc.now)
	return council.TranslateError(err)
}

// events builds the events of fns in order.
func (cc *cmdCtx) events(ctx context.Context, fns ...func(context.Context) (event, error)) ([]event, error) {
	out := make([]event, 0, len(fns))
	for _, fn := range fns {
		e, err := fn(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// setPart switches between the public and the non-public part. The public
// learns only the part; the item, roster, quorum and speakers follow for
// the audiences that may see them.
func (cc *cmdCtx) setPart(ctx context.Context, p Part) ([]event, error) {
	if !p.Valid() {
		return nil, council.Invalidf("unknown part %q", p)
	}
	if p == cc.s.Part {
		return nil, fmt.Errorf("%w: the session is already in the %s part", council.ErrConflict, p)
	}
	cc.s.Part, cc.s.PartSeq = p, cc.s.Seq+1
	if _, err := cc.tx.Exec(ctx, `UPDATE live_sessions SET part = $2, part_seq = $3 WHERE meeting_id = $1`,
		cc.s.MeetingID, p, cc.s.PartSeq); err != nil {
		return nil, council.TranslateError(err)
	}
	evs := []event{{Kind: EvPartChanged, Audience: AudiencePublic, Payload: PartPayload{Part: p}}}
	more, err := cc.events(ctx, cc.itemEvent, cc.speakersEvent, cc.quorumEvent)
	return append(evs, more...), err
}

// checkIn records a member present in the room: from absent, or from
// remote when a member connected from home walks into the room.
func (cc *cmdCtx) checkIn(ctx context.Context) ([]event, error) {
	if cc.target.Mode == meetings.InRoom {
		return nil, fmt.Errorf("%w: %s is already in the room", council.ErrConflict, cc.target.Name)
	}
	return cc.setMode(ctx, meetings.InRoom, cc.target.Connected)
}

// checkOut records that a member left the room; a member whose media
// connection is still up stays present, remotely.
func (cc *cmdCtx) checkOut(ctx context.Context) ([]event, error) {
	if cc.target.Mode != meetings.InRoom {
		return nil, fmt.Errorf("%w: %s is %s, not in the room", council.ErrConflict, cc.target.Name, cc.target.Mode)
	}
	to := meetings.Absent
	if cc.target.Connected {
		to = meetings.Remote
	}
	return cc.setMode(ctx, to, cc.target.Connected)
}

// joinRemote records a member's live media connection (a new epoch) and
// makes an absent member remote. A member already remote stays so without
// an event (a reconnect); a member in the room stays in the room, only
// shown as connected.
func (cc *cmdCtx) joinRemote(ctx context.Context) ([]event, error) {
	err := cc.tx.QueryRow(ctx, `INSERT INTO live_media (meeting_id, person_id, epoch, connected, at) VALUES ($1,$2,1,true,$3)
		ON CONFLICT (meeting_id, person_id) DO UPDATE SET epoch = live_media.epoch + 1, connected = true, at = EXCLUDED.at
		RETURNING epoch`, cc.s.MeetingID, cc.target.PersonID, cc.now).Scan(&cc.epoch)
	if err != nil {
		return nil, fmt.Errorf("media connection: %w", council.TranslateError(err))
	}
	switch {
	case cc.target.Mode == meetings.Absent:
		return cc.setMode(ctx, meetings.Remote, true)
	case cc.target.Connected:
		return nil, nil
	}
	return []event{cc.attendeeEvent(cc.target.Mode, true)}, nil
}

// leaveRemote records that a member's media connection ended (after the
// grace period) and makes a remote member absent. It does nothing when a
// connection newer than epoch (0: any) was recorded meanwhile, possibly by
// another node, or when the member has no connection.
func (cc *cmdCtx) leaveRemote(ctx context.Context, epoch int64) ([]event, error) {
	var latest int64
	err := cc.tx.QueryRow(ctx, `SELECT epoch FROM live_media WHERE meeting_id = $1 AND person_id = $2`,
		cc.s.MeetingID, cc.target.PersonID).Scan(&latest)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, council.TranslateError(err)
	}
	if epoch != 0 && epoch != latest {
		return nil, nil // a newer connection
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_media SET connected = false, at = $3 WHERE meeting_id = $1 AND person_id = $2`,
		cc.s.MeetingID, cc.target.PersonID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	switch {
	case cc.target.Mode == meetings.Remote:
		return cc.setMode(ctx, meetings.Absent, false)
	case !cc.target.Connected:
		return nil, nil
	}
	return []event{cc.attendeeEvent(cc.target.Mode, false)}, nil
}

// setMode moves the target member to mode to, logs the change with the
// current agenda item and who made it, and recomputes the quorum.
func (cc *cmdCtx) setMode(ctx context.Context, to meetings.Mode, connected bool) ([]event, error) {
	if _, err := cc.tx.Exec(ctx, `UPDATE live_presence SET mode = $3, since = $4 WHERE meeting_id = $1 AND person_id = $2`,
		cc.s.MeetingID, cc.target.PersonID, to, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	if _, err := cc.tx.Exec(ctx, `INSERT INTO live_attendance (meeting_id, person_id, mode, item_id, actor_id, at, via) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		cc.s.MeetingID, cc.target.PersonID, to, council.NullID(cc.s.ItemID), council.NullID(cc.actor.UserID), cc.now, string(cc.role)); err != nil {
		return nil, council.TranslateError(err)
	}
	if to == meetings.Absent && cc.s.Part == PartNonPublic {
		// Leaving ends the confirmation: a member who comes back into the
		// same non-public part may be somewhere else now and confirms
		// again (the event log keeps the first confirmation).
		if _, err := cc.tx.Exec(ctx, `DELETE FROM live_nonpublic_confirmations WHERE meeting_id = $1 AND part_seq = $2 AND person_id = $3`,
			cc.s.MeetingID, cc.s.PartSeq, cc.target.PersonID); err != nil {
			return nil, council.TranslateError(err)
		}
	}
	cc.target.Since = cc.now
	qe, err := cc.quorumEvent(ctx)
	return []event{cc.attendeeEvent(to, connected), qe}, err
}

// attendeeEvent announces the target member's attendance.
func (cc *cmdCtx) attendeeEvent(mode meetings.Mode, connected bool) event {
	v := AttendeeView{PersonID: cc.target.PersonID, Name: cc.target.Name, Role: cc.target.Role, Voting: cc.target.Voting,
		Mode: string(mode), Connected: connected}
	if !cc.target.Since.IsZero() {
		since := cc.target.Since
		v.Since = &since
	}
	return event{Kind: EvAttendance, Audience: cc.s.rosterAudience(), Payload: v}
}

func (cc *cmdCtx) needItem() error {
	if cc.s.ItemID == council.NilID {
		return fmt.Errorf("%w: no current agenda item", council.ErrConflict)
	}
	return nil
}

func (cc *cmdCtx) declareConflict(ctx context.Context) ([]event, error) {
	if err := cc.needItem(); err != nil {
		return nil, err
	}
	if _, err := cc.tx.Exec(ctx, `INSERT INTO live_conflicts (meeting_id, item_id, person_id, actor_id, at) VALUES ($1,$2,$3,$4,$5)`,
		cc.s.MeetingID, cc.s.ItemID, cc.target.PersonID, council.NullID(cc.actor.UserID), cc.now); err != nil {
		return nil, fmt.Errorf("declare conflict: %w", council.TranslateError(err))
	}
	aud, err := cc.contentAudience(ctx)
	if err != nil {
		return nil, err
	}
	evs := []event{{Kind: EvConflict, Audience: aud, Payload: ConflictPayload{ItemID: cc.s.ItemID, PersonID: cc.target.PersonID, Name: cc.target.Name}}}
	qe, err := cc.quorumEvent(ctx)
	return append(evs, qe), err
}

// raiseHand puts the target member on the speakers' list: a point of order,
// or a first contribution unless they already asked to speak on the item.
func (cc *cmdCtx) raiseHand(ctx context.Context, pointOfOrder bool) ([]event, error) {
	if err := cc.needItem(); err != nil {
		return nil, err
	}
	var before bool
	if err := cc.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_speakers WHERE meeting_id = $1 AND item_id = $2
		AND person_id = $3 AND NOT withdrawn AND kind <> 'point_of_order')`, cc.s.MeetingID, cc.s.ItemID, cc.target.PersonID).Scan(&before); err != nil {
		return nil, council.TranslateError(err)
	}
	kind := meetings.TurnKind(pointOfOrder, before)
	if _, err := cc.tx.Exec(ctx, `INSERT INTO live_speakers (id, meeting_id, item_id, person_id, kind, requested_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		council.NewID(), cc.s.MeetingID, cc.s.ItemID, cc.target.PersonID, kind, cc.now); err != nil {
		return nil, fmt.Errorf("raise hand: %w", council.TranslateError(err))
	}
	return cc.events(ctx, cc.speakersEvent)
}

// request finds an open request: id when given, otherwise the one pick
// chooses among the open requests. Errors: ErrConflict when there is none.
func (cc *cmdCtx) request(ctx context.Context, id council.ID, pick func([]meetings.SpeakerRequest) (meetings.SpeakerRequest, error)) (meetings.SpeakerRequest, []meetings.SpeakerRequest, error) {
	rs, _, err := openRequests(ctx, cc.tx, cc.s.MeetingID)
	if err != nil {
		return meetings.SpeakerRequest{}, nil, err
	}
	if id == council.NilID {
		r, err := pick(rs)
		return r, rs, err
	}
	for _, r := range rs {
		if r.ID == id {
			return r, rs, nil
		}
	}
	return meetings.SpeakerRequest{}, nil, fmt.Errorf("%w: request %s is not open", council.ErrConflict, id)
}

func (cc *cmdCtx) withdrawHand(ctx context.Context, id council.ID) ([]event, error) {
	r, _, err := cc.request(ctx, id, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
		for _, r := range rs {
			if r.PersonID == cc.target.PersonID {
				return r, nil
			}
		}
		return meetings.SpeakerRequest{}, fmt.Errorf("%w: %s has not asked to speak", council.ErrConflict, cc.target.Name)
	})
	if err != nil {
		return nil, err
	}
	if r.PersonID != cc.target.PersonID {
		return nil, fmt.Errorf("%w: the request is not %s's", council.ErrForbidden, cc.target.Name)
	}
	if r.Speaking() {
		return nil, fmt.Errorf("%w: %s holds the floor; end it instead", council.ErrConflict, cc.target.Name)
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_speakers SET ended_at = $2, withdrawn = true WHERE id = $1`, r.ID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	return cc.events(ctx, cc.speakersEvent)
}

// grantFloor gives the floor to a waiting request (the head of the list
// when none is named), if fewer than K hold it.
func (cc *cmdCtx) grantFloor(ctx context.Context, id council.ID, limit time.Duration) ([]event, error) {
	r, rs, err := cc.request(ctx, id, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
		if q := meetings.Queue(rs); len(q) > 0 {
			return q[0], nil
		}
		return meetings.SpeakerRequest{}, fmt.Errorf("%w: nobody is waiting to speak", council.ErrConflict)
	})
	if err != nil {
		return nil, err
	}
	if !r.Waiting() {
		return nil, fmt.Errorf("%w: the request already holds the floor", council.ErrConflict)
	}
	speaking := 0
	for _, x := range rs {
		if x.Speaking() {
			speaking++
		}
	}
	if speaking >= cc.s.FloorLimit {
		return nil, fmt.Errorf("%w: %d of %d already hold the floor", council.ErrConflict, speaking, cc.s.FloorLimit)
	}
	if limit < 0 {
		return nil, council.Invalidf("negative speaking time")
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_speakers SET granted_at = $2, limit_seconds = $3 WHERE id = $1`,
		r.ID, cc.now, int(limit/time.Second)); err != nil {
		return nil, council.TranslateError(err)
	}
	return cc.events(ctx, cc.speakersEvent)
}

// endFloor ends a floor: the named request, or the only one speaking.
func (cc *cmdCtx) endFloor(ctx context.Context, id council.ID) ([]event, error) {
	r, _, err := cc.request(ctx, id, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
		var found []meetings.SpeakerRequest
		for _, r := range rs {
			if r.Speaking() {
				found = append(found, r)
			}
		}
		switch len(found) {
		case 0:
			return meetings.SpeakerRequest{}, fmt.Errorf("%w: nobody holds the floor", council.ErrConflict)
		case 1:
			return found[0], nil
		}
		return meetings.SpeakerRequest{}, council.Invalidf("%d hold the floor: name the request", len(found))
	})
	if err != nil {
		return nil, err
	}
	if !r.Speaking() {
		return nil, fmt.Errorf("%w: the request does not hold the floor", council.ErrConflict)
	}
	if _, err := cc.tx.Exec(ctx, `UPDATE live_speakers SET ended_at = $2 WHERE id = $1`, r.ID, cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	return cc.events(ctx, cc.speakersEvent)
}

// findQuorum records the chair's formal finding with its inputs.
func (cc *cmdCtx) findQuorum(ctx context.Context) ([]event, error) {
	q, err := quorum(ctx, cc.tx, cc.s)
	if err != nil {
		return nil, err
	}
	if _, err := cc.tx.Exec(ctx, `INSERT INTO live_quorum_findings (meeting_id, item_id, quorate, seats, present, conflicted, needed, actor_id, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, cc.s.MeetingID, council.NullID(cc.s.ItemID), q.Quorate, q.Seats, q.Present,
		q.Conflicted, q.Needed, council.NullID(cc.actor.UserID), cc.now); err != nil {
		return nil, council.TranslateError(err)
	}
	return []event{{Kind: EvQuorumFound, Audience: cc.s.rosterAudience(), Payload: q}}, nil
}

// complain logs a Rüge and alerts the chair and clerk.
func (cc *cmdCtx) complain(ctx context.Context, text string) ([]event, error) {
	v := ComplaintView{ID: council.NewID(), PersonID: cc.target.PersonID, Name: cc.target.Name, ItemID: cc.s.ItemID, Text: text, RaisedAt: cc.now}
	if _, err := cc.tx.Exec(ctx, `INSERT INTO live_complaints (id, meeting_id, item_id, person_id, text, raised_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		v.ID, cc.s.MeetingID, council.NullID(cc.s.ItemID), v.PersonID, text, cc.now); err != nil {
		return nil, fmt.Errorf("complain: %w", council.TranslateError(err))
	}
	return []event{{Kind: EvComplaint, Audience: AudienceStaff, Payload: v}}, nil
}

// resolveComplaint records the chair's classification of a Rüge: repeat
// the affected step, or continue. The resolution goes to the members as
// well as staff: a repeated step concerns every member, and the complaint
// is part of the minutes; the public sees nothing of complaints (they name
// a member and their equipment, and the public part's minutes carry the
// outcome).
func (cc *cmdCtx) resolveComplaint(ctx context.Context, id council.ID, res Resolution, note string) ([]event, error) {
	if id == council.NilID {
		return nil, council.Invalidf("name the complaint to resolve")
	}
	if !res.Valid() {
		return nil, council.Invalidf("unknown resolution %q: want repeat or continue", res)
	}
	v := ComplaintView{ID: id, Resolution: res, Note: note}
	var item *council.ID
	var resolved *time.Time
	err := cc.tx.QueryRow(ctx, `SELECT c.person_id, r.name, c.item_id, c.text, c.raised_at, c.resolved_at FROM live_complaints c
		JOIN live_roster r ON r.meeting_id = c.meeting_id AND r.person_id = c.person_id
		WHERE c.id = $1 AND c.meeting_id = $2`, id, cc.s.MeetingID).Scan(&v.PersonID, &v.Name, &item, &v.Text, &v.RaisedAt, &resolved)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: no complaint %s in this session", council.ErrNotFound, id)
	}
	if err != nil {
		return nil, council.TranslateError(err)
	}
	if resolved != nil {
		return nil, fmt.Errorf("%w: the complaint is already resolved", council.ErrConflict)
	}
	v.ItemID = council.IDOf(item)
	now := cc.now
	v.ResolvedAt = &now
	if _, err := cc.tx.Exec(ctx, `UPDATE live_complaints SET classification = $2, note = $3, resolved_at = $4, resolved_by = $5 WHERE id = $1`,
		id, res, note, cc.now, council.NullID(cc.actor.UserID)); err != nil {
		return nil, fmt.Errorf("resolve complaint: %w", council.TranslateError(err))
	}
	return []event{{Kind: EvComplaintResolved, Audience: AudienceMembers, Payload: v}}, nil
}

// confirmNonPublic records a remote member's confirmation that no third
// party can see or hear the non-public part.
func (cc *cmdCtx) confirmNonPublic(ctx context.Context) ([]event, error) {
	if cc.s.Part != PartNonPublic {
		return nil, fmt.Errorf("%w: the session is in the public part", council.ErrConflict)
	}
	if cc.target.Mode != meetings.Remote {
		return nil, fmt.Errorf("%w: only remote members confirm", council.ErrConflict)
	}
	_, err := cc.tx.Exec(ctx, `INSERT INTO live_nonpublic_confirmations (meeting_id, part_seq, person_id, at) VALUES ($1,$2,$3,$4)`,
		cc.s.MeetingID, cc.s.PartSeq, cc.target.PersonID, cc.now)
	if err = council.TranslateError(err); err != nil {
		if errors.Is(err, council.ErrConflict) {
			return nil, fmt.Errorf("%w: already confirmed", council.ErrConflict)
		}
		return nil, err
	}
	return []event{{Kind: EvNonPublicConfirm, Audience: AudienceStaff, Payload: ConfirmPayload{PersonID: cc.target.PersonID,
		Name: cc.target.Name, PartSeq: cc.s.PartSeq}}}, nil
}
