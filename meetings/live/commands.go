package live

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// Command is one step of a live session: a value of the command's own
// argument type (Start, NextItem, RaiseHand, GrantFloor, …), which names
// the command. Build one in Go, or let DecodeClient read it from a
// client message.
type Command interface {
	Name() CommandName
}

// CommandName names a command; it is the "command" of a client message.
// Each topic file declares its commands' names.
type CommandName string

// commandTable returns the spec of every command. Each topic file lists
// its commands (session.go: the chair's console; attendance.go:
// attendance, conflicts, quorum; floor.go: the speakers' list;
// complaints.go: Rügen; questions.go: the Einwohnerfragestunde) next to their argument types and run functions;
// their SQL is in the topic's store file.
//
// Adding a command touches three places: its spec (argument type, table
// entry and run function, in the topic file), its store function, and its
// test. Do looks the spec up, checks who may give the command, loads the
// member it names, runs it in the session's transaction and appends the
// events it returns — only kinds its spec lists. DecodeClient reads the
// arguments from a client message with the spec's decode and refuses
// fields it does not read, so a new wire field ("vote", "choice") needs no
// change elsewhere. For example, a ballot in a remote vote:
//
//	// voting.go
//	const (
//		CmdCastBallot CommandName = "cast_ballot"
//		EvBallotCast  EventKind   = "ballot_cast" // BallotView
//	)
//
//	// CastBallot casts a member's ballot in the open vote.
//	type CastBallot struct {
//		Person council.ID // NilID: the actor's own person
//		Vote   council.ID
//		Choice Choice
//	}
//
//	func (CastBallot) Name() CommandName    { return CmdCastBallot }
//	func (c CastBallot) member() council.ID { return c.Person }         // Do loads cc.target
//	func (c CastBallot) validate() error    { return c.Choice.check() } // ErrInvalid, before any SQL
//
//	func votingCommands() []spec {
//		return []spec{
//			cmd[CastBallot]{
//				who:   permission{self: true},
//				emits: []EventKind{EvBallotCast},
//				decode: func(w *wire) CastBallot {
//					return CastBallot{Person: w.id("person"), Vote: w.id("vote"), Choice: Choice(w.text("choice"))}
//				},
//				run: (*cmdCtx).castBallot,
//			}.spec(),
//		}
//	}
//
//	func (cc *cmdCtx) castBallot(ctx context.Context, c CastBallot) ([]event, error) {
//		if err := cc.st.castBallot(ctx, c.Vote, cc.target.PersonID, c.Choice, cc.now); err != nil { // vote_store.go
//			return nil, err
//		}
//		return []event{{Kind: EvBallotCast, Audience: AudienceStaff, Payload: BallotView{…}}}, nil
//	}
//
// and, in voting_test.go, a test through Hub.Do. A new topic adds its list
// here once.
func commandTable() []spec {
	return slices.Concat(sessionCommands(), attendanceCommands(), floorCommands(), complaintCommands(), votingCommands(), questionCommands())
}

// spec is one entry of the command table.
type spec struct {
	name CommandName
	who  permission
	// emits lists the event kinds the command may write; Do refuses
	// anything else, so the table tells every command's effects.
	emits []EventKind
	// opens: the command runs before the session exists (start): Do
	// loads no session and does not authorize; run does both.
	opens bool
	// member: the arguments name a member (memberCommand), whose roster
	// entry Do loads into cmdCtx.target.
	member bool
	// lockless: the command does not lock the session row and emits no
	// events, so many run side by side (a ballot: it locks its poll row
	// FOR SHARE instead); after it commits the hub announces the change
	// with a system command (PollProgress).
	lockless bool
	decode   func(*wire) Command
	run      func(context.Context, *cmdCtx, Command) ([]event, error)
}

// cmd is a spec with typed arguments A, for the table; spec() erases the
// type. decode reads A from a client message (nil: the command takes no
// arguments); run carries the command out inside its transaction.
type cmd[A Command] struct {
	who      permission
	emits    []EventKind
	opens    bool
	lockless bool
	decode   func(*wire) A
	run      func(*cmdCtx, context.Context, A) ([]event, error)
}

func (c cmd[A]) spec() spec {
	var zero A
	_, member := any(zero).(memberCommand)
	return spec{name: zero.Name(), who: c.who, emits: c.emits, opens: c.opens, member: member, lockless: c.lockless,
		decode: func(w *wire) Command {
			if c.decode == nil {
				return zero
			}
			return c.decode(w)
		},
		run: func(ctx context.Context, cc *cmdCtx, x Command) ([]event, error) {
			a, ok := x.(A)
			if !ok {
				return nil, council.Invalidf("command %s with arguments of type %T", zero.Name(), x)
			}
			return c.run(cc, ctx, a)
		}}
}

// commands is the command table by name. NewHub builds it once, so a
// command costs a map lookup, not a rebuild of every spec and closure.
type commands map[CommandName]spec

func newCommands() commands {
	t := commands{}
	for _, s := range commandTable() {
		t[s.name] = s
	}
	return t
}

// lookup returns the spec of command name.
func (t commands) lookup(name CommandName) (spec, bool) {
	s, ok := t[name]
	return s, ok
}

