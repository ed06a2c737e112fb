package live

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// The speakers' list.
const (
	CmdRaiseHand    CommandName = "raise_hand"
	CmdWithdrawHand CommandName = "withdraw_hand"
	CmdGrantFloor   CommandName = "grant_floor"
	CmdEndFloor     CommandName = "end_floor"
	CmdMoveRequest  CommandName = "move_request"
)

// RaiseHand puts a member on the speakers' list of the current item.
type RaiseHand struct {
	Person       council.ID // NilID: the actor's own person
	PointOfOrder bool       // a point of order (Geschäftsordnungsantrag), heard first
}

// WithdrawHand takes a member's waiting request off the speakers' list.
type WithdrawHand struct {
	Person  council.ID // NilID: the actor's own person
	Request council.ID // NilID: the member's open request
}

// GrantFloor gives a waiting request the floor, if fewer than K hold it.
type GrantFloor struct {
	Request council.ID    // NilID: the head of the queue
	Limit   time.Duration // speaking time; 0: none
}

// EndFloor ends a floor.
type EndFloor struct {
	Request council.ID // NilID: the only one speaking
}

// MoveRequest changes the order of the speakers' list: the chair puts a
// waiting request at Position among the waiting requests other than
// points of order (0: first; past the end: last). Points of order stay
// first.
type MoveRequest struct {
	Request  council.ID
	Position int
}

// maxQueue bounds MoveRequest.Position: more than any list is long.
const maxQueue = 500

func (c MoveRequest) validate() error {
	if c.Request == council.NilID {
		return council.Invalidf("no request named")
	}
	if c.Position < 0 || c.Position > maxQueue {
		return council.Invalidf("position out of range")
	}
	return nil
}

// Name returns the command's name, for Command.
func (MoveRequest) Name() CommandName  { return CmdMoveRequest }
func (RaiseHand) Name() CommandName    { return CmdRaiseHand }
func (WithdrawHand) Name() CommandName { return CmdWithdrawHand }
func (GrantFloor) Name() CommandName   { return CmdGrantFloor }
func (EndFloor) Name() CommandName     { return CmdEndFloor }

func (c RaiseHand) member() council.ID    { return c.Person }
func (c WithdrawHand) member() council.ID { return c.Person }

// maxSpeakingTime bounds GrantFloor.Limit.
const maxSpeakingTime = 24 * time.Hour

func (c GrantFloor) validate() error {
	if c.Limit < 0 || c.Limit > maxSpeakingTime {
		return council.Invalidf("speaking time out of range")
	}
	return nil
}

// floorCommands are the speakers' list and the floor. Members ask to
// speak for themselves, the clerk for anyone (a hand raised in the room);
// the chair and the clerk give and end the floor.
func floorCommands() []spec {
	return []spec{
		cmd[RaiseHand]{
			who:   permission{clerk: true, self: true},
			emits: []EventKind{EvSpeakers},
			decode: func(w *wire) RaiseHand {
				return RaiseHand{Person: w.id("person"), PointOfOrder: w.flag("point_of_order")}
			},
			run: (*cmdCtx).raiseHand,
		}.spec(),
		cmd[WithdrawHand]{
			who:   permission{chair: true, clerk: true, self: true},
			emits: []EventKind{EvSpeakers},
			decode: func(w *wire) WithdrawHand {
				return WithdrawHand{Person: w.id("person"), Request: w.id("request")}
			},
			run: (*cmdCtx).withdrawHand,
		}.spec(),
		cmd[GrantFloor]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvSpeakers},
			decode: func(w *wire) GrantFloor {
				return GrantFloor{Request: w.id("request"), Limit: time.Duration(w.number("seconds", 0, int(maxSpeakingTime/time.Second))) * time.Second}
			},
			run: (*cmdCtx).grantFloor,
		}.spec(),
		cmd[EndFloor]{
			who:    permission{chair: true, clerk: true},
			emits:  []EventKind{EvSpeakers},
			decode: func(w *wire) EndFloor { return EndFloor{Request: w.id("request")} },
			run:    (*cmdCtx).endFloor,
		}.spec(),
		cmd[MoveRequest]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvSpeakers},
			decode: func(w *wire) MoveRequest {
				return MoveRequest{Request: w.id("request"), Position: w.number("position", 0, maxQueue)}
			},
			run: (*cmdCtx).moveRequest,
		}.spec(),
	}
}

