package media

import (
	"context"
	"fmt"
	"time"

	"sync"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// signalQueue is how many signals a Conn queues for its client; a client
// that does not read its signals loses its peer.
const signalQueue = 128

// Conn is the media of one live websocket: at most one peer at a time, a
// member's (camera and microphone, the member's presence), a viewer's
// (the public programme) or a guest's (the citizen who asked the question
// whose asker holds the floor: microphone only, and the programme). The transport reads Signals and writes them to
// the client, hands the client's signals to Signal, and runs Run while
// the connection lasts; Leave ends the peer.
type Conn struct {
	s       *Service
	meeting council.ID
	actor   live.Actor
	addr    string // the client's address, for the viewers' admission
	signals chan sfu.Signal
	states  chan peerState

	mu     sync.Mutex
	peer   *sfu.Peer
	person council.ID // member peers: the person
	driver *driver
	gen    int // bumps with every join and leave; stale callbacks compare it
}

// peerState is a peer's state change, handed to Run so the SFU's
// callback never blocks.
type peerState struct {
	gen    int
	person council.ID
	state  sfu.State
}

// Conn returns the media of a live websocket of actor a on meeting from
// client address addr.
func (s *Service) Conn(meeting council.ID, a live.Actor, addr string) *Conn {
	return &Conn{s: s, meeting: meeting, actor: a, addr: addr, signals: make(chan sfu.Signal, signalQueue),
		states: make(chan peerState, 16)}
}

// Signals are the SFU's signals (offers, candidates) for the client; the
// SFU is the only offerer.
func (c *Conn) Signals() <-chan sfu.Signal { return c.signals }

// Join adds the connection's peer of kind to the meeting's room,
// replacing an earlier one. A member peer needs the live role of member
// (or chair) — the hub's decision for this connection's person; a viewer
// peer needs the session running in its public part. A member peer's id
// is the person's id, never one the client names; a viewer's is random.
//
// A guest peer needs the live session to name this connection's user as
// the asker of the question that holds the floor (Snapshot.QuestionFloor
// Mine); its id is the question's (GuestPeerID).
//
// Errors: ErrConflict when the session is not running (viewers: not in
// its public part) or the peer left while joining; ErrForbidden for a
// member peer of someone who is not a member of the session, and for a
// guest peer of someone who does not hold the floor;
// a *RefusedError (wrapping ErrUnavailable) when a viewer is not admitted
// (Limits.Viewers); ErrUnavailable when the room is not ready.
func (c *Conn) Join(ctx context.Context, kind sfu.Kind) error {
	snap, err := c.s.live.Snapshot(ctx, c.meeting, c.actor)
	if err != nil {
		return err
	}
	if snap.State != "running" {
		return fmt.Errorf("%w: the session is not running", council.ErrConflict)
	}
	id := "v-" + newSecret()[:22]
	person := council.NilID
	switch kind {
	case sfu.KindMember:
		if (snap.Role != live.RoleMember && snap.Role != live.RoleChair) || c.actor.PersonID == council.NilID {
			return fmt.Errorf("%w: only members of this session send camera and microphone", council.ErrForbidden)
		}
		person = c.actor.PersonID
		id = person.String()
	case sfu.KindViewer:
		if snap.Part != live.PartPublic {
			return fmt.Errorf("%w: the session is in its non-public part", council.ErrConflict)
		}
		if err := c.s.AdmitViewer(c.meeting, c.addr); err != nil {
			return err
		}
	case sfu.KindGuest:
		if f := snap.QuestionFloor; f == nil || !f.Mine || snap.Part != live.PartPublic {
			return fmt.Errorf("%w: only the citizen who holds the floor for their question sends a microphone", council.ErrForbidden)
		}
		id = GuestPeerID(snap.QuestionFloor.ID)
	default:
		return council.Invalidf("kind: want member, guest or viewer")
	}
	c.Leave()
	d, err := c.s.acquire(ctx, c.meeting)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.mu.Unlock()
	p, err := c.s.sfu.Room(c.meeting.String()).Join(ctx, sfu.JoinOptions{ID: id, Kind: kind,
		Send: func(s sfu.Signal) { c.send(gen, s) },
		OnState: func(st sfu.State) {
			select {
			case c.states <- peerState{gen: gen, person: person, state: st}:
			default: // Run is gone or far behind; the next state repeats it
			}
		}})
	if err != nil {
		c.s.release(d)
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen { // a leave came in between
		p.Close()
		c.s.release(d)
		return fmt.Errorf("%w: left while joining", council.ErrConflict)
	}
	c.peer, c.person, c.driver = p, person, d
	c.s.log.Debug("media joined", "meeting_id", c.meeting, "kind", kind, "peer", p.ID())
	return nil
}

// Signal hands the client's signal (an answer or a candidate) to its
// peer. Errors: ErrConflict without a peer; the SFU's for a bad signal.
func (c *Conn) Signal(sig sfu.Signal) error {
	c.mu.Lock()
	p := c.peer
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("%w: no media connection; join first", council.ErrConflict)
	}
	return p.Signal(sig)
}

// Leave closes the connection's peer, if any.
func (c *Conn) Leave() {
	c.mu.Lock()
	p, d, person := c.peer, c.driver, c.person
	c.peer, c.driver, c.person = nil, nil, council.NilID
	c.gen++
	c.mu.Unlock()
	if p == nil {
		return
	}
	p.Close()
	if person != council.NilID {
		c.s.memberDisconnected(c, person)
	}
	c.s.release(d)
}

// send queues a signal of peer generation gen for the client; a client
// that does not read its signals loses its peer.
func (c *Conn) send(gen int, s sfu.Signal) {
	c.mu.Lock()
	current := c.gen == gen
	p := c.peer
	c.mu.Unlock()
	if !current {
		return
	}
	select {
	case c.signals <- s:
	default:
		c.s.log.Info("media signals not read; closing the peer", "meeting_id", c.meeting)
		if p != nil {
			go p.Close()
		}
	}
}

// Run turns the member peer's states into presence until ctx ends. A
// peer the SFU gave up on (failed, stale, room closed) is freed; the page
// joins again.
func (c *Conn) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-c.states:
			c.mu.Lock()
			current := c.gen == ev.gen
			c.mu.Unlock()
			switch {
			case ev.state.Closed && current:
				c.Leave()
			case ev.person == council.NilID:
			case ev.state.Connected && !ev.state.Closed && current:
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				c.s.memberConnected(cctx, c, ev.person)
				cancel()
			case ev.state.Closed || !ev.state.Connected:
				c.s.memberDisconnected(c, ev.person)
			}
		}
	}
}

// Presence: a member's media connection is their remote attendance. A
// member who joins again (another tab, a reload) replaces the earlier
// peer; only the newest connection reports for the member, so the old
// peer's late "closed" does not end the new one's attendance.

func ownerKey(meeting, person council.ID) string { return meeting.String() + "/" + person.String() }

func (s *Service) memberConnected(ctx context.Context, c *Conn, person council.ID) {
	s.mu.Lock()
	s.owners[ownerKey(c.meeting, person)] = c
	s.mu.Unlock()
	if s.presence != nil {
		s.presence.Connected(ctx, c.meeting, person)
	}
}

func (s *Service) memberDisconnected(c *Conn, person council.ID) {
	k := ownerKey(c.meeting, person)
	s.mu.Lock()
	mine := s.owners[k] == c
	if mine {
		delete(s.owners, k)
	}
	s.mu.Unlock()
	if mine && s.presence != nil {
		s.presence.Disconnected(c.meeting, person)
	}
}
