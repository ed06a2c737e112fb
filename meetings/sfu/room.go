package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/plenar/plenar/council"
)

// Kind is the role of a peer in a room.
type Kind string

// Peer kinds.
const (
	KindMember Kind = "member" // publishes mic+camera over the signalling channel; receives the program
	KindViewer Kind = "viewer" // receive-only public program (members' websocket or WHEP)
	KindRoom   Kind = "room"   // the room's camera and mixer (WHIP ingest); publishes only
)

// Room is one meeting's media: its peers, the floor, the chair and whether
// the program is public.
type Room struct {
	sfu *SFU
	id  string
	log *slog.Logger

	mu      sync.Mutex
	closed  bool
	peers   map[*Peer]struct{}
	members map[string]*Peer // KindMember peers by member id
	ingest  *Peer            // the current KindRoom peer
	floor   []string
	chair   string
	public  bool
	// restricted: the non-public part; only members in cleared take part
	// in the media (SetRestricted).
	restricted bool
	cleared    map[string]bool
	rec        *recording // nil until SetRecording (recording.go)
}

func newRoom(s *SFU, id string) *Room {
	return &Room{sfu: s, id: id, log: s.log.With("meeting_id", id),
		peers: map[*Peer]struct{}{}, members: map[string]*Peer{}, public: true}
}

// Join adds a member or viewer peer and, after the debounce, sends it the
// server's offer through o.Send. A second Join with the same member ID
// replaces (closes) the first. Errors: council.ErrInvalid for bad options,
// council.ErrUnavailable when the room is closed.
func (r *Room) Join(ctx context.Context, o JoinOptions) (*Peer, error) {
	if o.Kind != KindMember && o.Kind != KindViewer {
		return nil, council.Invalidf("join kind %q", o.Kind)
	}
	if o.ID == "" || o.Send == nil {
		return nil, council.Invalidf("join needs an id and a send function")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := newPeer(r, o.ID, o.Kind, o.Send, o.OnState)
	if err != nil {
		return nil, err
	}
	// Members: their own microphone and camera first (mids 0 and 1), then
	// the program slots.
	if o.Kind == KindMember {
		if err := p.addRecv(); err != nil {
			p.Close()
			return nil, err
		}
	}
	if err := p.addProgram(nil); err != nil {
		p.Close()
		return nil, err
	}
	if err := r.add(p); err != nil {
		p.Close()
		return nil, err
	}
	p.negotiate()
	return p, nil
}

// add registers p and reroutes. A member replacing an older connection
// closes the old one.
func (r *Room) add(p *Peer) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return fmt.Errorf("room %s: %w", r.id, council.ErrUnavailable)
	}
	var old *Peer
	switch p.kind {
	case KindMember:
		old = r.members[p.id]
		r.members[p.id] = p
	case KindRoom:
		old = r.ingest
		r.ingest = p
	}
	r.peers[p] = struct{}{}
	r.routeLocked()
	r.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// remove unregisters p and reroutes.
func (r *Room) remove(p *Peer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.peers[p]; !ok {
		return
	}
	delete(r.peers, p)
	if r.members[p.id] == p {
		delete(r.members, p.id)
	}
	if r.ingest == p {
		r.ingest = nil
	}
	r.routeLocked()
}

// reroute recomputes the routing after a peer's sources changed.
func (r *Room) reroute() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routeLocked()
}

// SetFloor sets the members whose microphone is forwarded, in grant order;
// only the first K are. Everyone else's microphone is dropped at the source.
func (r *Room) SetFloor(memberIDs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.floor = slices.Clone(memberIDs)
	if len(r.floor) > r.sfu.cfg.MaxFloor {
		r.floor = r.floor[:r.sfu.cfg.MaxFloor]
	}
	r.routeLocked()
}

// SetChair sets the member whose camera fills the speaker video slot when
// nobody on the floor has a camera.
func (r *Room) SetChair(memberID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chair = memberID
	r.routeLocked()
}

// SetPublic switches forwarding to viewers on or off. Members keep receiving.
func (r *Room) SetPublic(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.public = on
	r.routeLocked()
}

// SetRestricted gates the members for the non-public part of a session,
// where each remote member must first confirm that no third party can see
// or hear. While on, a member peer whose id is not in cleared receives
// nothing (every program slot is silent for it) and its microphone and
// camera are forwarded to nobody, even while it holds the floor or is the
// chair. Off (the default), every member takes part. Viewers follow
// SetPublic; the room source (WHIP) is not gated.
func (r *Room) SetRestricted(on bool, cleared []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.restricted = on
	r.cleared = make(map[string]bool, len(cleared))
	for _, id := range cleared {
		r.cleared[id] = true
	}
	r.routeLocked()
}

// blockedLocked reports whether member id is kept out of the media by
// SetRestricted. r.mu is held.
func (r *Room) blockedLocked(id string) bool { return r.restricted && !r.cleared[id] }

// routeLocked computes which source feeds each output of each receiving peer
// and publishes the result to the sources. r.mu is held.
func (r *Room) routeLocked() {
	k := r.sfu.cfg.MaxFloor
	slots := make([]*source, k+3) // by program slot index
	for i, id := range r.floor {
		if m := r.members[id]; m != nil && !r.blockedLocked(id) {
			slots[i] = m.mic.Load()
		}
	}
	if r.ingest != nil {
		slots[k] = r.ingest.mic.Load()
		slots[k+2] = r.ingest.cam.Load()
	}
	for i := len(r.floor) - 1; i >= 0 && slots[k+1] == nil; i-- {
		if m := r.members[r.floor[i]]; m != nil && !r.blockedLocked(r.floor[i]) {
			slots[k+1] = m.cam.Load()
		}
	}
	if slots[k+1] == nil && r.chair != "" {
		if m := r.members[r.chair]; m != nil && !r.blockedLocked(r.chair) {
			slots[k+1] = m.cam.Load()
		}
	}

	routes := map[*source][]*output{}
	var keyframes []*source
	for p := range r.peers {
		receives := (p.kind == KindMember && !r.blockedLocked(p.id)) || (p.kind == KindViewer && r.public)
		for i, o := range p.outs {
			if o == nil {
				continue
			}
			var src *source
			if receives && !r.closed {
				src = slots[i]
				if src != nil && src.owner == p {
					src = nil // nobody gets their own microphone or camera back
				}
			}
			if o.assign(src) {
				keyframes = append(keyframes, src)
			}
			if src != nil {
				routes[src] = append(routes[src], o)
			}
		}
	}
	keyframes = append(keyframes, r.routeRecordingLocked(slots, routes)...)
	for p := range r.peers {
		for _, src := range []*source{p.mic.Load(), p.cam.Load()} {
			if src == nil {
				continue
			}
			outs := routes[src]
			src.outs.Store(&outs)
		}
	}
	for _, src := range keyframes {
		src.requestKeyframe()
	}
}

// counts returns the number of peers and of publishing sources.
func (r *Room) counts() (peers, publishers int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.peers {
		if p.mic.Load() != nil || p.cam.Load() != nil {
			publishers++
		}
	}
	return len(r.peers), publishers
}

// close closes every peer; the room accepts no more joins.
func (r *Room) close() {
	r.mu.Lock()
	r.closed = true
	peers := make([]*Peer, 0, len(r.peers))
	for p := range r.peers {
		peers = append(peers, p)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(p.Close)
	}
	wg.Wait()
	r.closeRecording()
}
