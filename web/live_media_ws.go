package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// Media signalling on the live websocket (docs/ARCHITECTURE.md, "Live
// media": signalling runs on the live websocket). Client messages:
//
//	{"v":1,"type":"media_join","id":"m1","kind":"member"|"viewer"}
//	{"v":1,"type":"media","id":"m2","signal":{"type":"answer","sdp":"…"}}
//	{"v":1,"type":"media","signal":{"type":"candidate","candidate":{…}}}
//	{"v":1,"type":"media_leave","id":"m3"}
//
// The server sends {"v":1,"type":"media","signal":{…}} (offers and
// candidates; the SFU is the only offerer) and acks or errors for
// media_join and media_leave; a bad signal gets an error with its id.
// A member peer's id is the session's person id, never one the client
// names; a viewer's is random.

// Limits of media messages: an answer for the program's slots and the
// member's own tracks is a few kilobytes.
const (
	liveMaxMessage   = 32 << 10 // the websocket's read limit; commands stay at live.MaxClientMessage
	liveMaxSDP       = 24 << 10
	liveMaxCandidate = 1024
	liveSignalQueue  = 128
	liveMediaBurst   = 64                    // media messages a client may send at once …
	liveMediaRefill  = 20 * time.Millisecond // … and one more every this long
)

// mediaClientMessage is a media message from the client.
type mediaClientMessage struct {
	V      int         `json:"v"`
	Type   string      `json:"type"`
	ID     string      `json:"id,omitempty"`
	Kind   sfu.Kind    `json:"kind,omitempty"`
	Signal *sfu.Signal `json:"signal,omitempty"`
}

// mediaServerMessage carries a signal from the SFU to the client.
type mediaServerMessage struct {
	V      int        `json:"v"`
	Type   string     `json:"type"`
	Signal sfu.Signal `json:"signal"`
}

// isMediaMessage peeks at the message type.
func isMediaMessage(b []byte) bool {
	var m struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	return m.Type == "media" || m.Type == "media_join" || m.Type == "media_leave"
}

// decodeMedia parses and checks a media message. Errors wrap ErrInvalid;
// the id is returned whenever it could be read.
func decodeMedia(b []byte) (mediaClientMessage, error) {
	var m mediaClientMessage
	if len(b) > liveMaxMessage {
		return m, council.Invalidf("message of %d bytes exceeds %d", len(b), liveMaxMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return mediaClientMessage{}, council.Invalidf("malformed media message")
	}
	if dec.More() {
		return mediaClientMessage{}, council.Invalidf("trailing data after message")
	}
	if len(m.ID) > 64 || !utf8.ValidString(m.ID) {
		m.ID = ""
		return m, council.Invalidf("bad message id")
	}
	if m.V != live.ProtocolVersion {
		return m, council.Invalidf("protocol version %d, want %d", m.V, live.ProtocolVersion)
	}
	switch m.Type {
	case "media_join":
		if m.Kind != sfu.KindMember && m.Kind != sfu.KindViewer {
			return m, council.Invalidf("kind: want member or viewer")
		}
		if m.Signal != nil {
			return m, council.Invalidf("media_join carries no signal")
		}
	case "media_leave":
		if m.Kind != "" || m.Signal != nil {
			return m, council.Invalidf("media_leave carries nothing")
		}
	case "media":
		if m.Kind != "" {
			return m, council.Invalidf("media carries no kind")
		}
		if err := checkSignal(m.Signal); err != nil {
			return m, err
		}
	default:
		return m, council.Invalidf("unknown message type %q", m.Type)
	}
	return m, nil
}

// checkSignal checks a client's signal: an answer or a candidate.
func checkSignal(s *sfu.Signal) error {
	if s == nil {
		return council.Invalidf("signal missing")
	}
	switch s.Type {
	case "answer":
		if s.Candidate != nil {
			return council.Invalidf("an answer carries no candidate")
		}
		if len(s.SDP) > liveMaxSDP || !strings.HasPrefix(s.SDP, "v=0") || !utf8.ValidString(s.SDP) {
			return council.Invalidf("answer: not a session description of at most %d bytes", liveMaxSDP)
		}
	case "candidate":
		if s.SDP != "" {
			return council.Invalidf("a candidate carries no sdp")
		}
		if c := s.Candidate; c != nil {
			if len(c.Candidate) > liveMaxCandidate || !utf8.ValidString(c.Candidate) ||
				(c.SDPMid != nil && len(*c.SDPMid) > 64) || (c.UsernameFragment != nil && len(*c.UsernameFragment) > 256) {
				return council.Invalidf("candidate too long")
			}
		}
	default:
		return council.Invalidf("signal type %q: want answer or candidate", s.Type)
	}
	return nil
}

// connMedia is a connection's media peer; at most one at a time.
type connMedia struct {
	mu     sync.Mutex
	peer   *sfu.Peer
	kind   sfu.Kind
	person council.ID // member peers: the person
	driver *mediaDriver
	gen    int // bumps with every join and leave; stale callbacks compare it
}

// mediaEvent is a peer's state change, handed to the connection's
// presence goroutine so the SFU's callback never blocks.
type mediaEvent struct {
	gen    int
	person council.ID
	state  sfu.State
}

// media runs one media message and returns its reply (nil: none).
func (lc *liveConn) media(ctx context.Context, b []byte) any {
	m, err := decodeMedia(b)
	if err != nil {
		return live.ErrorMessage(m.ID, err)
	}
	mh := lc.s.mediaHub
	if mh == nil {
		return live.ErrorMessage(m.ID, fmt.Errorf("%w: no media server", council.ErrUnavailable))
	}
	switch m.Type {
	case "media_join":
		if err := lc.checkSession(ctx); err != nil {
			return live.ErrorMessage(m.ID, err)
		}
		if err := lc.mediaJoin(ctx, m.Kind); err != nil {
			if !errors.Is(err, council.ErrForbidden) && !errors.Is(err, council.ErrConflict) {
				lc.s.log.Warn("media join failed", "meeting_id", lc.meeting, "kind", m.Kind, "err", err)
			}
			return live.ErrorMessage(m.ID, err)
		}
		return live.AckMessage(m.ID, 0)
	case "media_leave":
		lc.mediaLeave()
		return live.AckMessage(m.ID, 0)
	}
	lc.mp.mu.Lock()
	p := lc.mp.peer
	lc.mp.mu.Unlock()
	if p == nil {
		return live.ErrorMessage(m.ID, fmt.Errorf("%w: no media connection; join first", council.ErrConflict))
	}
	if err := p.Signal(*m.Signal); err != nil {
		lc.s.log.Info("media signal refused", "meeting_id", lc.meeting, "signal", m.Signal.Type, "err", err)
		return live.ErrorMessage(m.ID, err)
	}
	return nil
}

// mediaJoin adds the connection's peer of kind to the meeting's room,
// replacing an earlier one. A member peer needs the live role of member
// (or chair) — the hub's decision for this connection's person; a viewer
// peer needs the session running in its public part.
func (lc *liveConn) mediaJoin(ctx context.Context, kind sfu.Kind) error {
	mh := lc.s.mediaHub
	snap, err := lc.s.opt.Live.Snapshot(ctx, lc.meeting, lc.actor)
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
		if (snap.Role != live.RoleMember && snap.Role != live.RoleChair) || lc.actor.PersonID == council.NilID {
			return fmt.Errorf("%w: only members of this session send camera and microphone", council.ErrForbidden)
		}
		person = lc.actor.PersonID
		id = person.String()
	case sfu.KindViewer:
		if snap.Part != live.PartPublic {
			return fmt.Errorf("%w: the session is in its non-public part", council.ErrConflict)
		}
		if ok, wait := mh.viewers.allow(lc.addr, lc.s.opt.Now()); !ok {
			return fmt.Errorf("%w: too many viewers from this address; try again in %d s", council.ErrUnavailable,
				max(1, int(math.Ceil(wait.Seconds()))))
		}
	}
	lc.mediaLeave()
	d, err := mh.acquire(ctx, lc.meeting)
	if err != nil {
		return err
	}
	lc.mp.mu.Lock()
	lc.mp.gen++
	gen := lc.mp.gen
	lc.mp.mu.Unlock()
	p, err := mh.sfu.Room(lc.meeting.String()).Join(ctx, sfu.JoinOptions{ID: id, Kind: kind,
		Send: func(s sfu.Signal) { lc.sendSignal(gen, s) },
		OnState: func(st sfu.State) {
			select {
			case lc.states <- mediaEvent{gen: gen, person: person, state: st}:
			default: // the presence goroutine is gone or far behind; the next state repeats it
			}
		}})
	if err != nil {
		mh.release(d)
		return err
	}
	lc.mp.mu.Lock()
	defer lc.mp.mu.Unlock()
	if lc.mp.gen != gen { // a leave came in between
		p.Close()
		mh.release(d)
		return fmt.Errorf("%w: left while joining", council.ErrConflict)
	}
	lc.mp.peer, lc.mp.kind, lc.mp.person, lc.mp.driver = p, kind, person, d
	lc.s.log.Debug("media joined", "meeting_id", lc.meeting, "kind", kind, "peer", p.ID())
	return nil
}

