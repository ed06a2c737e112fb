package live

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Attendance, conflicts and the quorum.
const (
	CmdCheckIn          CommandName = "check_in"
	CmdCheckOut         CommandName = "check_out"
	CmdCheckInMany      CommandName = "check_in_many"
	CmdJoinRemote       CommandName = "join_remote"
	CmdLeaveRemote      CommandName = "leave_remote"
	CmdDeclareConflict  CommandName = "declare_conflict"
	CmdFindQuorum       CommandName = "find_quorum"
	CmdConfirmNonPublic CommandName = "confirm_non_public"
)

// CheckIn records a member present in the room.
type CheckIn struct {
	Person council.ID // the member
}

// CheckInMany records several members present in the room at once: the
// clerk's roll call at the start ("Ausgewählte im Saal einchecken"), one
// command, one quorum. Members already in the room stay as they are.
type CheckInMany struct {
	Persons []council.ID // 1..maxCheckIn members, none twice
}

// maxCheckIn bounds CheckInMany: more than any council has members.
const maxCheckIn = 200

func (c CheckInMany) validate() error {
	if len(c.Persons) == 0 {
		return council.Invalidf("no members named")
	}
	seen := make(map[council.ID]bool, len(c.Persons))
	for _, p := range c.Persons {
		if p == council.NilID || seen[p] {
			return council.Invalidf("persons: an empty or repeated id")
		}
		seen[p] = true
	}
	return nil
}

// CheckOut records that a member left the room.
type CheckOut struct {
	Person council.ID // the member
}

// JoinRemote records that a member's live media connection is up; only
// the system gives it (Presence).
type JoinRemote struct {
	Person council.ID // the member
}

// LeaveRemote records that a member's live media connection ended; only
// the system gives it (Presence).
type LeaveRemote struct {
	Person council.ID // the member
	// epoch is the media connection the leave concerns: it is ignored
	// when a newer connection was recorded. 0: the latest.
	epoch int64
}

// DeclareConflict records a member's conflict of interest
// (Befangenheit) for the current item.
type DeclareConflict struct {
	Person council.ID // NilID: the actor's own person
}

// FindQuorum records the chair's formal finding of the quorum.
type FindQuorum struct{}

// ConfirmNonPublic records a remote member's confirmation that no third
// party can see or hear the non-public part.
type ConfirmNonPublic struct {
	Person council.ID // NilID: the actor's own person
}

// Name returns the command's name, for Command.
func (CheckIn) Name() CommandName          { return CmdCheckIn }
func (CheckOut) Name() CommandName         { return CmdCheckOut }
func (CheckInMany) Name() CommandName      { return CmdCheckInMany }
func (JoinRemote) Name() CommandName       { return CmdJoinRemote }
func (LeaveRemote) Name() CommandName      { return CmdLeaveRemote }
func (DeclareConflict) Name() CommandName  { return CmdDeclareConflict }
func (FindQuorum) Name() CommandName       { return CmdFindQuorum }
func (ConfirmNonPublic) Name() CommandName { return CmdConfirmNonPublic }

func (c CheckIn) member() council.ID          { return c.Person }
func (c CheckOut) member() council.ID         { return c.Person }
func (c JoinRemote) member() council.ID       { return c.Person }
func (c LeaveRemote) member() council.ID      { return c.Person }
func (c DeclareConflict) member() council.ID  { return c.Person }
func (c ConfirmNonPublic) member() council.ID { return c.Person }

