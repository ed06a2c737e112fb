package live

import (
	"context"
	"fmt"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// The chair's console.
const (
	CmdStart        CommandName = "start"
	CmdClose        CommandName = "close"
	CmdNextItem     CommandName = "next_item"
	CmdPreviousItem CommandName = "previous_item"
	CmdSetPart      CommandName = "set_part"
)

// Start moves an invited meeting to running and creates its session.
type Start struct {
	Chair      council.ID // NilID: the roster's chair (Vorsitz)
	FloorLimit int        // K, at most this many on the floor; 0: the hub's default
	// Mode is how the session is held ("": hybrid) and Basis the legal
	// basis of a hybrid or digital session ("": the statute); the body's
	// Land profile says which are allowed (docs/VOTING.md).
	Mode  voting.SessionMode
	Basis voting.Basis
}

// Close ends the session and closes the meeting.
type Close struct{}

// NextItem moves to the next agenda item.
type NextItem struct{}

// PreviousItem moves to the previous agenda item.
type PreviousItem struct{}

// SetPart switches between the public and the non-public part.
type SetPart struct{ Part Part }

// Name returns the command's name, for Command.
func (Start) Name() CommandName        { return CmdStart }
func (Close) Name() CommandName        { return CmdClose }
func (NextItem) Name() CommandName     { return CmdNextItem }
func (PreviousItem) Name() CommandName { return CmdPreviousItem }
func (SetPart) Name() CommandName      { return CmdSetPart }

func (c Start) validate() error {
	switch c.Mode {
	case "", voting.Presence, voting.Hybrid, voting.Digital:
	default:
		return council.Invalidf("unknown session mode %q: want presence, hybrid or digital", c.Mode)
	}
	switch c.Basis {
	case voting.BasisNone, voting.BasisStatute, voting.BasisEmergency, voting.BasisSimple:
	default:
		return council.Invalidf("unknown legal basis %q: want statute, emergency or simple", c.Basis)
	}
	return nil
}

func (c SetPart) validate() error {
	if !c.Part.Valid() {
		return council.Invalidf("unknown part %q", c.Part)
	}
	return nil
}

// sessionCommands are the chair's console: the session, its agenda and its
// part. The clerk may run it on the chair's instruction.
func sessionCommands() []spec {
	console := permission{chair: true, clerk: true}
	return []spec{
		cmd[Start]{
			who:   console,
			opens: true,
			emits: []EventKind{EvSessionStarted, EvItemChanged, EvQuorum, EvQuestions},
			decode: func(w *wire) Start {
				return Start{Mode: voting.SessionMode(w.text("mode")), Basis: voting.Basis(w.text("basis"))}
			},
			run: (*cmdCtx).start,
		}.spec(),
		cmd[Close]{
			who:   console,
			emits: []EventKind{EvQuestionFloor, EvSessionClosed},
			run:   (*cmdCtx).close,
		}.spec(),
		cmd[NextItem]{
			who:   console,
			emits: []EventKind{EvQuestionFloor, EvItemChanged, EvSpeakers, EvQuorum, EvPoll, EvQuestions},
			run:   func(cc *cmdCtx, ctx context.Context, _ NextItem) ([]event, error) { return cc.moveItem(ctx, +1) },
		}.spec(),
		cmd[PreviousItem]{
			who:   console,
			emits: []EventKind{EvQuestionFloor, EvItemChanged, EvSpeakers, EvQuorum, EvPoll, EvQuestions},
			run:   func(cc *cmdCtx, ctx context.Context, _ PreviousItem) ([]event, error) { return cc.moveItem(ctx, -1) },
		}.spec(),
		cmd[SetPart]{
			who:    console,
			emits:  []EventKind{EvQuestionFloor, EvPartChanged, EvItemChanged, EvSpeakers, EvQuorum, EvPoll, EvQuestions},
			decode: func(w *wire) SetPart { return SetPart{Part: Part(w.text("part"))} },
			run:    (*cmdCtx).setPart,
		}.spec(),
	}
}

// start creates the session of an invited meeting: the roster
// (memberships current on the meeting day in the meeting's
// organizations), everyone absent, the first agenda item, the public part.
// It authorizes itself: the actor's role follows from the chair it names.
func (cc *cmdCtx) start(ctx context.Context, c Start) ([]event, error) {
	meetingID := cc.s.MeetingID
	ms := meetings.NewStore(cc.st.db)
	m, err := ms.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	seats, statutory, err := seatsOf(ctx, cc.st.db, m)
	if err != nil {
		return nil, err
	}
	chair := c.Chair
	if chair == council.NilID {
		chair = chairOf(seats)
	}
	cc.role = RolePublic
	switch {
	case cc.actor.PersonID != council.NilID && cc.actor.PersonID == chair:
		cc.role = RoleChair
	case cc.actor.Role.IsStaff():
		cc.role = RoleClerk
	}
	if !cc.spec.who.allows(cc.role, false) {
		return nil, fmt.Errorf("%w: a %s may not start the session", council.ErrForbidden, cc.role)
	}
	k := c.FloorLimit
	if k <= 0 {
		k = cc.floor
	}
	code, err := ms.VotingProfile(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	prof, ok := cc.profiles[code]
	if !ok {
		return nil, fmt.Errorf("%w: the body's voting profile %q is not configured", council.ErrConflict, code)
	}
	mode, basis := c.Mode, c.Basis
	if mode == "" {
		mode = voting.Hybrid
	}
	if basis == voting.BasisNone && mode != voting.Presence {
		basis = voting.BasisStatute
	}
	if mode == voting.Presence {
		basis = voting.BasisNone
	}
	if err := prof.AllowsSession(mode, basis); err != nil {
		return nil, fmt.Errorf("%w: %w", council.ErrConflict, err)
	}
	if _, err := ms.SetState(ctx, meetingID, meetings.Running); err != nil {
		return nil, err
	}
	items, err := ms.AgendaItems(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	cc.s = session{MeetingID: meetingID, Part: PartPublic, ChairID: chair, Seats: statutory, FloorLimit: k,
		Profile: prof.Code, Mode: mode, Basis: basis}
	if len(items) > 0 {
		cc.s.ItemID = items[0].ID
	}
	if err := cc.st.createSession(ctx, cc.s, cc.now); err != nil {
		return nil, err
	}
	roster := make([]rosterSeat, 0, len(seats))
	for _, st := range seats {
		roster = append(roster, rosterSeat{PersonID: st.PersonID, Name: st.Person.Name(), Role: st.Role,
			Voting: st.VotingRight && !st.Substitute})
	}
	if err := cc.st.createRoster(ctx, meetingID, roster, cc.now); err != nil {
		return nil, err
	}
	if err := cc.beginItem(ctx); err != nil {
		return nil, err
	}
	evs := []event{{Kind: EvSessionStarted, Audience: AudiencePublic, Payload: SessionPayload{State: string(meetings.Running), Part: PartPublic, Chair: chair,
		Mode: mode, Basis: basis, Profile: prof.Code}}}
	more, err := cc.events(ctx, cc.itemEvent, cc.quorumEvent)
	if err != nil {
		return nil, err
	}
	qs, err := cc.itemQuestions(ctx) // the first item may be the question time
	return append(append(evs, more...), qs...), err
}

func (cc *cmdCtx) close(ctx context.Context, _ Close) ([]event, error) {
	// A poll ends with its result or is cancelled with a reason, never by
	// the session ending under it; and an open poll is always one of a
	// running session (own_ballot.go relies on it).
	if _, running, err := meetings.NewStore(cc.st.db).RunningPoll(ctx, cc.s.MeetingID); err != nil {
		return nil, err
	} else if running {
		return nil, fmt.Errorf("%w: a poll is running; close or cancel it before closing the session", council.ErrConflict)
	}
	floor, err := cc.endQuestionFloor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := meetings.NewStore(cc.st.db).SetState(ctx, cc.s.MeetingID, meetings.Closed); err != nil {
		return nil, err
	}
	if err := cc.st.endRequests(ctx, cc.s.MeetingID, cc.now); err != nil {
		return nil, err
	}
	if err := cc.st.closeSession(ctx, cc.s.MeetingID, cc.now); err != nil {
		return nil, err
	}
	if err := cc.st.endItem(ctx, cc.s.MeetingID, cc.now); err != nil {
		return nil, err
	}
	return append(floor, event{Kind: EvSessionClosed, Audience: AudiencePublic, Payload: SessionPayload{State: string(meetings.Closed), Part: cc.s.Part}}), nil
}

// moveItem goes to the next or previous agenda item. Open requests to speak
// end with the item they were made for.
func (cc *cmdCtx) moveItem(ctx context.Context, delta int) ([]event, error) {
	items, err := meetings.NewStore(cc.st.db).AgendaItems(ctx, cc.s.MeetingID)
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
	floor, err := cc.endQuestionFloor(ctx) // the asking citizen's floor ends with the question time
	if err != nil {
		return nil, err
	}
	if err := cc.st.endItem(ctx, cc.s.MeetingID, cc.now); err != nil {
		return nil, err
	}
	cc.s.ItemID = items[next].ID
	if err := cc.st.setItem(ctx, cc.s.MeetingID, cc.s.ItemID); err != nil {
		return nil, err
	}
	if err := cc.beginItem(ctx); err != nil {
		return nil, err
	}
	if err := cc.st.endRequests(ctx, cc.s.MeetingID, cc.now); err != nil {
		return nil, err
	}
	evs, err := cc.events(ctx, cc.itemEvent, cc.speakersEvent, cc.quorumEvent)
	if err != nil {
		return nil, err
	}
	evs = append(floor, evs...)
	polls, err := cc.itemPolls(ctx) // an item visited again shows its polls
	if err != nil {
		return nil, err
	}
	qs, err := cc.itemQuestions(ctx) // the question time shows its questions
	return append(append(evs, polls...), qs...), err
}

// beginItem records that the current item begins now (for attendance per
// agenda item in the minutes).
func (cc *cmdCtx) beginItem(ctx context.Context) error {
	if cc.s.ItemID == council.NilID {
		return nil
	}
	return cc.st.beginItem(ctx, cc.s.MeetingID, cc.s.ItemID, cc.now)
}

// setPart switches between the public and the non-public part. The public
// learns only the part; the item, roster, quorum and speakers follow for
// the audiences that may see them.
func (cc *cmdCtx) setPart(ctx context.Context, c SetPart) ([]event, error) {
	if c.Part == cc.s.Part {
		return nil, fmt.Errorf("%w: the session is already in the %s part", council.ErrConflict, c.Part)
	}
	// The asking citizen never speaks in the non-public part.
	evs, err := cc.endQuestionFloor(ctx)
	if err != nil {
		return nil, err
	}
	cc.s.Part, cc.s.PartSeq = c.Part, cc.s.Seq+1
	if err := cc.st.setPart(ctx, cc.s.MeetingID, c.Part, cc.s.PartSeq); err != nil {
		return nil, err
	}
	evs = append(evs, event{Kind: EvPartChanged, Audience: AudiencePublic, Payload: PartPayload{Part: c.Part}})
	more, err := cc.events(ctx, cc.itemEvent, cc.speakersEvent, cc.quorumEvent)
	if err != nil {
		return nil, err
	}
	polls, err := cc.itemPolls(ctx)
	if err != nil {
		return nil, err
	}
	qs, err := cc.itemQuestions(ctx)
	return append(append(append(evs, more...), polls...), qs...), err
}