// lookup returns the spec of command name from a table built for this
// call: for the introspection below (Allowed, Known, SystemOnly), not for
// the path of a command, which uses the hub's table.
func lookup(name CommandName) (spec, bool) { return newCommands().lookup(name) }

// memberCommand is a command about one member: member() is that person,
// NilID for the actor's own person.
type memberCommand interface {
	Command
	member() council.ID
}

// validator is a command whose arguments can be wrong on their own; Do
// and DecodeClient call validate, which returns an error wrapping
// ErrInvalid.
type validator interface {
	validate() error
}

func validate(c Command) error {
	if v, ok := c.(validator); ok {
		return v.validate()
	}
	return nil
}

// permission says who may give a command: the chair and the clerk for any
// member, a member (the chair included) for themself, and the system.
type permission struct{ chair, clerk, self, system bool }

// allows reports whether role may give a command with permission p; self
// says whether the command concerns the actor's own person.
func (p permission) allows(role Role, self bool) bool {
	switch role {
	case RoleSystem:
		return p.system
	case RoleClerk:
		return p.clerk
	case RoleChair:
		return p.chair || (p.self && self)
	case RoleMember:
		return p.self && self
	}
	return false
}

func (p permission) systemOnly() bool { return p.system && !p.chair && !p.clerk && !p.self }

// SystemOnly reports whether only the system may give c (remote presence).
func (c CommandName) SystemOnly() bool {
	s, ok := lookup(c)
	return ok && s.who.systemOnly()
}

// Known reports whether c is a command.
func (c CommandName) Known() bool { _, ok := lookup(c); return ok }

// Allowed reports whether role may give command c; self says whether the
// command concerns the actor's own person.
func Allowed(role Role, c CommandName, self bool) bool {
	s, ok := lookup(c)
	return ok && s.who.allows(role, self)
}

// cmdCtx is what a command's run function works with, inside the
// command's transaction.
type cmdCtx struct {
	st     store // on the transaction
	spec   spec
	s      session // locked; opens: set by run
	actor  Actor
	role   Role              // the actor's role in the session
	target meetings.Attendee // the member concerned (spec.member)
	now    time.Time
	floor  int   // the hub's default floor limit K
	epoch  int64 // join_remote: the media connection epoch it recorded
	// profiles are the Land voting profiles by code (Options.Profiles).
	profiles map[string]voting.Profile
	// reply is what the command's acknowledgement carries (a ballot's
	// receipt); nil: nothing.
	reply any
	// progress is the hub's memory of the poll counts it announced;
	// committed, when set, runs after the command committed.
	progress  *announced
	committed func()
	// polls is the hub's memory of polls for the short way of ballots
	// (own_ballot.go).
	polls *knownPolls
}

// afterCommit adds f to what runs after the command committed.
func (cc *cmdCtx) afterCommit(f func()) {
	if prev := cc.committed; prev != nil {
		cc.committed = func() { prev(); f() }
		return
	}
	cc.committed = f
}

// Do runs command c for meeting meetingID as actor a in one transaction and
// returns the sequence number of its last event. The events reach
// subscribers of every hub on the database after commit.
//
// Errors: ErrForbidden when a's role may not give c; ErrNotFound for an
// unknown meeting; ErrConflict when the meeting is not running (or not
// invited, for start) or the state does not allow c (e.g. the floor is
// full); ErrInvalid for an unknown command, bad arguments or a person not
// on the roster. Nothing is written on error.
func (h *Hub) Do(ctx context.Context, meetingID council.ID, a Actor, c Command) (int64, error) {
	r, err := h.do(ctx, meetingID, a, c)
	return r.seq, err
}

// DoReply is Do that also returns what the command's acknowledgement
// carries (a ballot's BallotReply with its receipt), nil for most
// commands.
func (h *Hub) DoReply(ctx context.Context, meetingID council.ID, a Actor, c Command) (int64, any, error) {
	r, err := h.do(ctx, meetingID, a, c)
	return r.seq, r.reply, err
}

// done is what a command left: the seq of its last event, the media epoch
// a join_remote recorded, the acknowledgement's reply.
type done struct {
	seq, epoch int64
	reply      any
}