// attendanceCommands are attendance, conflicts and the quorum
// (docs/DOMAIN.md, "Live sessions"). Checking in members present in the
// room is the clerk's job; remote presence follows a live media
// connection ("Attendance"), so only the system, seeing the connection,
// may say so; only the chair formally finds the quorum.
func attendanceCommands() []spec {
	person := func(w *wire) council.ID { return w.id("person") }
	return []spec{
		cmd[CheckIn]{
			who:    permission{clerk: true},
			emits:  []EventKind{EvAttendance, EvQuorum},
			decode: func(w *wire) CheckIn { return CheckIn{Person: person(w)} },
			run:    (*cmdCtx).checkIn,
		}.spec(),
		cmd[CheckInMany]{
			who:    permission{clerk: true},
			emits:  []EventKind{EvAttendance, EvQuorum},
			decode: func(w *wire) CheckInMany { return CheckInMany{Persons: w.ids("persons", maxCheckIn)} },
			run:    (*cmdCtx).checkInMany,
		}.spec(),
		cmd[CheckOut]{
			who:    permission{clerk: true},
			emits:  []EventKind{EvAttendance, EvQuorum},
			decode: func(w *wire) CheckOut { return CheckOut{Person: person(w)} },
			run:    (*cmdCtx).checkOut,
		}.spec(),
		cmd[JoinRemote]{
			who:    permission{system: true},
			emits:  []EventKind{EvAttendance, EvQuorum},
			decode: func(w *wire) JoinRemote { return JoinRemote{Person: person(w)} },
			run:    (*cmdCtx).joinRemote,
		}.spec(),
		cmd[LeaveRemote]{
			who:    permission{system: true},
			emits:  []EventKind{EvAttendance, EvQuorum},
			decode: func(w *wire) LeaveRemote { return LeaveRemote{Person: person(w)} }, // never an epoch
			run:    (*cmdCtx).leaveRemote,
		}.spec(),
		cmd[DeclareConflict]{
			who:    permission{chair: true, clerk: true, self: true},
			emits:  []EventKind{EvConflict, EvQuorum},
			decode: func(w *wire) DeclareConflict { return DeclareConflict{Person: person(w)} },
			run:    (*cmdCtx).declareConflict,
		}.spec(),
		cmd[FindQuorum]{
			who:   permission{chair: true},
			emits: []EventKind{EvQuorumFound},
			run:   (*cmdCtx).findQuorum,
		}.spec(),
		cmd[ConfirmNonPublic]{
			who:    permission{self: true},
			emits:  []EventKind{EvNonPublicConfirm},
			decode: func(w *wire) ConfirmNonPublic { return ConfirmNonPublic{Person: person(w)} },
			run:    (*cmdCtx).confirmNonPublic,
		}.spec(),
	}
}

// checkIn records a member present in the room: from absent, or from
// remote when a member connected from home walks into the room.
func (cc *cmdCtx) checkIn(ctx context.Context, _ CheckIn) ([]event, error) {
	if cc.target.Mode == meetings.InRoom {
		return nil, fmt.Errorf("%w: %s is already in the room", council.ErrConflict, cc.target.Name)
	}
	return cc.setMode(ctx, meetings.InRoom, cc.target.Connected)
}

// checkInMany checks in every named member not yet in the room, in one
// transaction: all or, when one is not on the roster, none. The quorum is
// announced once, after the last.
func (cc *cmdCtx) checkInMany(ctx context.Context, c CheckInMany) ([]event, error) {
	var evs []event
	for _, p := range c.Persons {
		a, ok, err := cc.st.attendee(ctx, cc.s.MeetingID, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, council.Invalidf("person %s is not a member of this session", p)
		}
		if a.Mode == meetings.InRoom {
			continue
		}
		cc.target = a
		more, err := cc.setMode(ctx, meetings.InRoom, a.Connected)
		if err != nil {
			return nil, err
		}
		// The attendance of each; the quorum only as it stands after the last.
		evs = slices.DeleteFunc(evs, func(e event) bool { return e.Kind == EvQuorum })
		evs = append(evs, more...)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%w: everyone named is in the room already", council.ErrConflict)
	}
	return evs, nil
}

