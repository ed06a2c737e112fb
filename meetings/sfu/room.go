package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/plenar/plenar/council"
)

// Kind is the role of a peer in a room.
type Kind string

// Peer kinds.
const (
	KindMember Kind = "member" // publishes mic+camera over the signalling channel; receives the program
	KindViewer Kind = "viewer" // receive-only public program (members' websocket or WHEP)
	KindRoom   Kind = "room"   // the room's camera and mixer (WHIP ingest); publishes only
	// KindGuest: a citizen given the floor in the Einwohnerfragestunde
	// (Room.SetGuest). Publishes a microphone only — the SFU offers no
	// camera transceiver — and receives the program like a viewer.
	KindGuest Kind = "guest"
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
	// guests are the KindGuest peers by id; guest is the one whose
	// microphone is forwarded until guestUntil (SetGuest), its timer
	// reroutes when the time is up.
	guests     map[string]*Peer
	guest      string
	guestUntil time.Time
	guestTimer *time.Timer
}

func newRoom(s *SFU, id string) *Room {
	return &Room{sfu: s, id: id, log: s.log.With("meeting_id", id),
		peers: map[*Peer]struct{}{}, members: map[string]*Peer{}, guests: map[string]*Peer{}, public: true}
}

// Join adds a member, guest or viewer peer and, after the debounce, sends
// it the server's offer through o.Send. A second Join with the same member
// or guest ID replaces (closes) the first. Errors: council.ErrInvalid for
// bad options, council.ErrUnavailable when the room is closed.
func (r *Room) Join(ctx context.Context, o JoinOptions) (*Peer, error) {
	if o.Kind != KindMember && o.Kind != KindViewer && o.Kind != KindGuest {
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
	// A guest: the microphone only (mid 0).
	switch o.Kind {
	case KindMember:
		err = p.addRecv(webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo)
	case KindGuest:
		err = p.addRecv(webrtc.RTPCodecTypeAudio)
	}
	if err != nil {
		p.Close()
		return nil, err
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
	case KindGuest:
		old = r.guests[p.id]
		r.guests[p.id] = p
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
	if r.guests[p.id] == p {
		delete(r.guests, p.id)
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

// SetGuest sets the guest peer whose microphone is forwarded, until until:
// the asking citizen of the Einwohnerfragestunde, given the floor for a
// limited time. The guest takes the first floor slot no member's
// microphone fills (the live session keeps one free for it). Nothing of
// the guest is forwarded after until, while the room is not public or
// while it is restricted; "" ends it.
func (r *Room) SetGuest(id string, until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.guestTimer != nil {
		r.guestTimer.Stop()
		r.guestTimer = nil
	}
	r.guest, r.guestUntil = id, until
	if d := time.Until(until); id != "" && d > 0 {
		r.guestTimer = time.AfterFunc(d+time.Millisecond, r.reroute)
	}
	r.routeLocked()
}

// guestLocked returns the guest peer whose microphone is forwarded now
// (nil: none). r.mu is held.
func (r *Room) guestLocked() *Peer {
	if r.guest == "" || !r.public || r.restricted || !time.Now().Before(r.guestUntil) {
		return nil
	}
	return r.guests[r.guest]
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
	if g := r.guestLocked(); g != nil && g.mic.Load() != nil {
		free := k - 1 // none free: the last floor slot (the live session prevents it)
		for i := range k {
			if slots[i] == nil && (i >= len(r.floor) || r.members[r.floor[i]] == nil) {
				free = i
				break
			}
		}
		slots[free] = g.mic.Load()
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
		receives := (p.kind == KindMember && !r.blockedLocked(p.id)) || ((p.kind == KindViewer || p.kind == KindGuest) && r.public && !r.restricted)
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
	if r.guestTimer != nil {
		r.guestTimer.Stop()
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(p.Close)
	}
	wg.Wait()
	r.closeRecording()
}