// moveRequest puts a waiting request at its new place; the waiting
// requests keep the chair's order from then on (meetings.Move).
func (cc *cmdCtx) moveRequest(ctx context.Context, c MoveRequest) ([]event, error) {
	rs, _, err := cc.st.openRequests(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	order, ok := meetings.Move(rs, c.Request, c.Position)
	if !ok {
		return nil, fmt.Errorf("%w: request %s is not waiting, or is a point of order (those are heard first)", council.ErrConflict, c.Request)
	}
	if err := cc.st.placeRequests(ctx, cc.s.MeetingID, order); err != nil {
		return nil, fmt.Errorf("move request: %w", err)
	}
	return cc.events(ctx, cc.speakersEvent)
}

// raiseHand puts the target member on the speakers' list: a point of order,
// or a first contribution unless they already asked to speak on the item.
func (cc *cmdCtx) raiseHand(ctx context.Context, c RaiseHand) ([]event, error) {
	if err := cc.needItem(); err != nil {
		return nil, err
	}
	before, err := cc.st.hasAsked(ctx, cc.s.MeetingID, cc.s.ItemID, cc.target.PersonID)
	if err != nil {
		return nil, err
	}
	r := meetings.SpeakerRequest{ID: council.NewID(), ItemID: cc.s.ItemID, PersonID: cc.target.PersonID,
		Kind: meetings.TurnKind(c.PointOfOrder, before), RequestedAt: cc.now}
	if err := cc.st.addRequest(ctx, cc.s.MeetingID, r); err != nil {
		return nil, fmt.Errorf("raise hand: %w", err)
	}
	return cc.events(ctx, cc.speakersEvent)
}

// request finds an open request: id when given, otherwise the one pick
// chooses among the open requests. Errors: ErrConflict when there is none.
func (cc *cmdCtx) request(ctx context.Context, id council.ID, pick func([]meetings.SpeakerRequest) (meetings.SpeakerRequest, error)) (meetings.SpeakerRequest, []meetings.SpeakerRequest, error) {
	rs, _, err := cc.st.openRequests(ctx, cc.s.MeetingID)
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

func (cc *cmdCtx) withdrawHand(ctx context.Context, c WithdrawHand) ([]event, error) {
	r, _, err := cc.request(ctx, c.Request, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
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
	if err := cc.st.endRequest(ctx, r.ID, cc.now, true); err != nil {
		return nil, err
	}
	return cc.events(ctx, cc.speakersEvent)
}

// grantFloor gives the floor to a waiting request (the head of the list
// when none is named), if fewer than K hold it.
func (cc *cmdCtx) grantFloor(ctx context.Context, c GrantFloor) ([]event, error) {
	r, rs, err := cc.request(ctx, c.Request, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
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
	// An asking citizen on the floor (the Einwohnerfragestunde) takes a
	// place too.
	if cc.s.Part == PartPublic && cc.s.ItemID != council.NilID {
		if _, citizen, err := meetings.NewStore(cc.st.db).QuestionFloor(ctx, cc.s.ItemID, cc.now); err != nil {
			return nil, err
		} else if citizen {
			speaking++
		}
	}
	if speaking >= cc.s.FloorLimit {
		return nil, fmt.Errorf("%w: %d of %d already hold the floor", council.ErrConflict, speaking, cc.s.FloorLimit)
	}
	if err := cc.st.grantRequest(ctx, r.ID, cc.now, c.Limit); err != nil {
		return nil, err
	}
	return cc.events(ctx, cc.speakersEvent)
}

// endFloor ends a floor: the named request, or the only one speaking.
func (cc *cmdCtx) endFloor(ctx context.Context, c EndFloor) ([]event, error) {
	r, _, err := cc.request(ctx, c.Request, func(rs []meetings.SpeakerRequest) (meetings.SpeakerRequest, error) {
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
	if err := cc.st.endRequest(ctx, r.ID, cc.now, false); err != nil {
		return nil, err
	}
	return cc.events(ctx, cc.speakersEvent)
}