// checkOut records that a member left the room; a member whose media
// connection is still up stays present, remotely.
func (cc *cmdCtx) checkOut(ctx context.Context, _ CheckOut) ([]event, error) {
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
func (cc *cmdCtx) joinRemote(ctx context.Context, _ JoinRemote) ([]event, error) {
	var err error
	if cc.epoch, err = cc.st.connect(ctx, cc.s.MeetingID, cc.target.PersonID, cc.now); err != nil {
		return nil, err
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
// connection newer than c.epoch (0: any) was recorded meanwhile, possibly
// by another node, or when the member has no connection.
func (cc *cmdCtx) leaveRemote(ctx context.Context, c LeaveRemote) ([]event, error) {
	latest, ok, err := cc.st.mediaEpoch(ctx, cc.s.MeetingID, cc.target.PersonID)
	if err != nil || !ok {
		return nil, err
	}
	if c.epoch != 0 && c.epoch != latest {
		return nil, nil // a newer connection
	}
	if err := cc.st.disconnect(ctx, cc.s.MeetingID, cc.target.PersonID, cc.now); err != nil {
		return nil, err
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
	if err := cc.st.setMode(ctx, modeChange{MeetingID: cc.s.MeetingID, PersonID: cc.target.PersonID, Mode: to,
		ItemID: cc.s.ItemID, ActorID: cc.actor.UserID, Via: cc.role, At: cc.now}); err != nil {
		return nil, err
	}
	if to == meetings.Absent && cc.s.Part == PartNonPublic {
		// Leaving ends the confirmation: a member who comes back into the
		// same non-public part may be somewhere else now and confirms
		// again (the event log keeps the first confirmation).
		if err := cc.st.unconfirm(ctx, cc.s.MeetingID, cc.s.PartSeq, cc.target.PersonID); err != nil {
			return nil, err
		}
	}
	cc.target.Since = cc.now
	qe, err := cc.quorumEvent(ctx)
	return []event{cc.attendeeEvent(to, connected), qe}, err
}

// attendeeEvent announces the target member's attendance.
func (cc *cmdCtx) attendeeEvent(mode meetings.Mode, connected bool) event {
	a := cc.target
	a.Mode, a.Connected = mode, connected
	return event{Kind: EvAttendance, Audience: cc.s.rosterAudience(), Payload: attendeeView(a)}
}

func (cc *cmdCtx) needItem() error {
	if cc.s.ItemID == council.NilID {
		return fmt.Errorf("%w: no current agenda item", council.ErrConflict)
	}
	return nil
}

func (cc *cmdCtx) declareConflict(ctx context.Context, _ DeclareConflict) ([]event, error) {
	if err := cc.needItem(); err != nil {
		return nil, err
	}
	if err := cc.st.declareConflict(ctx, cc.s.MeetingID, cc.s.ItemID, cc.target.PersonID, cc.actor.UserID, cc.now); err != nil {
		return nil, fmt.Errorf("declare conflict: %w", err)
	}
	aud, err := cc.contentAudience(ctx)
	if err != nil {
		return nil, err
	}
	evs := []event{{Kind: EvConflict, Audience: aud, Payload: ConflictPayload{ItemID: cc.s.ItemID, PersonID: cc.target.PersonID, Name: cc.target.Name}}}
	qe, err := cc.quorumEvent(ctx)
	return append(evs, qe), err
}

// findQuorum records the chair's formal finding with its inputs.
func (cc *cmdCtx) findQuorum(ctx context.Context, _ FindQuorum) ([]event, error) {
	q, err := quorum(ctx, cc.st, cc.s)
	if err != nil {
		return nil, err
	}
	if err := cc.st.recordQuorum(ctx, cc.s.MeetingID, cc.s.ItemID, q, cc.actor.UserID, cc.now); err != nil {
		return nil, err
	}
	return []event{{Kind: EvQuorumFound, Audience: cc.s.rosterAudience(), Payload: q}}, nil
}

// confirmNonPublic records a remote member's confirmation that no third
// party can see or hear the non-public part.
func (cc *cmdCtx) confirmNonPublic(ctx context.Context, _ ConfirmNonPublic) ([]event, error) {
	if cc.s.Part != PartNonPublic {
		return nil, fmt.Errorf("%w: the session is in the public part", council.ErrConflict)
	}
	if cc.target.Mode != meetings.Remote {
		return nil, fmt.Errorf("%w: only remote members confirm", council.ErrConflict)
	}
	if err := cc.st.confirm(ctx, cc.s.MeetingID, cc.s.PartSeq, cc.target.PersonID, cc.now); err != nil {
		if errors.Is(err, council.ErrConflict) {
			return nil, fmt.Errorf("%w: already confirmed", council.ErrConflict)
		}
		return nil, err
	}
	return []event{{Kind: EvNonPublicConfirm, Audience: AudienceStaff, Payload: ConfirmPayload{PersonID: cc.target.PersonID,
		Name: cc.target.Name, PartSeq: cc.s.PartSeq}}}, nil
}