// mediaLeave closes the connection's peer, if any.
func (lc *liveConn) mediaLeave() {
	lc.mp.mu.Lock()
	p, d, person := lc.mp.peer, lc.mp.driver, lc.mp.person
	lc.mp.peer, lc.mp.driver, lc.mp.person = nil, nil, council.NilID
	lc.mp.gen++
	lc.mp.mu.Unlock()
	if p == nil {
		return
	}
	p.Close()
	if person != council.NilID {
		lc.s.mediaHub.memberDisconnected(lc, person)
	}
	lc.s.mediaHub.release(d)
}

// sendSignal queues a signal of peer generation gen for the writer; a
// client that does not read its signals loses its peer.
func (lc *liveConn) sendSignal(gen int, s sfu.Signal) {
	lc.mp.mu.Lock()
	current := lc.mp.gen == gen
	p := lc.mp.peer
	lc.mp.mu.Unlock()
	if !current {
		return
	}
	select {
	case lc.signals <- s:
	default:
		lc.s.log.Info("media signals not read; closing the peer", "meeting_id", lc.meeting)
		if p != nil {
			go p.Close()
		}
	}
}

// presenceLoop turns member peers' states into presence until done is
// closed; a connection that ends with a connected peer reports it gone.
func (lc *liveConn) presenceLoop(ctx context.Context, done <-chan struct{}) {
	mh := lc.s.mediaHub
	for {
		select {
		case <-done:
			return
		case ev := <-lc.states:
			lc.mp.mu.Lock()
			current := lc.mp.gen == ev.gen
			lc.mp.mu.Unlock()
			switch {
			case ev.state.Closed && current:
				// The SFU gave up on the peer (failed, stale, room
				// closed): free it; the page joins again.
				lc.mediaLeave()
			case ev.person == council.NilID:
			case ev.state.Connected && !ev.state.Closed && current:
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				mh.memberConnected(cctx, lc, ev.person)
				cancel()
			case ev.state.Closed || !ev.state.Connected:
				mh.memberDisconnected(lc, ev.person)
			}
		}
	}
}
