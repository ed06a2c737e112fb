package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Command is one step of a live session. Which fields matter depends on
// Name; the others are ignored.
type Command struct {
	Name         CommandName
	PersonID     council.ID    // the member concerned; NilID: the actor's own person
	RequestID    council.ID    // grant/end floor, withdraw hand: the request; NilID: the obvious one
	Part         Part          // set_part
	PointOfOrder bool          // raise_hand
	Limit        time.Duration // grant_floor: speaking time; 0: none
	Text         string        // complain
	ChairID      council.ID    // start: the chair; NilID: the roster's chair (Vorsitz)
	FloorLimit   int           // start: K, at most this many on the floor; 0: the hub's default
	Resolution   Resolution    // resolve_complaint: repeat the affected step or continue (RequestID: the complaint)
	Note         string        // resolve_complaint: optional note for the minutes

	// Epoch is the media connection a leave_remote concerns (Presence): the
	// leave is ignored when a newer connection was recorded. 0: the latest.
	epoch int64
}

// cmdCtx is what a command handler works with, inside the transaction.
type cmdCtx struct {
	tx     pgx.Tx
	s      session
	actor  Actor
	target meetings.Attendee // the member concerned, when the command names one
	role   Role              // the actor's role in the session
	now    time.Time
	epoch  int64 // join_remote: the media connection epoch it recorded
}

// Do runs command c for meeting meetingID as actor a in one transaction and
// returns the sequence number of its last event. The events reach
// subscribers of every hub on the database after commit.
//
// Errors: ErrForbidden when a's role may not give c; ErrNotFound for an
// unknown meeting; ErrConflict when the meeting is not running (or not
// invited, for start) or the state does not allow c (e.g. the floor is
// full); ErrInvalid for an unknown command or member. Nothing is written
// on error.
func (h *Hub) Do(ctx context.Context, meetingID council.ID, a Actor, c Command) (int64, error) {
	seq, _, err := h.do(ctx, meetingID, a, c)
	return seq, err
}

// do is Do that also returns the media epoch a join_remote recorded.
func (h *Hub) do(ctx context.Context, meetingID council.ID, a Actor, c Command) (int64, int64, error) {
	if !c.Name.Known() {
		return 0, 0, council.Invalidf("unknown command %q", c.Name)
	}
	if a.UserID != council.NilID {
		ctx = council.WithActor(ctx, a.UserID)
	}
	var seq, epoch int64
	err := pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		now := h.now()
		if c.Name == CmdStart {
			s, evs, err := h.start(ctx, tx, meetingID, a, c, now)
			if err != nil {
				return err
			}
			seq, err = appendEvents(ctx, tx, s, a.UserID, now, evs)
			return err
		}
		s, err := loadSession(ctx, tx, meetingID, true)
		if err != nil {
			return err
		}
		if s.Closed {
			return fmt.Errorf("%w: the session is closed", council.ErrConflict)
		}
		cc := &cmdCtx{tx: tx, s: s, actor: a, now: now}
		if err := cc.authorize(ctx, c); err != nil {
			return err
		}
		evs, err := cc.run(ctx, c)
		if err != nil {
			return err
		}
		epoch = cc.epoch
		if len(evs) == 0 { // nothing changed (e.g. a reconnect of a remote member)
			seq = cc.s.Seq
			return nil
		}
		seq, err = appendEvents(ctx, tx, cc.s, a.UserID, now, evs)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("live %s: %w", c.Name, err)
	}
	h.poke(meetingID)
	return seq, epoch, nil
}

// rosterEntry returns person's roster entry. Errors: ErrInvalid when the
// person is not on the roster.
func rosterEntry(ctx context.Context, db council.DBTX, meetingID, person council.ID) (meetings.Attendee, error) {
	var a meetings.Attendee
	var since *time.Time
	err := db.QueryRow(ctx, `SELECT r.person_id, r.name, r.role, r.voting, coalesce(p.mode, 'absent'), p.since, coalesce(m.connected, false)
		FROM live_roster r LEFT JOIN live_presence p ON p.meeting_id = r.meeting_id AND p.person_id = r.person_id
		LEFT JOIN live_media m ON m.meeting_id = r.meeting_id AND m.person_id = r.person_id
		WHERE r.meeting_id = $1 AND r.person_id = $2`, meetingID, person).
		Scan(&a.PersonID, &a.Name, &a.Role, &a.Voting, &a.Mode, &since, &a.Connected)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, council.Invalidf("person %s is not a member of this session", person)
	}
	if since != nil {
		a.Since = *since
	}
	return a, council.TranslateError(err)
}