// do runs a command (see Do).
func (h *Hub) do(ctx context.Context, meetingID council.ID, a Actor, c Command) (done, error) {
	if c == nil {
		return done{}, council.Invalidf("no command")
	}
	sp, ok := h.cmds.lookup(c.Name())
	if !ok {
		return done{}, council.Invalidf("unknown command %q", c.Name())
	}
	if err := validate(c); err != nil {
		return done{}, fmt.Errorf("live %s: %w", sp.name, err)
	}
	if b, ok := c.(CastBallot); ok {
		if r, ok := h.ownBallot(ctx, meetingID, a, b); ok {
			return r, nil
		}
	}
	if a.UserID != council.NilID {
		ctx = council.WithActor(ctx, a.UserID)
	}
	var r done
	var cc *cmdCtx
	err := pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		cc = &cmdCtx{st: store{tx}, spec: sp, actor: a, now: h.now(), floor: h.opts.FloorLimit, profiles: h.opts.Profiles,
			progress: &h.announced, polls: &h.polls}
		if !sp.opens {
			var err error
			if cc.s, err = cc.st.session(ctx, meetingID, !sp.lockless); err != nil {
				return err
			}
			if cc.s.Closed {
				return fmt.Errorf("%w: the session is closed", council.ErrConflict)
			}
			if err := cc.authorize(ctx, c); err != nil {
				return err
			}
		} else {
			cc.s.MeetingID = meetingID
		}
		evs, err := sp.run(ctx, cc, c)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if !slices.Contains(sp.emits, e.Kind) {
				return fmt.Errorf("command %s emitted %s, which its spec does not list", sp.name, e.Kind)
			}
		}
		r.epoch, r.reply = cc.epoch, cc.reply
		if len(evs) == 0 { // nothing changed (e.g. a reconnect of a remote member), or a lockless command
			r.seq = cc.s.Seq
			return nil
		}
		var err2 error
		r.seq, err2 = cc.st.appendEvents(ctx, cc.s, a.UserID, cc.now, evs)
		return err2
	})
	if err != nil {
		return done{}, fmt.Errorf("live %s: %w", sp.name, err)
	}
	if cc.committed != nil {
		cc.committed()
	}
	if sp.lockless {
		h.announce(meetingID)
	} else {
		h.poke(meetingID)
	}
	return r, nil
}

// authorize finds the actor's role, checks it against the spec and loads
// the member the command concerns. For a member acting for themself (a
// ballot) one read of their roster entry tells both.
func (cc *cmdCtx) authorize(ctx context.Context, c Command) error {
	person := council.NilID
	if m, ok := c.(memberCommand); ok {
		person = m.member()
	}
	if person == council.NilID {
		person = cc.actor.PersonID
	}
	self := person != council.NilID && person == cc.actor.PersonID
	r, member := knownRole(cc.s, cc.actor)
	loaded := false
	switch {
	case member && cc.spec.member && self:
		a, ok, err := cc.st.attendee(ctx, cc.s.MeetingID, person)
		if err != nil {
			return err
		}
		if ok {
			r, cc.target, loaded = RoleMember, a, true
		}
	case member:
		on, err := cc.st.onRoster(ctx, cc.s.MeetingID, cc.actor.PersonID)
		if err != nil {
			return err
		}
		if on {
			r = RoleMember
		}
	}
	cc.role = r
	if cc.spec.who.systemOnly() && r != RoleSystem {
		return fmt.Errorf("%w: remote presence follows the member's live audio/video connection; %s cannot be given by a %s",
			council.ErrForbidden, cc.spec.name, r)
	}
	if !cc.spec.who.allows(r, self) {
		return fmt.Errorf("%w: a %s may not %s here", council.ErrForbidden, r, cc.spec.name)
	}
	if !cc.spec.member || loaded {
		return nil
	}
	if person == council.NilID {
		return council.Invalidf("no member named")
	}
	a, ok, err := cc.st.attendee(ctx, cc.s.MeetingID, person)
	if err != nil {
		return err
	}
	if !ok {
		return council.Invalidf("person %s is not a member of this session", person)
	}
	cc.target = a
	return nil
}

// role returns a's role in session s.
func role(ctx context.Context, st store, s session, a Actor) (Role, error) {
	r, member := knownRole(s, a)
	if !member {
		return r, nil
	}
	on, err := st.onRoster(ctx, s.MeetingID, a.PersonID)
	if err != nil || !on {
		return RolePublic, err
	}
	return RoleMember, nil
}

// knownRole returns a's role in session s as far as it is known without
// the roster; member says a is a member there if on the roster (else the
// public).
func knownRole(s session, a Actor) (r Role, member bool) {
	switch {
	case a.System:
		return RoleSystem, false
	case a.IsPublic():
		return RolePublic, false
	case a.PersonID != council.NilID && a.PersonID == s.ChairID:
		return RoleChair, false
	case a.Role.IsStaff():
		return RoleClerk, false
	case a.PersonID == council.NilID || a.Role != council.RoleMember:
		return RolePublic, false
	}
	return RolePublic, true
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
	it, err := item(ctx, cc.st, cc.s.ItemID)
	if err != nil {
		return "", err
	}
	if cc.s.ItemID != council.NilID && !it.Public {
		return AudienceMembers, nil
	}
	return AudiencePublic, nil
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

// itemEvent announces the current item; the public sees a non-public item
// under its neutral title, and nothing in the non-public part.
func (cc *cmdCtx) itemEvent(ctx context.Context) (event, error) {
	it, err := item(ctx, cc.st, cc.s.ItemID)
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
	q, err := quorum(ctx, cc.st, cc.s)
	return event{Kind: EvQuorum, Audience: cc.s.rosterAudience(), Payload: q}, err
}

func (cc *cmdCtx) speakersEvent(ctx context.Context) (event, error) {
	aud, err := cc.contentAudience(ctx)
	if err != nil {
		return event{}, err
	}
	v, err := speakers(ctx, cc.st, cc.s)
	return event{Kind: EvSpeakers, Audience: aud, Payload: v}, err
}