// role returns a's role in session s.
func role(ctx context.Context, db council.DBTX, s session, a Actor) (Role, error) {
	switch {
	case a.System:
		return RoleSystem, nil
	case a.IsPublic():
		return RolePublic, nil
	case a.PersonID != council.NilID && a.PersonID == s.ChairID:
		return RoleChair, nil
	case a.Role.IsStaff():
		return RoleClerk, nil
	case a.PersonID == council.NilID || a.Role != council.RoleMember:
		return RolePublic, nil
	}
	var on bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_roster WHERE meeting_id = $1 AND person_id = $2)`,
		s.MeetingID, a.PersonID).Scan(&on)
	if err != nil {
		return "", council.TranslateError(err)
	}
	if on {
		return RoleMember, nil
	}
	return RolePublic, nil
}

// concernsMember reports whether command c names a member.
func concernsMember(c CommandName) bool {
	switch c {
	case CmdCheckIn, CmdCheckOut, CmdJoinRemote, CmdLeaveRemote, CmdDeclareConflict, CmdRaiseHand,
		CmdWithdrawHand, CmdComplain, CmdConfirmNonPublic:
		return true
	}
	return false
}

func (cc *cmdCtx) authorize(ctx context.Context, c Command) error {
	r, err := role(ctx, cc.tx, cc.s, cc.actor)
	if err != nil {
		return err
	}
	person := c.PersonID
	if person == council.NilID {
		person = cc.actor.PersonID
	}
	self := person != council.NilID && person == cc.actor.PersonID
	cc.role = r
	if c.Name.SystemOnly() && r != RoleSystem {
		return fmt.Errorf("%w: remote presence follows the member's live audio/video connection; %s cannot be given by a %s",
			council.ErrForbidden, c.Name, r)
	}
	if !Allowed(r, c.Name, self) {
		return fmt.Errorf("%w: a %s may not %s here", council.ErrForbidden, r, c.Name)
	}
	if !concernsMember(c.Name) {
		return nil
	}
	if person == council.NilID {
		return council.Invalidf("no member named")
	}
	cc.target, err = rosterEntry(ctx, cc.tx, cc.s.MeetingID, person)
	return err
}

func (cc *cmdCtx) run(ctx context.Context, c Command) ([]event, error) {
	switch c.Name {
	case CmdClose:
		return cc.close(ctx)
	case CmdNextItem:
		return cc.moveItem(ctx, +1)
	case CmdPreviousItem:
		return cc.moveItem(ctx, -1)
	case CmdSetPart:
		return cc.setPart(ctx, c.Part)
	case CmdCheckIn:
		return cc.checkIn(ctx)
	case CmdCheckOut:
		return cc.checkOut(ctx)
	case CmdJoinRemote:
		return cc.joinRemote(ctx)
	case CmdLeaveRemote:
		return cc.leaveRemote(ctx, c.epoch)
	case CmdResolveComplaint:
		return cc.resolveComplaint(ctx, c.RequestID, c.Resolution, c.Note)
	case CmdDeclareConflict:
		return cc.declareConflict(ctx)
	case CmdRaiseHand:
		return cc.raiseHand(ctx, c.PointOfOrder)
	case CmdWithdrawHand:
		return cc.withdrawHand(ctx, c.RequestID)
	case CmdGrantFloor:
		return cc.grantFloor(ctx, c.RequestID, c.Limit)
	case CmdEndFloor:
		return cc.endFloor(ctx, c.RequestID)
	case CmdFindQuorum:
		return cc.findQuorum(ctx)
	case CmdComplain:
		return cc.complain(ctx, c.Text)
	case CmdConfirmNonPublic:
		return cc.confirmNonPublic(ctx)
	}
	return nil, council.Invalidf("unknown command %q", c.Name)
}

// rosterAudience is who sees the roster, attendance and quorum: everyone in
// the public part, members in the non-public part.
func (s session) rosterAudience() Audience {
	if s.Part == PartPublic {
		return AudiencePublic
	}
	return AudienceMembers
}

// contentAudience is who sees the speakers and conflicts of the current
// item: the public only for a public item in the public part.
func (cc *cmdCtx) contentAudience(ctx context.Context) (Audience, error) {
	if cc.s.Part != PartPublic {
		return AudienceMembers, nil
	}
	it, err := item(ctx, cc.tx, cc.s.ItemID)
	if err != nil {
		return "", err
	}
	if cc.s.ItemID != council.NilID && !it.Public {
		return AudienceMembers, nil
	}
	return AudiencePublic, nil
}

// itemEvent announces the current item; the public sees a non-public item
// under its neutral title, and nothing in the non-public part.
func (cc *cmdCtx) itemEvent(ctx context.Context) (event, error) {
	it, err := item(ctx, cc.tx, cc.s.ItemID)
	if err != nil {
		return event{}, err
	}
	switch {
	case cc.s.Part != PartPublic:
		return event{Kind: EvItemChanged, Audience: AudienceMembers, Payload: it}, nil
	case it.ID != council.NilID && !it.Public:
		return event{Kind: EvItemChanged, Audience: AudienceMembers, Payload: it, Redacted: it.neutral()}, nil
	}
	return event{Kind: EvItemChanged, Audience: AudiencePublic, Payload: it}, nil
}

func (cc *cmdCtx) quorumEvent(ctx context.Context) (event, error) {
	q, err := quorum(ctx, cc.tx, cc.s)
	return event{Kind: EvQuorum, Audience: cc.s.rosterAudience(), Payload: q}, err
}

func (cc *cmdCtx) speakersEvent(ctx context.Context) (event, error) {
	aud, err := cc.contentAudience(ctx)
	if err != nil {
		return event{}, err
	}
	v, err := speakers(ctx, cc.tx, cc.s)
	return event{Kind: EvSpeakers, Audience: aud, Payload: v}, err
}

// chairOf picks the session's chair from seats: the first voting member
// whose role is a chair (Vorsitz) but not a deputy.
func chairOf(seats []council.Seat) council.ID {
	for _, st := range seats {
		r := strings.ToLower(st.Role)
		if strings.Contains(r, "vorsitz") && !strings.Contains(r, "stellv") {
			return st.PersonID
		}
	}
	return council.NilID
}
